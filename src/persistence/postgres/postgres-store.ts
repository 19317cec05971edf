/**
 * The PostgreSQL implementation of {@link Store}, for production and for several servers sharing
 * one database: a `pg` connection pool shared by all store groups, the same schema concepts as
 * the SQLite store, and writes conditioned on run versions and shard range ids.
 */
import { schemaMismatch } from '../sql/migration.js'
import type { Store } from '../store.js'
import { migrate, schemaStatus } from './migrations.js'
import { PostgresClusterStore } from './postgres-cluster-store.js'
import { PostgresJobStore } from './postgres-job-store.js'
import { PostgresDatabase, type PostgresConnectionOptions } from './postgres-database.js'
import { PostgresExecutionStore } from './postgres-execution-store.js'
import { PostgresNamespaceStore } from './postgres-namespace-store.js'
import { PostgresTaskStore } from './postgres-task-store.js'
import { PostgresVisibilityStore } from './postgres-visibility-store.js'

export type { PostgresConnectionOptions, PostgresTlsOptions } from './postgres-database.js'

export interface PostgresStoreOptions extends PostgresConnectionOptions {
  /**
   * Apply missing schema migrations on open (the default). When false, a schema behind this
   * build is refused with SchemaVersionError (`sundial db migrate` applies it).
   */
  migrate?: boolean
}

export class PostgresStore implements Store {
  readonly namespaces: PostgresNamespaceStore
  readonly executions: PostgresExecutionStore
  readonly visibility: PostgresVisibilityStore
  readonly tasks: PostgresTaskStore
  readonly cluster: PostgresClusterStore
  readonly jobs: PostgresJobStore
  /** The schema versions this open applied (empty when the schema was already current). */
  readonly migrationsApplied: readonly number[]
  readonly #db: PostgresDatabase

  private constructor(db: PostgresDatabase, applied: number[]) {
    this.#db = db
    this.migrationsApplied = applied
    this.namespaces = new PostgresNamespaceStore(db)
    this.executions = new PostgresExecutionStore(db)
    this.visibility = new PostgresVisibilityStore(db)
    this.tasks = new PostgresTaskStore(db)
    this.cluster = new PostgresClusterStore(db)
    this.jobs = new PostgresJobStore(db)
  }

  /**
   * Connects and brings the schema up to date (or checks it, with `migrate: false`). Throws
   * StoreUnavailableError when the server cannot be reached.
   */
  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    const db = new PostgresDatabase(opts)
    try {
      const applied = await db.withClient(async (client) => {
        if (opts.migrate !== false) return migrate(client)
        const { current, latest } = await schemaStatus(client)
        const mismatch = schemaMismatch(current, latest)
        if (mismatch) throw mismatch
        return []
      })
      return new PostgresStore(db, applied)
    } catch (e: unknown) {
      await db.close()
      throw e
    }
  }

  /** Waits for statements in flight, then closes every connection. Idempotent. */
  close(): Promise<void> {
    return this.#db.close()
  }
}
