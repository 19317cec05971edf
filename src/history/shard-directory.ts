/**
 * The shards a history engine may write: for each workflow id, the lease of its shard, which
 * fences every write (the range id) and allocates task ids. A node holds the leases of the shards
 * the ring gives it (src/server/cluster/); a workflow id in a shard it does not hold is another
 * node's to serve.
 */
import { UnavailableError } from '../common/errors.js'
import type { ShardFence } from '../persistence/store.js'

/** One acquired shard. */
export interface ShardLease extends ShardFence {
  /** A task id unique across every shard of the store (`rangeId * 2^32 + n`). */
  nextTaskId(): number
}

export interface ShardDirectory {
  readonly numHistoryShards: number
  /** The shard of a workflow id (1..numHistoryShards). */
  shardIdFor(namespaceId: string, workflowId: string): number
  /** The lease of the workflow id's shard; throws ShardNotOwnedError when this node lacks it. */
  lease(namespaceId: string, workflowId: string): ShardLease
}

/** A call reached a node that does not hold the shard: the caller should retry (elsewhere). */
export class ShardNotOwnedError extends UnavailableError {
  constructor(readonly shardId: number) {
    super(`shard ${shardId} is not owned by this node`)
  }
}
