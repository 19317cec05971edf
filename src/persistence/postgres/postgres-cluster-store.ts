/** Cluster metadata and shard ownership on PostgreSQL. */
import { postgresDialect } from '../sql/dialect.js'
import { statements } from '../sql/statements.js'
import type { ClusterStore } from '../store.js'
import type { PostgresDatabase } from './postgres-database.js'

export class PostgresClusterStore implements ClusterStore {
  readonly #db: PostgresDatabase
  readonly #s: ReturnType<typeof prepare>

  constructor(db: PostgresDatabase) {
    this.#db = db
    this.#s = prepare(db)
  }

  async getOrInitMetadata(req: { key: string; value: string }): Promise<{ value: string }> {
    // Rows are never changed once written, so reading after the insert needs no transaction:
    // whichever opener inserted first, every opener reads that value.
    await this.#db.run(this.#s.initMetadata, req)
    const { rows } = await this.#db.run(this.#s.getMetadata, req)
    const value = (rows[0] as { value: string } | undefined)?.value
    if (value === undefined) throw new Error(`cluster metadata ${req.key} vanished`)
    return { value }
  }

  async acquireShard(req: { shardId: number }): Promise<{ rangeId: number }> {
    const { rows } = await this.#db.run(this.#s.acquireShard, req)
    const rangeId = (rows[0] as { range_id: number } | undefined)?.range_id
    if (rangeId === undefined) throw new Error(`acquiring shard ${req.shardId} returned no row`)
    return { rangeId }
  }
}

function prepare(db: PostgresDatabase) {
  const { cluster } = statements(postgresDialect)
  return {
    initMetadata: db.prepare(cluster.initMetadata),
    getMetadata: db.prepare(cluster.getMetadata),
    acquireShard: db.prepare(cluster.acquireShard),
  }
}
