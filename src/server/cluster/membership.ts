/**
 * Cluster membership through the store (Temporal's SQL `cluster_membership`): each node writes
 * its row at start and again on every heartbeat with an expiry a TTL ahead, and reads the rows of
 * the others. A row past its expiry is a node that is gone (a crash, a lost network); a node that
 * stops cleanly deletes its row, so the others see it leave at their next heartbeat.
 */
import type { Logger } from 'pino'
import { ensureError } from '../../common/errors.js'
import type { ClusterStore, MemberRecord } from '../../persistence/store.js'

/** Temporal's SQL membership heartbeats about once a second; a member lasts a few beats. */
export const DEFAULT_HEARTBEAT_MS = 1_000
export const DEFAULT_MEMBER_TTL_MS = 5_000

export interface MembershipDeps {
  cluster: ClusterStore
  logger: Logger
  /** This node's row, without the times the heartbeat fills in. */
  self: Omit<MemberRecord, 'lastHeartbeat' | 'recordExpiry'>
  heartbeatMs?: number
  ttlMs?: number
  /** Wall-clock time: membership lives in real time, even under a virtual workflow clock. */
  now?: () => number
  /** Sees the live members each time the set of host ids changes. Must not throw. */
  onChange?: (members: readonly MemberRecord[]) => void
  /** Runs after each heartbeat (checks that ride on its rhythm); a throw is logged. */
  afterBeat?: () => Promise<void>
}

export class Membership {
  readonly #deps: MembershipDeps
  readonly #now: () => number
  #self: MemberRecord
  #members: readonly MemberRecord[] = []
  #timer: NodeJS.Timeout | undefined
  #beating: Promise<void> | undefined

  constructor(deps: MembershipDeps) {
    this.#deps = deps
    this.#now = deps.now ?? Date.now
    this.#self = { ...deps.self, lastHeartbeat: 0, recordExpiry: 0 }
  }

  /** This node's row as last written. */
  self(): MemberRecord {
    return this.#self
  }

  /** The live members as of the last heartbeat, this node included, by host id. */
  members(): readonly MemberRecord[] {
    return this.#members
  }

  /** Writes this node's row and reads the others; then heartbeats until stopped. */
  async start(): Promise<void> {
    await this.#beat()
    const every = this.#deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
    this.#timer = setInterval(() => {
      // One heartbeat at a time: a slow store skips beats rather than piling them up.
      this.#beating ??= this.#beat()
        .catch((e: unknown) => {
          this.#deps.logger.warn({ err: ensureError(e) }, 'cluster membership heartbeat failed')
        })
        .finally(() => (this.#beating = undefined))
    }, every)
    this.#timer.unref()
  }

  /** Stops heartbeating and deletes this node's row (a clean leave). */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#beating
    await this.#deps.cluster.deleteMember({ hostId: this.#self.hostId })
  }

  async #beat(): Promise<void> {
    const now = this.#now()
    const ttl = this.#deps.ttlMs ?? DEFAULT_MEMBER_TTL_MS
    const self = { ...this.#self, lastHeartbeat: now, recordExpiry: now + ttl }
    await this.#deps.cluster.upsertMember({ member: self })
    this.#self = self
    const { members } = await this.#deps.cluster.listMembers({ aliveAt: now })
    const before = this.#members.map((m) => m.hostId).join(',')
    this.#members = members
    if (members.map((m) => m.hostId).join(',') !== before) {
      this.#deps.logger.info(
        { members: members.map((m) => `${m.hostId}@${m.internalAddress}`) },
        'cluster membership changed',
      )
      this.#deps.onChange?.(members)
    }
    // Rows of members long gone are dropped, so the table stays the size of the cluster.
    await this.#deps.cluster.pruneMembers({ expiredBefore: now - 10 * ttl })
    await this.#deps.afterBeat?.()
  }
}
