/**
 * Mutable state of recent runs, least recently used first out, bounded both by count and by the
 * size of the runs' committed JSON: a count alone lets a few thousand large runs (big memos,
 * many pending activities) hold hundreds of megabytes.
 */

export interface RunCacheLimits {
  maxRuns: number
  /** Sum of the entries' sizes (their committed JSON's length). */
  maxBytes: number
}

export const DEFAULT_RUN_CACHE_LIMITS: RunCacheLimits = {
  maxRuns: 10_000,
  maxBytes: 64 * 1024 * 1024,
}

export class RunCache<V extends { json: string }> {
  readonly #entries = new Map<string, V>()
  #bytes = 0

  constructor(private readonly limits: RunCacheLimits = DEFAULT_RUN_CACHE_LIMITS) {}

  get size(): number {
    return this.#entries.size
  }

  /** Characters of JSON held (about bytes: the JSON is mostly ASCII). */
  get bytes(): number {
    return this.#bytes
  }

  /** The entry, now the most recently used. */
  get(id: string): V | undefined {
    const hit = this.#entries.get(id)
    if (hit) {
      this.#entries.delete(id)
      this.#entries.set(id, hit)
    }
    return hit
  }

  /** Adds or replaces, then drops the least recently used entries beyond the limits. */
  set(id: string, value: V): void {
    this.delete(id)
    this.#entries.set(id, value)
    this.#bytes += value.json.length
    for (const [oldest, old] of this.#entries) {
      if (this.#entries.size <= this.limits.maxRuns && this.#bytes <= this.limits.maxBytes) break
      // The newest entry stays even alone over the byte limit: the run is in use right now.
      if (oldest === id) break
      this.#entries.delete(oldest)
      this.#bytes -= old.json.length
    }
  }

  delete(id: string): void {
    const old = this.#entries.get(id)
    if (!old) return
    this.#entries.delete(id)
    this.#bytes -= old.json.length
  }

  clear(): void {
    this.#entries.clear()
    this.#bytes = 0
  }
}
