/** Cluster metadata, shard ownership and cluster membership on SQLite. */
import type Database from 'better-sqlite3'
import type { ClusterStore, MemberRecord, ShardRecord } from '../store.js'
import { sqliteDialect } from '../sql/dialect.js'
import {
  memberParams,
  toMemberRecord,
  toShardRecord,
  type MemberRow,
  type ShardRow,
} from '../sql/rows.js'
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

  acquireShard(req: { shardId: number; owner?: string }): Promise<{ rangeId: number }> {
    return settle(this.#db, () => {
      const rangeId = this.#s.acquireShard.get({ shardId: req.shardId, owner: req.owner ?? '' })
      if (rangeId === undefined) throw new Error(`acquiring shard ${req.shardId} returned no row`)
      return { rangeId }
    })
  }

  releaseShard(req: { shardId: number; rangeId: number; owner: string }): Promise<void> {
    return settle(this.#db, () => {
      this.#s.releaseShard.run(req)
    })
  }

  listShards(): Promise<{ shards: ShardRecord[] }> {
    return settle(this.#db, () => ({ shards: this.#s.listShards.all().map(toShardRecord) }))
  }

  upsertMember(req: { member: MemberRecord }): Promise<void> {
    return settle(this.#db, () => {
      this.#s.upsertMember.run(memberParams(req.member))
    })
  }

  listMembers(req: { aliveAt: number }): Promise<{ members: MemberRecord[] }> {
    return settle(this.#db, () => ({
      members: this.#s.listMembers.all(req).map(toMemberRecord),
    }))
  }

  deleteMember(req: { hostId: string }): Promise<void> {
    return settle(this.#db, () => {
      this.#s.deleteMember.run(req)
    })
  }

  pruneMembers(req: { expiredBefore: number }): Promise<void> {
    return settle(this.#db, () => {
      this.#s.pruneMembers.run(req)
    })
  }
}

function prepare(db: Database.Database) {
  const { cluster } = statements(sqliteDialect)
  return {
    initMetadata: db.prepare<{ key: string; value: string }, void>(cluster.initMetadata),
    getMetadata: db.prepare<{ key: string }, string>(cluster.getMetadata).pluck(),
    acquireShard: db
      .prepare<{ shardId: number; owner: string }, number>(cluster.acquireShard)
      .pluck(),
    releaseShard: db.prepare<{ shardId: number; rangeId: number; owner: string }, void>(
      cluster.releaseShard,
    ),
    listShards: db.prepare<[], ShardRow>(cluster.listShards),
    upsertMember: db.prepare<ReturnType<typeof memberParams>, void>(cluster.upsertMember),
    listMembers: db.prepare<{ aliveAt: number }, MemberRow>(cluster.listMembers),
    deleteMember: db.prepare<{ hostId: string }, void>(cluster.deleteMember),
    pruneMembers: db.prepare<{ expiredBefore: number }, void>(cluster.pruneMembers),
  }
}
