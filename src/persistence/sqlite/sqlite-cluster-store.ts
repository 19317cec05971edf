/** Cluster metadata and shard ownership on SQLite. */
import type Database from 'better-sqlite3'
import type { ClusterStore } from '../store.js'
import { sqliteDialect } from '../sql/dialect.js'
import { statements } from '../sql/statements.js'
import { settle } from './settle.js'

export class SqliteClusterStore implements ClusterStore {
  readonly #db: Database.Database
  readonly #s: ReturnType<typeof prepare>

  constructor(db: Database.Database) {
    this.#db = db
    this.#s = prepare(db)
  }

  getOrInitMetadata(req: { key: string; value: string }): Promise<{ value: string }> {
    return settle(this.#db, () => {
      // Rows are never changed once written, so reading after the insert needs no transaction:
      // whichever opener inserted first, every opener reads that value.
      this.#s.initMetadata.run(req)
      const value = this.#s.getMetadata.get(req)
      if (value === undefined) throw new Error(`cluster metadata ${req.key} vanished`)
      return { value }
    })
  }

  acquireShard(req: { shardId: number }): Promise<{ rangeId: number }> {
    return settle(this.#db, () => {
      const rangeId = this.#s.acquireShard.get(req)
      if (rangeId === undefined) throw new Error(`acquiring shard ${req.shardId} returned no row`)
      return { rangeId }
    })
  }
}

function prepare(db: Database.Database) {
  const { cluster } = statements(sqliteDialect)
  return {
    initMetadata: db.prepare<{ key: string; value: string }, void>(cluster.initMetadata),
    getMetadata: db.prepare<{ key: string }, string>(cluster.getMetadata).pluck(),
    acquireShard: db.prepare<{ shardId: number }, number>(cluster.acquireShard).pluck(),
  }
}
