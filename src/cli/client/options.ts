/**
 * The flags every client command takes, named and read from the environment as Temporal's CLI
 * does (`cliext/option-sets.yaml`, option set `client` plus `--output` and `--command-timeout`),
 * and the parsers for flag values. Loaded at start-up by every command, server ones included, so
 * it imports nothing from the SDK.
 */
import { Command, InvalidArgumentError, Option } from 'commander'
import { parseDuration } from '../../common/duration.js'
import type { pb } from '../../common/proto.js'
import { durationFromMs } from '../../common/time.js'
import { keyValue } from '../options.js'

/** `-o` values, as Temporal's CLI takes them. */
export const OUTPUT_FORMATS = ['text', 'json', 'jsonl', 'none'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** The parsed client flags. */
export interface ClientFlags {
  /** `host:port` of the frontend. */
  address: string
  namespace: string
  apiKey?: string
  /** `--grpc-meta` headers, in order. */
  grpcMeta: [string, string][]
  /** Explicitly on or off; undefined: on when any other TLS flag or an API key is given. */
  tls?: boolean
  tlsCertPath?: string
  tlsKeyPath?: string
  tlsCaPath?: string
  tlsServerName?: string
  tlsDisableHostVerification?: boolean
  output: OutputFormat
  /** False with `--no-json-shorthand-payloads`: payloads print as metadata and data in base64. */
  jsonShorthandPayloads: boolean
  /** Milliseconds the whole command may take. */
  commandTimeout?: number
  /** Milliseconds to wait for the server to answer the first call; default 10 s. */
  clientConnectTimeout?: number
  identity?: string
}

/**
 * Adds the client flags to every leaf of a command tree whose commands all talk to a server. Call
 * it once the tree is built, so that help lists each command's own flags first and the client
 * flags after them, in a group of their own, as Temporal's help lists its global flags.
 */
export function withClientOptionsOnLeaves(tree: Command): Command {
  if (tree.commands.length === 0) return withClientOptions(tree)
  for (const sub of tree.commands) withClientOptionsOnLeaves(sub)
  return tree
}

/** Adds the client flags to one command. */
export function withClientOptions(cmd: Command): Command {
  const env = (flags: string, description: string, name: string) =>
    new Option(flags, description).env(name)
  const options = [
    env('--address <host:port>', 'server gRPC endpoint', 'TEMPORAL_ADDRESS').default(
      '127.0.0.1:7233',
    ),
    env('-n, --namespace <name>', 'namespace', 'TEMPORAL_NAMESPACE').default('default'),
    env('--api-key <key>', 'API key, sent as a bearer token; turns TLS on', 'TEMPORAL_API_KEY'),
    new Option('--grpc-meta <KEY=VALUE>', 'gRPC header for every request (repeatable)')
      .argParser(collectPair('KEY=VALUE'))
      .default([]),
    env('--tls [bool]', 'use TLS; on by default with other TLS flags or --api-key', 'TEMPORAL_TLS')
      .preset('true')
      .argParser(parseBoolean),
    env('--tls-cert-path <path>', 'client certificate (PEM)', 'TEMPORAL_TLS_CLIENT_CERT_PATH'),
    env('--tls-key-path <path>', 'client private key (PEM)', 'TEMPORAL_TLS_CLIENT_KEY_PATH'),
    env('--tls-ca-path <path>', 'server CA certificate (PEM)', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'),
    env('--tls-server-name <name>', 'server name to verify', 'TEMPORAL_TLS_SERVER_NAME'),
    env(
      '--tls-disable-host-verification [bool]',
      "do not check the server certificate's host name",
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
    )
      .preset('true')
      .argParser(parseBoolean),
    new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('text'),
    new Option('--no-json-shorthand-payloads', 'print JSON payloads as metadata and base64 data'),
    new Option('--command-timeout <duration>', 'time limit for the whole command').argParser(
      parseDurationArg,
    ),
    new Option(
      '--client-connect-timeout <duration>',
      'time to wait for the server to answer (default 10s)',
    ).argParser(parseDurationArg),
    new Option('--identity <identity>', 'client identity recorded with requests'),
  ]
  for (const option of options) cmd.addOption(option.helpGroup('Client options:'))
  return cmd
}

/** A duration flag (`30s`, `1h30m`, `3d`) in milliseconds. */
export function parseDurationArg(value: string): number {
  const ms = parseDuration(value)
  if (ms === undefined) {
    throw new InvalidArgumentError(`"${value}" is not a duration (like 30s, 1h30m or 3d).`)
  }
  return ms
}

/** `--tls=false` and TEMPORAL_TLS=false: Go's boolean spellings. */
/** A duration flag's proto form; undefined when the flag was not given. */
export function optionalDuration(ms: number | undefined): pb.Duration | undefined {
  return ms === undefined ? undefined : durationFromMs(ms)
}

export function parseBoolean(value: string): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true
  if (/^(false|0|no)$/i.test(value)) return false
  throw new InvalidArgumentError(`"${value}" is not true or false.`)
}

/** `--limit`, `--page-size`: a whole number above zero. */
export function parsePositiveInt(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError(`"${value}" is not a positive whole number.`)
  }
  return n
}

/** A non-negative event id or count. */
export function parseCount(value: string): number {
  return value === '0' ? 0 : parsePositiveInt(value)
}

/** Accumulates a repeatable `KEY=VALUE` flag as pairs. */
export function collectPair(what: string) {
  return (value: string, previous: [string, string][]): [string, string][] => [
    ...previous,
    keyValue(value, what),
  ]
}

/** Accumulates a repeatable flag whose value is JSON (`--input '{"a":1}'`), parsed. */
export function collectJson(value: string, previous: unknown[]): unknown[] {
  return [...previous, parseJsonArg(value)]
}

/** Accumulates `KEY=JSON` (`--memo`, `--search-attribute`) as [key, parsed value]. */
export function collectKeyJson(value: string, previous: [string, unknown][]): [string, unknown][] {
  const [key, json] = keyValue(value, 'KEY=JSON')
  return [...previous, [key, parseJsonArg(json)]]
}

function parseJsonArg(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (e: unknown) {
    throw new InvalidArgumentError(`not valid JSON: ${(e as Error).message}`)
  }
}
