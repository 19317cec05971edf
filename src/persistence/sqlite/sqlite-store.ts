/**
 * The SQLite implementation of {@link Store}: one better-sqlite3 connection shared by all store
 * groups. better-sqlite3 is synchronous, so every statement runs to completion before the event
 * loop moves on; that is the mutex other drivers need, and it is why run writes are batched into
 * group commits instead of running one transaction each (see SqliteGroupCommit).
 */
import Database from 'better-sqlite3'
import type { Store } from '../store.js'
import { schemaMismatch } from '../sql/migration.js'
import { migrate, schemaStatus } from './migrations.js'
import { toStoreError } from './settle.js'
import { SqliteClusterStore } from './sqlite-cluster-store.js'
import { SqliteJobStore } from './sqlite-job-store.js'
import { SqliteExecutionStore } from './sqlite-execution-store.js'
import { SqliteFileLock } from './sqlite-file-lock.js'
import { SqliteNamespaceStore } from './sqlite-namespace-store.js'
import type { SqliteJournalMode, SqliteSynchronous } from './sqlite-settings.js'
import { SqliteTaskStore } from './sqlite-task-store.js'
import { SqliteVisibilityStore } from './sqlite-visibility-store.js'

export interface SqliteStoreOptions {
  /** Database file; `undefined` or `':memory:'` keeps everything in memory, lost on close. */
  filename?: string
  /**
   * `'full'` (the default) syncs the WAL at every commit, so a resolved write survives power
   * loss. `'normal'` syncs only at checkpoints: the last commits may be lost on power loss (not
   * on a process crash), but the database is never corrupted.
   */
  synchronous?: SqliteSynchronous
  /**
   * The file's journal mode; default `wal` (readers proceed during a write, one fsync per
   * commit). Ignored in memory. `--sqlite-pragma journal_mode=...` sets it.
   */
  journalMode?: SqliteJournalMode
  /**
   * Apply missing schema migrations on open (the default). When false, a database whose schema
   * is behind this build is refused with SchemaVersionError, for deployments that migrate as a
   * separate step (`sundial db migrate`).
   */
  migrate?: boolean
  /** How long a statement waits for another connection's lock before failing; default 5000. */
  busyTimeoutMs?: number
  /** Most `updateWorkflowExecutions` calls sharing one commit; default 256. */
  maxGroupSize?: number
  /** Called after each group commit with the number of calls it held, for metrics. Must not throw. */
  onGroupCommit?: (calls: number) => void
  /**
   * Hold the file for this process alone, described so (`sundial server listening on ...`): the
   * open fails with StoreInUseError, naming the holder, while another live process holds it.
   * Ignored in memory.
   */
  exclusiveOwner?: string
}

/** Settings read back from the connection, for diagnostics and tests. */
export interface SqlitePragmas {
  /** `'wal'` for files, `'memory'` for in-memory databases. */
  journalMode: string
  /** 2 = FULL, 1 = NORMAL. */
  synchronous: number
  /** Milliseconds a statement waits for another connection's lock. */
  busyTimeoutMs: number
}

export class SqliteStore implements Store {
  readonly namespaces: SqliteNamespaceStore
  readonly executions: SqliteExecutionStore
  readonly visibility: SqliteVisibilityStore
  readonly tasks: SqliteTaskStore
  readonly cluster: SqliteClusterStore
  readonly jobs: SqliteJobStore
  /** The schema versions this open applied (empty when the file was already current). */
  readonly migrationsApplied: readonly number[]
  readonly #db: Database.Database
  readonly #lock: SqliteFileLock | undefined

  private constructor(
    db: Database.Database,
    opts: SqliteStoreOptions,
    applied: number[],
    lock: SqliteFileLock | undefined,
  ) {
    this.#db = db
    this.#lock = lock
    this.migrationsApplied = applied
    this.namespaces = new SqliteNamespaceStore(db)
    this.executions = new SqliteExecutionStore({
      db,
      maxGroupSize: opts.maxGroupSize ?? 256,
      onGroupCommit: opts.onGroupCommit,
    })
    this.visibility = new SqliteVisibilityStore(db)
    this.tasks = new SqliteTaskStore(db)
    this.cluster = new SqliteClusterStore(db)
    this.jobs = new SqliteJobStore(db, { maxGroupSize: opts.maxGroupSize ?? 256 })
  }

  /**
   * Opens (creating if needed) the database and brings its schema up to date. Synchronous: it
   * runs once at start-up, before anything else could use the event loop.
   */
  static open(opts: SqliteStoreOptions = {}): SqliteStore {
    const filename = opts.filename ?? ':memory:'
    // Taken before the file is opened: a refused process must not even run migrations.
    const lock =
      filename !== ':memory:' && opts.exclusiveOwner !== undefined
        ? SqliteFileLock.acquire(filename, opts.exclusiveOwner)
        : undefined
    let db: Database.Database
    try {
      db = new Database(filename, { timeout: opts.busyTimeoutMs ?? 5000 })
    } catch (e: unknown) {
      lock?.release()
      throw e
    }
    try {
      if (filename !== ':memory:') {
        // WAL lets readers proceed during a write and needs one fsync per commit instead of
        // two; it is a property of the file, so this also converts files made elsewhere.
        db.pragma(`journal_mode = ${(opts.journalMode ?? 'wal').toUpperCase()}`)
      }
      db.pragma(`synchronous = ${(opts.synchronous ?? 'full').toUpperCase()}`)
      const applied = opts.migrate === false ? checkSchema(db) : migrate(db)
      return new SqliteStore(db, opts, applied, lock)
    } catch (e: unknown) {
      db.close()
      lock?.release()
      throw e
    }
  }

  /** The connection's journal mode, synchronous level and busy timeout. */
  pragmas(): SqlitePragmas {
    return {
      journalMode: String(this.#db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.#db.pragma('synchronous', { simple: true })),
      busyTimeoutMs: Number(this.#db.pragma('busy_timeout', { simple: true })),
    }
  }

  /** Commits writes still waiting for their group, then closes the database. Idempotent. */
  close(): Promise<void> {
    if (!this.#db.open) return Promise.resolve()
    try {
      this.executions.close()
      this.jobs.close()
      this.#db.close()
      this.#lock?.release()
      return Promise.resolve()
    } catch (e: unknown) {
      return Promise.reject(toStoreError(e))
    }
  }
}

/** For `migrate: false`: the schema must already be this build's; nothing is applied. */
function checkSchema(db: Database.Database): number[] {
  const { current, latest } = schemaStatus(db)
  const mismatch = schemaMismatch(current, latest)
  if (mismatch) throw mismatch
  return []
}
