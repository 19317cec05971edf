/**
 * The history shards this node holds: each acquired in the store (which moves its range id and
 * records this node as owner), each fencing the writes of its runs and allocating their task
 * ids from its own range. The `ShardDirectory` the history engine and the internal worker write
 * through.
 */
import { shardIdFor } from '../../common/shard-id.js'
import {
  ShardNotOwnedError,
  type ShardDirectory,
  type ShardLease,
} from '../../history/shard-directory.js'
import type { ClusterStore } from '../../persistence/store.js'

/** Task ids are `rangeId * 2^32 + n`: range ids are unique across shards, so ids are too. */
const TASK_ID_RANGE = 2 ** 32

export interface ShardSetDeps {
  cluster: ClusterStore
  numHistoryShards: number
  /** The host id recorded as each acquired shard's owner. */
  hostId: string
  /** Sees each shard acquired (metrics); a shard acquired again is seen once. */
  onAcquired?: (shardId: number) => void
  /** Sees each shard handed back (metrics). */
  onReleased?: (shardId: number) => void
}

export class ShardSet implements ShardDirectory {
  readonly #deps: ShardSetDeps
  readonly #held = new Map<number, ShardLease>()

  constructor(deps: ShardSetDeps) {
    this.#deps = deps
  }

  get numHistoryShards(): number {
    return this.#deps.numHistoryShards
  }

  shardIdFor(namespaceId: string, workflowId: string): number {
    return shardIdFor(namespaceId, workflowId, this.#deps.numHistoryShards)
  }

  lease(namespaceId: string, workflowId: string): ShardLease {
    const shardId = this.shardIdFor(namespaceId, workflowId)
    const lease = this.#held.get(shardId)
    if (!lease) throw new ShardNotOwnedError(shardId)
    return lease
  }

  /** The shard ids held, in order. */
  held(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b)
  }

  /**
   * Acquires a shard (again, when held: a new range id fences out every write made under the
   * old one). Resolves once the store has recorded it.
   */
  async acquire(shardId: number): Promise<ShardLease> {
    const { rangeId } = await this.#deps.cluster.acquireShard({
      shardId,
      owner: this.#deps.hostId,
    })
    let seq = 0
    const lease: ShardLease = {
      shardId,
      rangeId,
      nextTaskId: () => rangeId * TASK_ID_RANGE + ++seq,
    }
    const again = this.#held.has(shardId)
    this.#held.set(shardId, lease)
    if (!again) this.#deps.onAcquired?.(shardId)
    return lease
  }

  /** Acquires every shard of the store (a node that is alone in its cluster). */
  async acquireAll(): Promise<void> {
    for (let shardId = 1; shardId <= this.#deps.numHistoryShards; shardId++) {
      await this.acquire(shardId)
    }
  }

  /**
   * The held shards whose stored lease moved on (another node acquired them since), read from
   * the store: found on each heartbeat, a lost shard is known before the next write fails on it.
   */
  async lost(): Promise<number[]> {
    const { shards } = await this.#deps.cluster.listShards()
    const stored = new Map(shards.map((s) => [s.shardId, s]))
    return this.held().filter((shardId) => {
      const lease = this.#held.get(shardId)
      const now = stored.get(shardId)
      return lease && (now?.rangeId !== lease.rangeId || now.owner !== this.#deps.hostId)
    })
  }

  /** Hands every held shard back (graceful stop), so the next holder need not wait. */
  async releaseAll(): Promise<void> {
    const leases = [...this.#held.values()]
    this.#held.clear()
    for (const l of leases) {
      await this.#deps.cluster.releaseShard({
        shardId: l.shardId,
        rangeId: l.rangeId,
        owner: this.#deps.hostId,
      })
      this.#deps.onReleased?.(l.shardId)
    }
  }
}
