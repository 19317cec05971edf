/**
 * One task queue of one kind (workflow or activity) in one namespace: a FIFO backlog of tasks
 * whose rows are in the store, the query tasks waiting for a worker (in memory only, as in
 * Temporal's matcher `OfferQuery`), and the long polls waiting for either. A task added while a
 * poll waits goes straight to that poll (sync match); otherwise it waits in the backlog.
 */
import type { pb } from '../common/proto.js'
import type { QueueTask } from '../persistence/store.js'

/**
 * A query for a worker to answer outside a workflow task (a "legacy" query task). Never stored:
 * it lives as long as the QueryWorkflow call waiting for its answer.
 */
export interface QueryTask {
  /** Names the task in the worker's answer (through the task token). */
  queryTaskId: string
  namespaceId: string
  taskQueue: string
  workflowId: string
  runId: string
  query: pb.WorkflowQuery
}

/** What a poll takes: a stored task, or a query task. */
export type MatchedTask = QueueTask | QueryTask

export function isQueryTask(t: MatchedTask): t is QueryTask {
  return 'queryTaskId' in t
}

interface Waiter {
  resolve(task: MatchedTask | undefined): void
}

export interface PollerRecord {
  identity: string
  lastAccessTime: number
}

export class TaskQueue {
  private backlog: QueueTask[] = []
  private head = 0
  private queries: QueryTask[] = []
  private readonly waiters: Waiter[] = []
  private outstandingPolls = 0
  readonly pollers = new Map<string, PollerRecord>()

  get backlogSize(): number {
    return this.backlog.length - this.head
  }

  /** Hands the task to the oldest waiting poll, or queues it. */
  offer(task: QueueTask): void {
    const waiter = this.waiters.shift()
    if (waiter) waiter.resolve(task)
    else this.backlog.push(task)
  }

  /**
   * Hands the query task to the oldest waiting poll, or holds it (ahead of the backlog) until a
   * poll comes. Returns a function that withdraws it if no poll has taken it yet.
   */
  offerQuery(task: QueryTask): () => void {
    const waiter = this.waiters.shift()
    if (waiter) {
      waiter.resolve(task)
    } else {
      this.queries.push(task)
    }
    return () => {
      this.queries = this.queries.filter((q) => q !== task)
    }
  }

  /** Puts back a task a poll took but could not deliver, ahead of the others. */
  putBack(task: MatchedTask): void {
    const waiter = this.waiters.shift()
    if (waiter) waiter.resolve(task)
    else if (isQueryTask(task)) this.queries.unshift(task)
    else if (this.head > 0) this.backlog[--this.head] = task
    else this.backlog.unshift(task)
  }

  /**
   * The next task, waiting until one arrives or `signal` aborts (then undefined). Ordering
   * contract: query tasks first (a caller is waiting on each, and they are cheap), then tasks in
   * the order they were offered; polls are served in the order they came.
   */
  take(signal: AbortSignal): Promise<MatchedTask | undefined> {
    const query = this.queries.shift()
    if (query) return Promise.resolve(query)
    if (this.head < this.backlog.length) {
      const task = this.backlog[this.head]!
      this.backlog[this.head++] = undefined as unknown as QueueTask
      if (this.head > 1024 && this.head * 2 > this.backlog.length) {
        this.backlog = this.backlog.slice(this.head)
        this.head = 0
      }
      return Promise.resolve(task)
    }
    if (signal.aborted) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve: (task) => {
          signal.removeEventListener('abort', onAbort)
          resolve(task)
        },
      }
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
        resolve(undefined)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(waiter)
    })
  }

  /** A poll arrived; pair with {@link pollEnded}. */
  pollStarted(identity: string, now: number): void {
    this.outstandingPolls++
    this.pollers.set(identity, { identity, lastAccessTime: now })
  }

  pollEnded(): void {
    this.outstandingPolls--
  }

  /** Whether a poll is waiting now or one came at or after `time` (HasPollerAfter). */
  hasPollerSince(time: number): boolean {
    if (this.outstandingPolls > 0) return true
    for (const p of this.pollers.values()) if (p.lastAccessTime >= time) return true
    return false
  }

  /**
   * Unloads the queue: waiting polls end empty, and what it held is returned for the caller to
   * route elsewhere. The queue must not be used afterwards.
   */
  close(): { tasks: QueueTask[]; queries: QueryTask[] } {
    for (const w of this.waiters.splice(0)) w.resolve(undefined)
    const tasks = this.backlog.slice(this.head)
    const queries = this.queries
    this.backlog = []
    this.head = 0
    this.queries = []
    return { tasks, queries }
  }
}
