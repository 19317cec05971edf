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
