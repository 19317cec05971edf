/** Cluster metadata, shard ownership and cluster membership on PostgreSQL. */
import { postgresDialect } from '../sql/dialect.js'
import {
  memberParams,
  toMemberRecord,
  toShardRecord,
  type MemberRow,
  type ShardRow,
} from '../sql/rows.js'
import { statements } from '../sql/statements.js'
import type { ClusterStore, MemberRecord, ShardRecord } from '../store.js'
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

  async acquireShard(req: { shardId: number; owner?: string }): Promise<{ rangeId: number }> {
    const { rows } = await this.#db.run(this.#s.acquireShard, {
      shardId: req.shardId,
      owner: req.owner ?? '',
    })
    const rangeId = (rows[0] as { range_id: number | string } | undefined)?.range_id
    if (rangeId === undefined) throw new Error(`acquiring shard ${req.shardId} returned no row`)
    return { rangeId: Number(rangeId) }
  }

  async releaseShard(req: { shardId: number; rangeId: number; owner: string }): Promise<void> {
    await this.#db.run(this.#s.releaseShard, req)
  }

  async listShards(): Promise<{ shards: ShardRecord[] }> {
    const { rows } = await this.#db.run(this.#s.listShards)
    return { shards: (rows as ShardRow[]).map(toShardRecord) }
  }

  async upsertMember(req: { member: MemberRecord }): Promise<void> {
    await this.#db.run(this.#s.upsertMember, memberParams(req.member))
  }

  async listMembers(req: { aliveAt: number }): Promise<{ members: MemberRecord[] }> {
    const { rows } = await this.#db.run(this.#s.listMembers, req)
    return { members: (rows as MemberRow[]).map(toMemberRecord) }
  }

  async deleteMember(req: { hostId: string }): Promise<void> {
    await this.#db.run(this.#s.deleteMember, req)
  }

  async pruneMembers(req: { expiredBefore: number }): Promise<void> {
    await this.#db.run(this.#s.pruneMembers, req)
  }
}

function prepare(db: PostgresDatabase) {
  const { cluster } = statements(postgresDialect)
  return {
    initMetadata: db.prepare(cluster.initMetadata),
    getMetadata: db.prepare(cluster.getMetadata),
    acquireShard: db.prepare(cluster.acquireShard),
    releaseShard: db.prepare(cluster.releaseShard),
    listShards: db.prepare(cluster.listShards),
    upsertMember: db.prepare(cluster.upsertMember),
    listMembers: db.prepare(cluster.listMembers),
    deleteMember: db.prepare(cluster.deleteMember),
    pruneMembers: db.prepare(cluster.pruneMembers),
  }
}
