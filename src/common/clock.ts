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
