/**
 * The PostgreSQL connection pool the store groups share: named prepared statements, transactions,
 * and the translation of driver failures into the store's errors.
 *
 * Integers: every integer column is BIGINT (times in ms, task ids of up to 2^53), which `pg`
 * returns as strings by default; values the store writes are safe integers, so the pool parses
 * them as numbers. JSON columns come back as text, as SQLite returns them.
 */
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { ensureError } from '../../common/errors.js'
import { StoreUnavailableError } from '../errors.js'
import { numberParameters } from '../sql/dialect.js'

/** TLS settings for the connection to PostgreSQL (node's `tls.connect` options). */
export interface PostgresTlsOptions {
  /** PEM of the CA that signed the server's certificate; default: the system's CAs. */
  ca?: string
  /** PEM client certificate and key, for servers that require client certificates. */
  cert?: string
  key?: string
  /** Check the server's certificate (default true); false accepts any certificate. */
  rejectUnauthorized?: boolean
  /** Name to check the certificate against, when it differs from the host connected to. */
  servername?: string
}

export interface PostgresConnectionOptions {
  /** `postgres://user:password@host:port/database?sslmode=...` */
  url: string
  /** Schema holding Sundial's tables (default `public`); it must exist. */
  schema?: string
  /** Most open connections; default 20. */
  poolSize?: number
  /** TLS; when set, connections use it whatever the URL says. */
  tls?: PostgresTlsOptions
  /**
   * A file holding the password (a mounted secret), read for each new connection so that a
   * rotated password is picked up; it overrides a password in the URL.
   */
  passwordFile?: string
  /** How long to wait for a connection before reporting the store unavailable; default 5000. */
  connectTimeoutMs?: number
  /**
   * After a COMMIT whose reply was lost (the connection dropped), how long to keep asking the
   * server whether it committed before giving up; default 30000.
   */
  inDoubtTimeoutMs?: number
}

/** A statement prepared once per connection under its name. */
export interface Statement {
  name: string
  text: string
  names: readonly string[]
}

type Params = object

/** What runs inside a transaction: statements on one connection. */
export interface Tx {
  run(stmt: Statement, params?: Params): Promise<pg.QueryResult>
  /**
   * Names the transaction's id (`pg_current_xact_id()`), so that a COMMIT whose reply is lost is
   * settled by asking the server whether it committed instead of being reported as failed.
   */
  settleInDoubtBy(xid: string): void
}

const INT8_OID = 20
const JSON_OID = 114
const JSONB_OID = 3802

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === INT8_OID) return Number
    if (oid === JSONB_OID || oid === JSON_OID) return (value: string) => value
    return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown
  },
}

/**
 * SQLSTATE classes of failures that may pass on retry: connection exceptions (08), insufficient
 * resources (53), operator intervention such as a shutdown (57), system errors (58), and the
 * concurrency aborts (40001 serialization, 40P01 deadlock, 55P03 lock not available).
 */
function transientState(code: string | undefined): boolean {
  if (!code) return false
  return (
    ['08', '53', '57', '58'].includes(code.slice(0, 2)) ||
    code === '40001' ||
    code === '40P01' ||
    code === '55P03'
  )
}

/**
 * Whether `e` means the session is gone (the socket dropped, or the server ended it), so the
 * connection must be discarded and the fate of a COMMIT in flight is unknown.
 */
function lostConnection(e: Error): boolean {
  if (e instanceof pg.DatabaseError) return /^(08|57P0)/.test(e.code ?? '')
  return isDriverError(e)
}

/** Reads the password file for a new connection (its last line break dropped). */
function passwordReader(file: string): () => Promise<string> {
  return async () => (await readFile(file, 'utf8')).replace(/\r?\n$/, '')
}

export class PostgresDatabase {
  readonly pool: pg.Pool
  readonly #inDoubtTimeoutMs: number
  readonly #inFlight = new Set<Promise<unknown>>()
  #statements = 0
  #closed = false

  constructor(opts: PostgresConnectionOptions) {
    this.#inDoubtTimeoutMs = opts.inDoubtTimeoutMs ?? 30_000
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 20,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
      keepAlive: true,
      types,
      ...(opts.tls ? { ssl: opts.tls } : {}),
      ...(opts.passwordFile ? { password: passwordReader(opts.passwordFile) } : {}),
      ...(opts.schema ? { options: `-c search_path=${quoteIdent(opts.schema)}` } : {}),
      application_name: 'sundial',
    })
    // An idle connection that breaks (the server restarted) is dropped by the pool; without a
    // listener the 'error' event would crash the process.
    this.pool.on('error', () => {})
  }

  /** Names `sql` (with `@name` parameters) so each connection parses it once. */
  prepare(sql: string): Statement {
    const { text, names } = numberParameters(sql)
    return { name: `sundial_${++this.#statements}`, text, names }
  }

  /** Runs one statement outside a transaction (autocommit). */
  run(stmt: Statement, params: Params = {}): Promise<pg.QueryResult> {
    return this.#guard(() => this.pool.query(query(stmt, params)))
  }

  /** Runs SQL built at run time (positional `$n` parameters), rows as arrays when asked. */
  runDynamic(text: string, values: unknown[], rowMode?: 'array'): Promise<{ rows: unknown[] }> {
    return this.#guard(() => this.pool.query({ text, values, ...(rowMode ? { rowMode } : {}) }))
  }

  /**
   * Runs `fn` in a transaction on one connection and commits. A throw from `fn` rolls back and is
   * rethrown. When `fn` named the transaction's id (`tx.settleInDoubtBy`), a COMMIT whose reply
   * was lost is settled by asking the server whether it committed (`pg_xact_status`), so the
   * caller never reports a committed change as failed, nor a failed one as done.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.#guard(() => this.#transaction(fn))
  }

  async #transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    let broken = false
    let xid: string | undefined
    try {
      const tx: Tx = {
        run: (stmt, params = {}) => client.query(query(stmt, params)),
        settleInDoubtBy: (id) => (xid = id),
      }
      await client.query('BEGIN')
      const result = await fn(tx)
      try {
        await client.query('COMMIT')
      } catch (e: unknown) {
        const err = ensureError(e)
        if (xid === undefined || !lostConnection(err)) throw err
        broken = true
        await this.#settleInDoubt(xid, err)
      }
      return result
    } catch (e: unknown) {
      const err = ensureError(e)
      if (!broken) {
        broken = lostConnection(err)
        if (!broken) await client.query('ROLLBACK').catch(() => (broken = true))
      }
      throw toStoreError(err)
    } finally {
      // A connection that failed mid-transaction is discarded rather than reused.
      client.release(broken)
    }
  }

  /** Lends one connection to `fn` (for migrations, which manage their own transactions). */
  withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#guard(async () => {
      const client = await this.pool.connect()
      let broken = false
      try {
        return await fn(client)
      } catch (e: unknown) {
        broken = lostConnection(ensureError(e))
        throw e
      } finally {
        client.release(broken)
      }
    })
  }

  /** Lets calls already made finish, refuses new ones, then closes every connection. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.allSettled(this.#inFlight)
    await this.pool.end()
  }

  /** Runs a call: refused once closed, tracked so `close` waits for it, failures translated. */
  #guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError('the store is closed'))
    let started: Promise<T>
    try {
      started = fn()
    } catch (e: unknown) {
      started = Promise.reject(ensureError(e))
    }
    const call = started.catch((e: unknown) => {
      throw toStoreError(e)
    })
    this.#inFlight.add(call)
    const forget = () => this.#inFlight.delete(call)
    call.then(forget, forget)
    return call
  }

  /** Resolves when `xid` committed; throws StoreUnavailableError when it did not, or if unknown. */
  async #settleInDoubt(xid: string, cause: Error): Promise<void> {
    const deadline = Date.now() + this.#inDoubtTimeoutMs
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      try {
        const { rows } = await this.pool.query<{ status: string | null }>(
          'SELECT pg_xact_status($1::xid8) AS status',
          [xid],
        )
        const status = rows[0]?.status
        if (status === 'committed') return
        if (status !== 'in progress') {
          throw new StoreUnavailableError('the transaction was rolled back', { cause })
        }
      } catch (e: unknown) {
        if (e instanceof StoreUnavailableError) throw e
        // The server is still unreachable: keep asking until the deadline.
      }
      if (Date.now() + delay > deadline) {
        throw new StoreUnavailableError('lost the connection during COMMIT; outcome unknown', {
          cause,
        })
      }
      await sleep(delay)
    }
  }
}

function query(stmt: Statement, params: Params): pg.QueryConfig {
  const values = stmt.names.map((n) => {
    if (!(n in params)) throw new Error(`statement parameter @${n} is missing`)
    return (params as Record<string, unknown>)[n] ?? null
  })
  return { name: stmt.name, text: stmt.text, values }
}

/** Turns a driver failure into a store error; the store's own errors pass through unchanged. */
export function toStoreError(e: unknown): Error {
  const err = ensureError(e)
  if (err instanceof pg.DatabaseError) {
    return transientState(err.code)
      ? new StoreUnavailableError(`postgres: ${err.message}`, { cause: err })
      : err
  }
  // Connection failures come from the driver or the socket as plain errors (ECONNREFUSED,
  // "Connection terminated unexpectedly", a connect timeout).
  if (isDriverError(err)) {
    return new StoreUnavailableError(`postgres: ${err.message}`, { cause: err })
  }
  return err
}

function isDriverError(err: Error): boolean {
  if ('code' in err && typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code)) return true
  return /connection|timeout|terminat/i.test(err.message) && err.constructor === Error
}

/** Quotes an identifier (a schema name from configuration) for use in SQL text. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}
