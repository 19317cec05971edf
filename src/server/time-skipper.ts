/**
 * Time skipping, as Temporal's test server does it (sdk-java `SelfAdvancingTimerImpl`): virtual
 * time runs at the speed of real time, and whenever nothing is happening it jumps straight to the
 * next durable timer, so a workflow that sleeps 30 days finishes in milliseconds.
 *
 * "Nothing is happening" means all of:
 * - skipping is unlocked: the lock count is 0. It starts at 1 (the test server starts locked
 *   unless `--enable-time-skipping`); the SDK's time-skipping client unlocks while it waits on a
 *   workflow result and `env.sleep` unlocks for its duration. A client waiting on an update's
 *   outcome also counts as an unlock: the SDK does not unlock for updates, so with Temporal's own
 *   test server an update whose handler sleeps waits in real time.
 * - no run has work outstanding: a workflow task scheduled or started, or an activity pending
 *   (Temporal's test server locks skipping for each of those in the same way). A worker is then
 *   busy, or about to be, and its progress must not be overtaken by time.
 * - no timer is due but not yet executed (transfer work such as starting a child is a timer due
 *   now, so it counts too).
 *
 * The next target is the earliest of the stored timers and the `sleepUntil` waits. Retention
 * timers never exist here: the time-skipping server keeps closed runs (see createServer).
 */
import type { Logger } from 'pino'
import type { VirtualClock } from '../common/clock.js'
import { FailedPreconditionError } from '../common/errors.js'
import { WorkflowExecutionStatus } from '../common/proto.js'
import type { MutableStateData } from '../history/mutable-state/state.js'
import type { RunKey, TaskStore } from '../persistence/store.js'

export interface TimeSkipperDeps {
  clock: VirtualClock
  /** Where the durable timers are: the earliest one is the next place to skip to. */
  tasks: TaskStore
  logger: Logger
  /** Start with skipping unlocked (`--enable-time-skipping`); default locked. */
  startUnlocked?: boolean
}

export class TimeSkipper {
  readonly #deps: TimeSkipperDeps
  #locks: number
  /** Clients waiting on an update's outcome; each counts as an unlock while it waits. */
  #outcomeWaiters = 0
  /** Runs with a workflow task or an activity outstanding. */
  readonly #busyRuns = new Set<string>()
  /** Virtual times that `sleepUntil` callers wait for. */
  readonly #sleepers = new Map<symbol, number>()
  #checking = false
  #recheck = false
  #scheduled = false
  #stopped = false

  constructor(deps: TimeSkipperDeps) {
    this.#deps = deps
    this.#locks = deps.startUnlocked ? 0 : 1
  }

  /** Virtual now. */
  now(): number {
    return this.#deps.clock.now()
  }

  lock(): void {
    this.#locks++
  }

  /** Throws FailedPreconditionError when skipping is not locked. */
  unlock(): void {
    if (this.#locks === 0) {
      throw new FailedPreconditionError('time skipping is not locked: unlock without lock')
    }
    this.#locks--
    this.#requestCheck()
  }

  /** Resolves once virtual time reaches `atMs` (at once if it has); does not unlock. */
  sleepUntil(atMs: number): Promise<void> {
    if (atMs <= this.now()) return Promise.resolve()
    const id = Symbol('sleeper')
    this.#sleepers.set(id, atMs)
    this.#requestCheck()
    return new Promise((resolve) => {
      this.#deps.clock.schedule(atMs, () => {
        this.#sleepers.delete(id)
        resolve()
      })
    })
  }

  /**
   * Unlocks skipping until virtual time has advanced by `ms`, then locks it again at that very
   * moment (before anything else can skip past it), as `env.sleep` expects.
   */
  async unlockWithSleep(ms: number): Promise<void> {
    const until = this.now() + Math.max(0, ms)
    const id = Symbol('unlock-with-sleep')
    this.#sleepers.set(id, until)
    const woke = new Promise<void>((resolve) => {
      this.#deps.clock.schedule(until, () => {
        this.#sleepers.delete(id)
        this.lock()
        resolve()
      })
    })
    this.unlock()
    await woke
  }

  /** Called by history after every commit with the run's new state. */
  runCommitted(key: RunKey, data: MutableStateData): void {
    const id = `${key.namespaceId}/${key.workflowId}/${key.runId}`
    if (hasOutstandingWork(data)) {
      this.#busyRuns.add(id)
    } else if (this.#busyRuns.delete(id) && this.#busyRuns.size === 0) {
      this.#requestCheck()
    }
  }

  /** Called by history when a client starts (+1) or stops (-1) waiting for an update outcome. */
  outcomeWaiters(delta: 1 | -1): void {
    this.#outcomeWaiters += delta
    if (delta > 0) this.#requestCheck()
  }

  /** Called by the timer queue after it ran (or failed to run) a timer. */
  timerFired(): void {
    this.#requestCheck()
  }

  stop(): void {
    this.#stopped = true
  }

  #idle(): boolean {
    return !this.#stopped && this.#locks - this.#outcomeWaiters <= 0 && this.#busyRuns.size === 0
  }

  /** Coalesces the triggers of one event-loop turn into one check. */
  #requestCheck(): void {
    if (this.#scheduled || this.#stopped) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      void this.#check()
    })
  }

  async #check(): Promise<void> {
    if (this.#checking) {
      this.#recheck = true
      return
    }
    this.#checking = true
    try {
      do {
        this.#recheck = false
        await this.#skipOnce()
      } while (this.#recheck)
    } catch (e: unknown) {
      this.#deps.logger.error({ err: e }, 'time skipping check failed')
    } finally {
      this.#checking = false
    }
  }

  /**
   * Jumps to the next target if idle. What the jump fires (a timer, a sleeper) makes something
   * happen, and that triggers the next check, so one jump per check is enough.
   */
  async #skipOnce(): Promise<void> {
    if (!this.#idle()) return
    const { tasks } = await this.#deps.tasks.listTimerTasks({
      fireBefore: Number.MAX_SAFE_INTEGER,
      limit: 1,
    })
    // The store read yielded: anything may have changed meanwhile.
    if (!this.#idle()) return
    let target = tasks[0]?.fireTime ?? Infinity
    for (const at of this.#sleepers.values()) target = Math.min(target, at)
    const now = this.now()
    // A timer already due is being executed; its completion asks for the next check.
    if (target === Infinity || target <= now) return
    this.#deps.logger.debug({ from: now, to: target }, 'skipping time')
    this.#deps.clock.advance(target - now)
  }
}

function hasOutstandingWork(data: MutableStateData): boolean {
  return (
    data.status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING &&
    (data.workflowTask !== undefined || Object.keys(data.activities).length > 0)
  )
}
