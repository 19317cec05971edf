/**
 * Matching: routes workflow and activity tasks from history to polling workers. Tasks arrive
 * after their rows are committed (see HistoryEngine) and at start from the store's backlog. A
 * poll takes a task and asks history to record it started; history's answer (or refusal, for a
 * task that is no longer wanted, whose row is then deleted) ends the poll or sends it back for
 * the next task (service/matching/matcher.go, matching_engine.go).
 *
 * Two kinds of work never touch the store: query tasks, which live as long as the QueryWorkflow
 * call waiting for their answer, and the routing of a sticky queue's tasks to the normal queue
 * while the worker that owns the sticky queue is away (see sticky.ts).
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { deadlineSignal, type Clock } from '../common/clock.js'
import {
  DeadlineExceededError,
  StickyWorkerUnavailableError,
  ensureError,
} from '../common/errors.js'
import type { pb } from '../common/proto.js'
import type { MetricsBacklog, MetricsTaskQueue, ServerMetrics } from '../common/server-metrics.js'
import { QueueKind, type QueueTask, type Store } from '../persistence/store.js'
import { PendingQueries, type QueryTaskAnswer } from './query-tasks.js'
import { stickyPollerUnavailableWindowMs } from './sticky.js'
import { TaskQueue, isQueryTask, type PollerRecord, type QueryTask } from './task-queue.js'

export interface MatchingDeps {
  store: Store
  clock: Clock
  logger: Logger
  /** How long a poll waits for a task before returning empty. */
  longPollMs: number
  /** Reports polls, schedule-to-start latency and backlogs; none by default. */
  metrics?: ServerMetrics
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
  /**
   * Builds the response for a query task (workflow polls only). A throw goes to the query's
   * caller, and the poll goes on waiting.
   */
  startQuery?(task: QueryTask): Promise<R>
}

/** A query for matching to hand to a worker (matchingservice QueryWorkflowRequest). */
export interface QueryDispatch {
  namespaceId: string
  taskQueue: string
  /** A sticky queue is refused at once (StickyWorkerUnavailable) when its worker is away. */
  sticky: boolean
  workflowId: string
  runId: string
  query: pb.WorkflowQuery
  /** Ends the wait with DeadlineExceeded. */
  signal: AbortSignal
}

const pollerTtlMs = 5 * 60_000

export class MatchingEngine {
  private readonly queues = new Map<string, TaskQueue>()
  private readonly pendingQueries = new PendingQueries()
  /**
   * Sticky queues' normal queue names, learned from the routing hint of the tasks sent to them,
   * so that metrics label a sticky queue by its family, as Temporal does, not by a per-worker name.
   */
  private readonly stickyNormalNames = new Map<string, string>()

  constructor(private readonly deps: MatchingDeps) {
    deps.metrics?.setBacklogSource(() => this.backlogs())
  }

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

  /**
   * Queues tasks committed by history. A task for a sticky queue whose worker is away goes to the
   * normal queue instead; its row keeps the sticky name, which is only an address for deletion
   * (transferQueueActiveTaskExecutor.processWorkflowTask's StickyWorkerUnavailable fallback).
   */
  addTasks(tasks: QueueTask[]): void {
    for (const t of tasks) {
      const name =
        t.stickyNormalName !== undefined && !this.stickyWorkerAvailable(t.namespaceId, t.taskQueue)
          ? t.stickyNormalName
          : t.taskQueue
      if (this.deps.metrics && name !== t.stickyNormalName && t.stickyNormalName !== undefined) {
        this.stickyNormalNames.set(queueKey(t.namespaceId, name, t.kind), t.stickyNormalName)
      }
      this.queue(t.namespaceId, name, t.kind).offer(t)
    }
  }

  /**
   * Sends a query task to a worker polling `taskQueue` and waits for its answer
   * (matching_engine.go QueryWorkflow). Throws StickyWorkerUnavailableError for a sticky queue
   * nobody polls, DeadlineExceededError when `signal` aborts first.
   */
  async queryWorkflow(req: QueryDispatch): Promise<QueryTaskAnswer> {
    if (req.sticky && !this.stickyWorkerAvailable(req.namespaceId, req.taskQueue)) {
      throw new StickyWorkerUnavailableError()
    }
    if (req.signal.aborted) throw queryTimedOut()
    const task: QueryTask = {
      queryTaskId: randomUUID(),
      namespaceId: req.namespaceId,
      taskQueue: req.taskQueue,
      workflowId: req.workflowId,
      runId: req.runId,
      query: req.query,
    }
    const answer = this.pendingQueries.wait(task.queryTaskId)
    const withdraw = this.queue(req.namespaceId, req.taskQueue, QueueKind.Workflow).offerQuery(task)
    const onAbort = (): void => {
      withdraw()
      this.pendingQueries.fail(task.queryTaskId, queryTimedOut())
    }
    req.signal.addEventListener('abort', onAbort, { once: true })
    try {
      return await answer
    } finally {
      req.signal.removeEventListener('abort', onAbort)
      withdraw()
    }
  }

  /** A worker's answer to a query task; NotFound when its caller stopped waiting. */
  respondQueryTaskCompleted(queryTaskId: string, answer: QueryTaskAnswer): void {
    this.pendingQueries.answer(queryTaskId, answer)
  }

  /**
   * Unloads a worker's sticky queue when the worker shuts down (ShutdownWorker's
   * ForceUnloadTaskQueuePartition): its polls end, its runs' tasks move to their normal queues
   * now instead of after the sticky schedule-to-start timeout, and queries waiting there fail
   * over to the normal queue too.
   */
  unloadStickyQueue(namespaceId: string, name: string): void {
    const key = queueKey(namespaceId, name, QueueKind.Workflow)
    this.stickyNormalNames.delete(key)
    const queue = this.queues.get(key)
    if (!queue) return
    this.queues.delete(key)
    const { tasks, queries } = queue.close()
    for (const t of tasks) {
      // Without a hint (loaded from the store) the task waits for its schedule-to-start timer.
      if (t.stickyNormalName !== undefined) {
        this.queue(namespaceId, t.stickyNormalName, t.kind).offer(t)
      }
    }
    for (const q of queries) {
      this.pendingQueries.fail(q.queryTaskId, new StickyWorkerUnavailableError())
    }
  }

  /** A poll waits on the sticky queue now, or one came within the last 10 s. */
  stickyWorkerAvailable(namespaceId: string, name: string): boolean {
    const queue = this.queues.get(queueKey(namespaceId, name, QueueKind.Workflow))
    const since = this.deps.clock.now() - stickyPollerUnavailableWindowMs
    return queue?.hasPollerSince(since) ?? false
  }

  /**
   * Waits up to the long-poll time for a task that history accepts to start. Resolves undefined
   * when none came. A task taken by a poll whose caller has gone is put back for the next one.
   */
  async poll<R>(req: PollRequest<R>): Promise<R | undefined> {
    const queue = this.queue(req.namespaceId, req.taskQueue, req.kind)
    queue.pollStarted(req.identity, this.deps.clock.now())
    const deadline = deadlineSignal(this.deps.clock, this.deps.longPollMs, req.signal)
    try {
      const result = await this.pollUntil(queue, req, deadline.signal)
      // A poll whose caller went away is neither; Temporal counts expired polls as timeouts.
      if (result !== undefined || !req.signal.aborted) {
        this.deps.metrics?.pollEnded(this.metricsQueue(req), result !== undefined)
      }
      return result
    } finally {
      queue.pollEnded()
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
      if (isQueryTask(task)) {
        const response = await this.startQuery(task, req)
        if (response !== undefined) return response
        continue
      }
      let started: R | undefined
      try {
        started = await req.start(task)
      } catch (e: unknown) {
        // History could not record it (e.g. the store is busy): keep the task for another poll.
        queue.putBack(task)
        throw ensureError(e)
      }
      if (started !== undefined) {
        this.deps.metrics?.taskDispatched(
          this.metricsQueue(req),
          this.deps.clock.now() - task.createdTime,
        )
        return started
      }
      await this.deps.store.tasks.deleteQueueTasks({ keys: [task] })
    }
  }

  /** Builds a query task's response; a failure goes to the query's caller, not the poller. */
  private async startQuery<R>(task: QueryTask, req: PollRequest<R>): Promise<R | undefined> {
    try {
      if (!req.startQuery) throw new Error('query task on a poll that cannot take one')
      return await req.startQuery(task)
    } catch (e: unknown) {
      this.pendingQueries.fail(task.queryTaskId, ensureError(e))
      return undefined
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

  /** How metrics label a queue: by its normal name, with a sticky flag. */
  private metricsQueue(q: {
    namespaceId: string
    taskQueue: string
    kind: QueueKind
  }): MetricsTaskQueue {
    const normal = this.stickyNormalNames.get(queueKey(q.namespaceId, q.taskQueue, q.kind))
    return {
      namespaceId: q.namespaceId,
      taskQueue: normal ?? q.taskQueue,
      kind: q.kind,
      sticky: normal !== undefined,
    }
  }

  /** Every loaded queue's backlog, read when metrics are scraped. */
  private *backlogs(): Iterable<MetricsBacklog> {
    for (const [key, queue] of this.queues) {
      const [namespaceId = '', kind, taskQueue = ''] = key.split('\u0000')
      const k = kind === String(QueueKind.Activity) ? QueueKind.Activity : QueueKind.Workflow
      yield { ...this.metricsQueue({ namespaceId, taskQueue, kind: k }), count: queue.backlogSize }
    }
  }

  private queue(namespaceId: string, name: string, kind: QueueKind): TaskQueue {
    const key = queueKey(namespaceId, name, kind)
    let q = this.queues.get(key)
    if (!q) this.queues.set(key, (q = new TaskQueue()))
    return q
  }
}

function queryTimedOut(): DeadlineExceededError {
  return new DeadlineExceededError('query timed out before a worker could process it')
}

function queueKey(namespaceId: string, name: string, kind: QueueKind): string {
  return `${namespaceId}\u0000${kind}\u0000${name}`
}

export { QueueKind }
