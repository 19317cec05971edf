/**
 * What a node knows of its cluster, for DescribeCluster and the CLI: the live members, the shard
 * leases, and which member the ring gives each shard to.
 */
import type { MemberRecord, ShardRecord } from '../../persistence/store.js'

/** The roles a node can run (`--services`), as Temporal names its services. */
export const ROLES = ['frontend', 'history', 'matching', 'worker'] as const
export type Role = (typeof ROLES)[number]

export interface ClusterView {
  /** Fixed at the store's first start (`cluster.numHistoryShards`). */
  readonly numHistoryShards: number
  /** This node's own row, as last written. */
  self(): MemberRecord
  /** Live members (heartbeat not expired), by host id, read from the store. */
  members(): Promise<MemberRecord[]>
  /** Every shard's lease as stored (range id and the host id of its holder). */
  shards(): Promise<ShardRecord[]>
}
