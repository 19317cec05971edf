/**
 * Option parsers shared by the `sundial` commands. Each throws commander's
 * `InvalidArgumentError`, which commander prints as `error: option '...' argument '...' is
 * invalid. <message>` before exiting with code 1.
 */
import { InvalidArgumentError } from 'commander'
import {
  SQLITE_JOURNAL_MODES,
  SQLITE_SYNCHRONOUS,
  type SqliteJournalMode,
  type SqliteSynchronous,
} from '../persistence/sqlite/sqlite-settings.js'
import { INDEXED_VALUE_TYPES } from '../visibility/search-attributes.js'

/** A TCP port; 0 asks the OS for a free one. */
export function parsePort(value: string): number {
  // Number('') and Number(' 7 ') are numbers; a port must be written as plain digits.
  const port = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a port number (0-65535).`)
  }
  return port
}

/**
 * The rule RegisterNamespace applies (src/frontend/handlers/namespaces.ts). Namespaces created at
 * start-up skip that handler, so without this check a bad name would be stored and then be
 * unusable through the API.
 */
const NAMESPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/

/** Accumulates a repeatable `--namespace`, dropping repeats. */
export function collectNamespace(value: string, previous: string[]): string[] {
  if (!NAMESPACE_NAME.test(value)) {
    throw new InvalidArgumentError(
      `"${value}" is not a namespace name: use up to 255 letters, digits, '.', '_' and '-', starting with a letter or digit.`,
    )
  }
  return previous.includes(value) ? previous : [...previous, value]
}

/** `host:port` as gRPC clients write it: IPv6 literals go in brackets. */
export function formatAddress(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}

/** Accumulates a repeatable option's values. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

/** `KEY=VALUE` split at the first `=`; throws InvalidArgumentError naming `what`. */
export function keyValue(pair: string, what: string): [string, string] {
  const eq = pair.indexOf('=')
  if (eq <= 0) throw new InvalidArgumentError(`"${pair}" is not ${what}.`)
  return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()]
}

/**
 * Accumulates `--search-attribute KEY=TYPE` into name → IndexedValueType; TYPE is one of
 * Temporal's names (Text, Keyword, Int, Double, Bool, Datetime, KeywordList), in any case.
 */
export function collectSearchAttribute(
  value: string,
  previous: Map<string, number>,
): Map<string, number> {
  const [name, typeText] = keyValue(value, 'KEY=TYPE')
  const entry = Object.entries(INDEXED_VALUE_TYPES).find(
    ([type]) => type.toLowerCase() === typeText.toLowerCase(),
  )
  if (!entry) {
    throw new InvalidArgumentError(
      `"${typeText}" is not a search attribute type: use ${Object.keys(INDEXED_VALUE_TYPES).join(', ')}.`,
    )
  }
  return new Map(previous).set(name, entry[1])
}

/** The `--sqlite-pragma` settings Sundial applies (Temporal's dev server allows the same two). */
export interface SqlitePragmaFlags {
  synchronous?: SqliteSynchronous
  journalMode?: SqliteJournalMode
}

/** Accumulates `--sqlite-pragma PRAGMA=VALUE`. */
export function collectSqlitePragma(value: string, previous: SqlitePragmaFlags): SqlitePragmaFlags {
  const [pragma, setting] = keyValue(value, 'PRAGMA=VALUE')
  const v = setting.toLowerCase()
  switch (pragma.toLowerCase()) {
    case 'synchronous':
      if (!isOneOf(SQLITE_SYNCHRONOUS, v)) break
      return { ...previous, synchronous: v }
    case 'journal_mode':
      if (!isOneOf(SQLITE_JOURNAL_MODES, v)) break
      return { ...previous, journalMode: v }
    default:
      throw new InvalidArgumentError(
        `"${pragma}" is not a supported pragma: use synchronous or journal_mode.`,
      )
  }
  throw new InvalidArgumentError(`"${setting}" is not a value of ${pragma}.`)
}

function isOneOf<T extends string>(values: readonly T[], v: string): v is T {
  return (values as readonly string[]).includes(v)
}
