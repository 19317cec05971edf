/** Cluster metadata and shard ownership on SQLite. */
import type Database from 'better-sqlite3'
import type { ClusterStore } from '../store.js'
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
      this.#s.initMetadata.run(req.key, req.value)
      const value = this.#s.getMetadata.get(req.key)
      if (value === undefined) throw new Error(`cluster metadata ${req.key} vanished`)
      return { value }
    })
  }

  acquireShard(req: { shardId: number }): Promise<{ rangeId: number }> {
    return settle(this.#db, () => {
      const rangeId = this.#s.acquireShard.get(req.shardId)
      if (rangeId === undefined) throw new Error(`acquiring shard ${req.shardId} returned no row`)
      return { rangeId }
    })
  }
}

function prepare(db: Database.Database) {
  return {
    initMetadata: db.prepare<[string, string], void>(
      'INSERT INTO cluster_metadata (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING',
    ),
    getMetadata: db
      .prepare<[string], string>('SELECT value FROM cluster_metadata WHERE key = ?')
      .pluck(),
    // One statement, so two openers racing for the shard always get distinct range ids.
    acquireShard: db
      .prepare<[number], number>(
        `INSERT INTO shards (shard_id, range_id) VALUES (?, 1)
         ON CONFLICT (shard_id) DO UPDATE SET range_id = range_id + 1
         RETURNING range_id`,
      )
      .pluck(),
  }
}
