/**
 * Opens the store a configuration names: SQLite (a file, or memory) or PostgreSQL. The
 * PostgreSQL store is loaded only when asked for, so an embedded start never pays for `pg`.
 */
import { readFile } from 'node:fs/promises'
import type { SqliteJournalMode, SqliteSynchronous } from './sqlite/sqlite-settings.js'
import { SqliteStore } from './sqlite/sqlite-store.js'
import type { Store } from './store.js'

/** TLS for the PostgreSQL connection, with certificates as file paths. */
export interface PostgresTlsFiles {
  /** CA certificate (PEM) the server's certificate must chain to; default: the system's CAs. */
  caFile?: string
  /** Client certificate and key (PEM), for servers that require them (mTLS). */
  certFile?: string
  keyFile?: string
  /** Check the server's certificate; default true. */
  rejectUnauthorized?: boolean
  /** Name to check the server's certificate against, when not the host connected to. */
  servername?: string
}

export type StoreConfig =
  | {
      kind: 'sqlite'
      /** In memory when undefined. */
      filename?: string | undefined
      synchronous?: SqliteSynchronous
      journalMode?: SqliteJournalMode
    }
  | {
      kind: 'postgres'
      /** `postgres://user:password@host:port/database` (libpq's `sslmode` etc. also work). */
      url: string
      /** Schema holding the tables; default `public`. */
      schema?: string | undefined
      poolSize?: number | undefined
      tls?: PostgresTlsFiles | undefined
      /** A file holding the password, read for each new connection (a mounted secret). */
      passwordFile?: string | undefined
    }

/**
 * `migrate`: apply missing schema migrations (true), or refuse a schema that is behind.
 * `owner`: what this process is, for a store that one process at a time may serve (a SQLite
 * file): another live process holding it makes the open fail with StoreInUseError.
 */
export async function openStore(
  config: StoreConfig,
  migrate: boolean,
  owner?: string,
): Promise<Store> {
  if (config.kind === 'sqlite') {
    const { filename, synchronous, journalMode } = config
    return SqliteStore.open({ filename, synchronous, journalMode, migrate, exclusiveOwner: owner })
  }
  const { PostgresStore } = await import('./postgres/postgres-store.js')
  return PostgresStore.open({
    url: config.url,
    schema: config.schema,
    poolSize: config.poolSize,
    tls: config.tls && (await readTls(config.tls)),
    passwordFile: config.passwordFile,
    migrate,
  })
}

/** Where the store lives, for banners and messages; never shows a password. */
export function describeStore(config: StoreConfig): string {
  if (config.kind === 'sqlite') return `SQLite ${config.filename ?? ':memory:'}`
  const url = new URL(config.url)
  if (url.password) url.password = '***'
  return `PostgreSQL ${url.toString()}${config.schema ? ` schema ${config.schema}` : ''}`
}

/** Reads the PEM files; unset options stay unset, which node's TLS reads as its defaults. */
async function readTls(files: PostgresTlsFiles) {
  const pem = (path: string | undefined) =>
    path === undefined ? undefined : readFile(path, 'utf8')
  const [ca, cert, key] = await Promise.all([
    pem(files.caFile),
    pem(files.certFile),
    pem(files.keyFile),
  ])
  const { rejectUnauthorized, servername } = files
  return { ca, cert, key, rejectUnauthorized, servername }
}
