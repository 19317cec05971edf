/**
 * Matching: routes workflow and activity tasks from history to polling workers. Tasks arrive
 * after their rows are committed (see HistoryEngine) and at start from the store's backlog. A
 * poll takes a task and asks history to record it started; history's answer (or refusal, for a
 * task that is no longer wanted, whose row is then deleted) ends the poll or sends it back for
 * the next task (service/matching/matcher.go, matching_engine.go).
 */
import type { Logger } from 'pino'
import { deadlineSignal, type Clock } from '../common/clock.js'
import { ensureError } from '../common/errors.js'
import { QueueKind, type QueueTask, type Store } from '../persistence/store.js'
import { TaskQueue, type PollerRecord } from './task-queue.js'

export interface MatchingDeps {
  store: Store
  clock: Clock
  logger: Logger
  /** How long a poll waits for a task before returning empty. */
  longPollMs: number
}

export interface PollRequest<R> {
  namespaceId: string
  taskQueue: string
  kind: QueueKind
  identity: string
  /** Aborted when the caller goes away. */
  signal: AbortSignal
  /** Records the task started; undefined means the task is stale and is dropped. */
  start(task: QueueTask): Promise<R | undefined>
}

const pollerTtlMs = 5 * 60_000

export class MatchingEngine {
  private readonly queues = new Map<string, TaskQueue>()

  constructor(private readonly deps: MatchingDeps) {}

  /** Loads every stored task into its queue (at start, before serving polls). */
  async loadBacklog(): Promise<number> {
    let after = -1
    let count = 0
    for (;;) {
      const { tasks } = await this.deps.store.tasks.listQueueTasks({
        afterTaskId: after,
        limit: 1000,
      })
      if (tasks.length === 0) break
      this.addTasks(tasks)
      count += tasks.length
      after = tasks[tasks.length - 1]!.taskId
    }
    return count
  }

  addTasks(tasks: QueueTask[]): void {
    for (const t of tasks) this.queue(t.namespaceId, t.taskQueue, t.kind).offer(t)
  }

  /**
   * Waits up to the long-poll time for a task that history accepts to start. Resolves undefined
   * when none came. A task taken by a poll whose caller has gone is put back for the next one.
   */
  async poll<R>(req: PollRequest<R>): Promise<R | undefined> {
    const queue = this.queue(req.namespaceId, req.taskQueue, req.kind)
    queue.recordPoller(req.identity, this.deps.clock.now())
    const deadline = deadlineSignal(this.deps.clock, this.deps.longPollMs, req.signal)
    try {
      return await this.pollUntil(queue, req, deadline.signal)
    } finally {
      deadline.dispose()
    }
  }

  private async pollUntil<R>(
    queue: TaskQueue,
    req: PollRequest<R>,
    signal: AbortSignal,
  ): Promise<R | undefined> {
    for (;;) {
      const task = await queue.take(signal)
      if (!task) return undefined
      if (req.signal.aborted) {
        queue.putBack(task)
        return undefined
      }
      let started: R | undefined
      try {
        started = await req.start(task)
      } catch (e: unknown) {
        // History could not record it (e.g. the store is busy): keep the task for another poll.
        queue.putBack(task)
        throw ensureError(e)
      }
      if (started !== undefined) return started
      await this.deps.store.tasks.deleteQueueTasks({ keys: [task] })
    }
  }

  /** Pollers seen in the last few minutes, for DescribeTaskQueue. */
  pollers(namespaceId: string, taskQueue: string, kind: QueueKind): PollerRecord[] {
    const queue = this.queues.get(queueKey(namespaceId, taskQueue, kind))
    if (!queue) return []
    const cutoff = this.deps.clock.now() - pollerTtlMs
    return [...queue.pollers.values()].filter((p) => p.lastAccessTime >= cutoff)
  }

  backlogSize(namespaceId: string, taskQueue: string, kind: QueueKind): number {
    return this.queues.get(queueKey(namespaceId, taskQueue, kind))?.backlogSize ?? 0
  }

  private queue(namespaceId: string, name: string, kind: QueueKind): TaskQueue {
    const key = queueKey(namespaceId, name, kind)
    let q = this.queues.get(key)
    if (!q) this.queues.set(key, (q = new TaskQueue()))
    return q
  }
}

function queueKey(namespaceId: string, name: string, kind: QueueKind): string {
  return `${namespaceId}\u0000${kind}\u0000${name}`
}

export { QueueKind }
