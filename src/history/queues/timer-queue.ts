/**
 * Fires durable timers. Timer rows are the truth; this queue holds in memory those due within a
 * look-ahead window, reloads the window as time passes, and deletes a row only after its task
 * ran, so a timer survives a crash at any point (it may then run twice; executors check that it
 * still applies). Rows committed while a window is loading are added by `add` and deduplicated.
 */
import type { Logger } from 'pino'
import type { Cancel, Clock } from '../../common/clock.js'
import { ensureError } from '../../common/errors.js'
import type { Store, TimerTask, TimerTaskKey } from '../../persistence/store.js'
import { TimerHeap } from './timer-heap.js'
import { runLogKeys } from '../../common/log-keys.js'

export interface TimerQueueDeps {
  store: Store
  clock: Clock
  logger: Logger
  execute(task: TimerTask): Promise<void>
  /** Told after each timer ran, or failed and was rescheduled (time skipping listens). */
  onFired?(): void
  /** How far ahead rows are kept in memory. */
  lookaheadMs?: number
}

const pageSize = 1000
const retryDelayMs = 1000

export class TimerQueue {
  private readonly heap = new TimerHeap()
  /** Keys in the heap (or running), to skip duplicates from overlapping loads. */
  private readonly known = new Set<string>()
  /** Keys deleted by history before firing: skipped when popped. */
  private readonly removed = new Set<string>()
  private loadedUntil = 0
  private wake: { at: number; cancel: Cancel } | undefined
  private reload: Cancel | undefined
  private stopped = false
  private readonly lookaheadMs: number

  constructor(private readonly deps: TimerQueueDeps) {
    this.lookaheadMs = deps.lookaheadMs ?? 60_000
  }

  async start(): Promise<void> {
    await this.loadWindow()
  }

  stop(): void {
    this.stopped = true
    this.wake?.cancel()
    this.reload?.()
  }

  /** Timers committed by history; those inside the loaded window join the heap. */
  add(timers: TimerTask[]): void {
    for (const t of timers) {
      if (t.fireTime < this.loadedUntil) this.push(t)
    }
    this.arm()
  }

  remove(keys: TimerTaskKey[]): void {
    for (const k of keys) {
      const id = keyOf(k)
      if (this.known.has(id)) this.removed.add(id)
    }
  }

  private push(t: TimerTask): void {
    const id = keyOf(t)
    if (this.known.has(id)) return
    this.known.add(id)
    this.heap.push(t)
  }

  private async loadWindow(): Promise<void> {
    const from = this.loadedUntil
    const until = this.deps.clock.now() + this.lookaheadMs
    this.loadedUntil = until
    let after: TimerTaskKey | undefined = from > 0 ? { fireTime: from, taskId: -1 } : undefined
    for (;;) {
      const { tasks } = await this.deps.store.tasks.listTimerTasks({
        fireBefore: until,
        after,
        limit: pageSize,
      })
      for (const t of tasks) this.push(t)
      const last = tasks[tasks.length - 1]
      if (!last || tasks.length < pageSize) break
      after = { fireTime: last.fireTime, taskId: last.taskId }
    }
    this.arm()
    if (!this.stopped) {
      this.reload = this.deps.clock.schedule(until - this.lookaheadMs / 2, () => {
        this.loadWindow().catch((e: unknown) => {
          this.deps.logger.error({ err: ensureError(e) }, 'loading timers failed')
          this.loadedUntil = from
        })
      })
    }
  }

  private arm(): void {
    if (this.stopped) return
    const next = this.heap.peek()
    if (!next) return
    if (this.wake && this.wake.at <= next.fireTime) return
    this.wake?.cancel()
    this.wake = {
      at: next.fireTime,
      cancel: this.deps.clock.schedule(next.fireTime, () => {
        this.wake = undefined
        this.fireDue()
      }),
    }
  }

  private fireDue(): void {
    const now = this.deps.clock.now()
    const due: TimerTask[] = []
    for (let t = this.heap.peek(); t && t.fireTime <= now; t = this.heap.peek()) {
      this.heap.pop()
      const id = keyOf(t)
      if (this.removed.delete(id)) {
        this.known.delete(id)
        continue
      }
      due.push(t)
    }
    this.arm()
    for (const t of due) void this.fire(t)
  }

  private async fire(t: TimerTask): Promise<void> {
    const id = keyOf(t)
    try {
      await this.deps.execute(t)
      await this.deps.store.tasks.deleteTimerTasks({
        keys: [{ fireTime: t.fireTime, taskId: t.taskId }],
      })
      this.known.delete(id)
      this.removed.delete(id)
    } catch (e: unknown) {
      if (this.stopped) return
      this.deps.logger.warn(
        { err: ensureError(e), ...runLogKeys(t), timer: t },
        'timer task failed; retrying',
      )
      // Retry the same row later; it stays in `known` so loads do not add it twice.
      this.deps.clock.schedule(this.deps.clock.now() + retryDelayMs, () => void this.fire(t))
    } finally {
      this.deps.onFired?.()
    }
  }
}

function keyOf(k: TimerTaskKey): string {
  return `${k.fireTime}/${k.taskId}`
}
