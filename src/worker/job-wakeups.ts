/**
 * When each of the internal worker's jobs next needs work. The durable record is the job row's
 * `wake_time` (written in the same statement as the job's state); this is its in-memory index,
 * loaded from the store at start, with one clock timer armed for the earliest wake-up. A job
 * whose wake time is 0 is not here at all, so 10,000 paused schedules cost no timer and no CPU.
 */
import type { Logger } from 'pino'
import type { Cancel, Clock } from '../common/clock.js'
import { ensureError } from '../common/errors.js'
import type { JobKey, JobStore } from '../persistence/store.js'

export interface JobWakeupsDeps {
  clock: Clock
  logger: Logger
  /**
   * Does the job's due work. It must write the job's next wake time (and call `set` with it);
   * a rejection is logged and the job tried again after {@link RETRY_DELAY_MS}.
   */
  wake(key: JobKey): Promise<void>
}

/** Wait before a job whose wake-up failed (the store unavailable, say) is tried again. */
export const RETRY_DELAY_MS = 2_000
/** Jobs read per page at start. */
const LOAD_PAGE = 1000

export class JobWakeups {
  readonly #deps: JobWakeupsDeps
  /** Wake time by job key string. */
  readonly #due = new Map<string, { key: JobKey; at: number }>()
  /** (time, key) pairs, ordered by time; stale ones (no longer in #due at that time) are skipped. */
  readonly #heap: { at: number; id: string }[] = []
  #armedAt = Infinity
  #cancel: Cancel | undefined
  #stopped = false

  constructor(deps: JobWakeupsDeps) {
    this.#deps = deps
  }

  /** Reads every job with a wake time from the store. */
  async load(store: JobStore): Promise<void> {
    let after: JobKey | undefined
    for (;;) {
      const { jobs } = await store.listWakingJobs({ after, limit: LOAD_PAGE })
      for (const j of jobs) this.set(j, j.wakeTime)
      if (jobs.length < LOAD_PAGE) break
      after = jobs.at(-1)
    }
  }

  /** Wakes `key` at `at` (ms since the epoch) instead of any earlier setting; 0: never. */
  set(key: JobKey, at: number): void {
    const id = jobId(key)
    if (at <= 0) {
      this.#due.delete(id)
      return
    }
    this.#due.set(id, {
      key: { namespaceId: key.namespaceId, kind: key.kind, jobId: key.jobId },
      at,
    })
    push(this.#heap, { at, id })
    if (at < this.#armedAt) this.#arm()
  }

  /** Jobs with a wake-up ahead (for tests and metrics). */
  get size(): number {
    return this.#due.size
  }

  stop(): void {
    this.#stopped = true
    this.#cancel?.()
  }

  #arm(): void {
    this.#cancel?.()
    this.#cancel = undefined
    this.#armedAt = Infinity
    if (this.#stopped) return
    // Drop stale heap entries so the timer is armed for a real wake-up.
    for (let top = this.#heap[0]; top; top = this.#heap[0]) {
      if (this.#due.get(top.id)?.at === top.at) break
      pop(this.#heap)
    }
    const top = this.#heap[0]
    if (!top) return
    this.#armedAt = top.at
    this.#cancel = this.#deps.clock.schedule(top.at, () => this.#fire())
  }

  #fire(): void {
    this.#armedAt = Infinity
    const now = this.#deps.clock.now()
    for (let top = this.#heap[0]; top && top.at <= now; top = this.#heap[0]) {
      pop(this.#heap)
      const entry = this.#due.get(top.id)
      if (entry?.at !== top.at) continue
      this.#due.delete(top.id)
      void this.#deps.wake(entry.key).catch((e: unknown) => {
        this.#deps.logger.warn({ err: ensureError(e), job: entry.key }, 'job wake-up failed')
        // Unless the job set a new time itself before failing, try it again soon.
        if (!this.#due.has(top.id)) this.set(entry.key, this.#deps.clock.now() + RETRY_DELAY_MS)
      })
    }
    this.#arm()
  }
}

function jobId(key: JobKey): string {
  return `${key.namespaceId}\u0000${key.kind}\u0000${key.jobId}`
}

type Entry = { at: number; id: string }

function push(heap: Entry[], e: Entry): void {
  heap.push(e)
  let i = heap.length - 1
  while (i > 0) {
    const parent = (i - 1) >> 1
    if (heap[parent]!.at <= heap[i]!.at) break
    ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
    i = parent
  }
}

function pop(heap: Entry[]): void {
  const last = heap.pop()
  if (heap.length === 0 || !last) return
  heap[0] = last
  let i = 0
  for (;;) {
    const l = 2 * i + 1
    const r = l + 1
    let m = i
    if (l < heap.length && heap[l]!.at < heap[m]!.at) m = l
    if (r < heap.length && heap[r]!.at < heap[m]!.at) m = r
    if (m === i) return
    ;[heap[i], heap[m]] = [heap[m]!, heap[i]!]
    i = m
  }
}
