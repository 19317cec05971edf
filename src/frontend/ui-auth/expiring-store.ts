/**
 * An in-memory map whose entries expire: the UI server's sessions and its logins in progress.
 * Entries are read back only through `get`/`take`, which never return an expired one; expired
 * entries are also swept out as new ones come in, so an idle process does not hold them forever.
 *
 * Every entry of one store has the same lifetime, so the Map's insertion order is also expiry
 * order: a sweep stops at the first live entry, and dropping the oldest entry at the size cap
 * drops the one closest to expiring.
 */

export interface ExpiringStoreOptions {
  /** How long an entry lives, in milliseconds from `set`. */
  ttlMs: number
  /**
   * At most this many entries; adding one more drops the oldest. Bounds what unauthenticated
   * callers can make the store hold (anyone can start a login).
   */
  maxEntries: number
  /** Milliseconds since the epoch; injectable so tests can pass time without waiting. */
  now: () => number
}

interface Entry<V> {
  value: V
  expiresAt: number
}

export class ExpiringStore<V> {
  readonly #entries = new Map<string, Entry<V>>()
  readonly #opts: ExpiringStoreOptions

  constructor(opts: ExpiringStoreOptions) {
    this.#opts = opts
  }

  /** How many entries are held, expired ones not yet swept included. */
  get size(): number {
    return this.#entries.size
  }

  /** Stores `value` under `key` for the store's lifetime; returns when it expires. */
  set(key: string, value: V): number {
    const now = this.#opts.now()
    this.#sweep(now)
    // Re-inserting keeps insertion order equal to expiry order.
    this.#entries.delete(key)
    while (this.#entries.size >= this.#opts.maxEntries) {
      const oldest = this.#entries.keys().next()
      if (oldest.done) break
      this.#entries.delete(oldest.value)
    }
    const expiresAt = now + this.#opts.ttlMs
    this.#entries.set(key, { value, expiresAt })
    return expiresAt
  }

  /** The live value under `key`, if any. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= this.#opts.now()) {
      this.#entries.delete(key)
      return undefined
    }
    return entry.value
  }

  /** `get` and `delete` in one: for values that may be used once (a login's state). */
  take(key: string): V | undefined {
    const value = this.get(key)
    this.#entries.delete(key)
    return value
  }

  delete(key: string): void {
    this.#entries.delete(key)
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) break
      this.#entries.delete(key)
    }
  }
}
