/**
 * Committed history batches of recent runs, kept in memory so that the reads on a workflow's hot
 * path (the poll response's history, the activity's scheduled event, the close event a client
 * waits for) do not go back to the store for what this process has just written.
 *
 * A run is cached only from its first batch on, as its transactions commit, so a cached run's
 * history is complete and in order: the workflow id's lock serialises a run's commits. A run whose
 * history grows past `maxRunBytes` is dropped (long histories are read from the store, in pages),
 * and the least recently used runs go once the whole cache passes `maxBytes`.
 */
import type { HistoryBatch } from '../persistence/store.js'

interface CachedHistory {
  batches: HistoryBatch[]
  bytes: number
  /** Id of the event after the last cached batch. */
  nextEventId: number
}

export interface HistoryCacheLimits {
  /** All runs together, in encoded bytes. */
  maxBytes: number
  /** One run; a longer history is not cached. */
  maxRunBytes: number
}

export const DEFAULT_HISTORY_CACHE_LIMITS: HistoryCacheLimits = {
  maxBytes: 16 * 1024 * 1024,
  maxRunBytes: 256 * 1024,
}

export class HistoryCache {
  readonly #runs = new Map<string, CachedHistory>()
  #bytes = 0

  constructor(private readonly limits: HistoryCacheLimits = DEFAULT_HISTORY_CACHE_LIMITS) {}

  /** Total encoded bytes held. */
  get bytes(): number {
    return this.#bytes
  }

  /**
   * Records batches that have committed. A run is taken in when its first batch (event 1)
   * arrives; batches that do not continue a cached run exactly drop it.
   */
  committed(runId: string, batches: readonly HistoryBatch[]): void {
    const first = batches[0]
    if (!first) return
    let run = this.#runs.get(runId)
    if (run) {
      this.#runs.delete(runId)
      if (first.firstEventId !== run.nextEventId) {
        this.#bytes -= run.bytes
        return
      }
    } else {
      if (first.firstEventId !== 1) return
      run = { batches: [], bytes: 0, nextEventId: 1 }
    }
    for (const b of batches) {
      run.batches.push(ownBuffer(b))
      run.bytes += b.data.length
      this.#bytes += b.data.length
      run.nextEventId = b.lastEventId + 1
    }
    if (run.bytes > this.limits.maxRunBytes) {
      this.#bytes -= run.bytes
      return
    }
    this.#runs.set(runId, run)
    for (const [oldest, r] of this.#runs) {
      if (this.#bytes <= this.limits.maxBytes) break
      this.#runs.delete(oldest)
      this.#bytes -= r.bytes
    }
  }

  /**
   * Up to `maxBatches` batches overlapping [minEventId, maxEventId), as the store's readHistory
   * returns them, or undefined when the run is not cached.
   */
  read(
    runId: string,
    minEventId: number,
    maxEventId: number,
    maxBatches: number,
  ): { batches: HistoryBatch[]; more: boolean } | undefined {
    const run = this.#runs.get(runId)
    if (!run) return undefined
    const out: HistoryBatch[] = []
    let more = false
    for (let i = firstEndingAtOrAfter(run.batches, minEventId); i < run.batches.length; i++) {
      const b = run.batches[i]!
      if (b.firstEventId >= maxEventId) break
      if (out.length === maxBatches) {
        more = true
        break
      }
      out.push(b)
    }
    return { batches: out, more }
  }

  /** Forgets a run (deleted, or its history rewritten). */
  forget(runId: string): void {
    const run = this.#runs.get(runId)
    if (!run) return
    this.#runs.delete(runId)
    this.#bytes -= run.bytes
  }
}

/** Index of the first batch whose last event is at or after `eventId` (binary search). */
function firstEndingAtOrAfter(batches: readonly HistoryBatch[], eventId: number): number {
  let lo = 0
  let hi = batches.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (batches[mid]!.lastEventId < eventId) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * The batch with data in a buffer of its own. Encoders hand out small results as views into a
 * shared 8 KiB pool slab, and a cached view would keep the whole slab alive long after the rest
 * of it was garbage: the cache would hold many times the bytes it counts.
 */
function ownBuffer(b: HistoryBatch): HistoryBatch {
  const { data } = b
  // new Uint8Array(view) copies; Buffer's slice() would return another view.
  return data.byteLength === data.buffer.byteLength ? b : { ...b, data: new Uint8Array(data) }
}
