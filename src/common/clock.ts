/**
 * All durable timing goes through a Clock, so that tests and the time-skipping server can run
 * the same code on virtual time.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /**
   * Calls `fn` once the clock reaches `atMs` (or at once if it has passed). The returned handle
   * cancels it. Used for timer queues and long-poll deadlines.
   */
  schedule(atMs: number, fn: () => void): Cancel
}

export type Cancel = () => void

export class RealClock implements Clock {
  now(): number {
    return Date.now()
  }

  schedule(atMs: number, fn: () => void): Cancel {
    // Node caps timers at 2^31-1 ms; longer waits re-arm themselves.
    const maxDelay = 2_147_483_647
    let handle: NodeJS.Timeout
    const arm = (): void => {
      const delay = atMs - Date.now()
      if (delay > maxDelay) handle = setTimeout(arm, maxDelay)
      else handle = setTimeout(fn, Math.max(0, delay))
      handle.unref?.()
    }
    arm()
    return () => clearTimeout(handle)
  }
}

/**
 * Real time plus an offset that only grows: time passes as usual and `advance` jumps it forward,
 * firing at once everything scheduled up to the new time. Tests use it to cross retention
 * periods and long timers; the time-skipping test server uses it to skip idle time.
 */
export class VirtualClock implements Clock {
  #offsetMs = 0
  readonly #pending = new Set<PendingCallback>()
  readonly #real = new RealClock()

  now(): number {
    return Date.now() + this.#offsetMs
  }

  schedule(atMs: number, fn: () => void): Cancel {
    const entry: PendingCallback = { atMs, fn, cancelReal: () => {} }
    this.#pending.add(entry)
    this.#arm(entry)
    return () => {
      entry.cancelReal()
      this.#pending.delete(entry)
    }
  }

  /** Moves time forward by `ms`; callbacks now due run at once, in the order of their times. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('a clock cannot go back')
    this.#offsetMs += ms
    const now = this.now()
    const due: PendingCallback[] = []
    for (const entry of this.#pending) {
      entry.cancelReal()
      if (entry.atMs <= now) due.push(entry)
      else this.#arm(entry)
    }
    due.sort((a, b) => a.atMs - b.atMs)
    for (const entry of due) this.#fire(entry)
  }

  /** A real timer for the real moment the virtual time `atMs` arrives at the current offset. */
  #arm(entry: PendingCallback): void {
    entry.cancelReal = this.#real.schedule(entry.atMs - this.#offsetMs, () => this.#fire(entry))
  }

  #fire(entry: PendingCallback): void {
    if (this.#pending.delete(entry)) entry.fn()
  }
}

interface PendingCallback {
  atMs: number
  fn: () => void
  cancelReal: Cancel
}

/**
 * A signal that aborts when `parent` does or when `clock` reaches `now + ms`, whichever is first.
 * Long polls use it so that virtual time ends them too. `dispose` releases the timer early.
 */
export function deadlineSignal(
  clock: Clock,
  ms: number,
  parent: AbortSignal,
): { signal: AbortSignal; dispose: Cancel } {
  const controller = new AbortController()
  const abort = (): void => controller.abort()
  const cancel = clock.schedule(clock.now() + ms, abort)
  parent.addEventListener('abort', abort, { once: true })
  if (parent.aborted) abort()
  return {
    signal: controller.signal,
    dispose: () => {
      cancel()
      parent.removeEventListener('abort', abort)
    },
  }
}
