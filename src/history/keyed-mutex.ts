/**
 * Serialises async work per key: each `run` for a key starts after the previous one for that key
 * settled. History takes one per workflow id, so every change to a run (and to which run is
 * current) happens one at a time, while different workflows proceed in parallel.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>()

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key)
    let release!: () => void
    const mine = new Promise<void>((resolve) => (release = resolve))
    const tail = previous ? previous.then(() => mine) : mine
    this.tails.set(key, tail)
    if (previous) await previous
    try {
      return await fn()
    } finally {
      release()
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}
