/**
 * One task queue of one kind (workflow or activity) in one namespace: a FIFO backlog of tasks
 * whose rows are in the store, and the long polls waiting for them. A task added while a poll
 * waits goes straight to that poll (sync match); otherwise it waits in the backlog.
 */
import type { QueueTask } from '../persistence/store.js'

interface Waiter {
  resolve(task: QueueTask | undefined): void
}

export interface PollerRecord {
  identity: string
  lastAccessTime: number
}

export class TaskQueue {
  private backlog: QueueTask[] = []
  private head = 0
  private readonly waiters: Waiter[] = []
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

  /** Puts back a task a poll took but could not deliver, ahead of the others. */
  putBack(task: QueueTask): void {
    const waiter = this.waiters.shift()
    if (waiter) waiter.resolve(task)
    else if (this.head > 0) this.backlog[--this.head] = task
    else this.backlog.unshift(task)
  }

  /**
   * The next task, waiting until one arrives or `signal` aborts (then undefined). Ordering
   * contract: tasks are handed out in the order they were offered, polls in the order they came.
   */
  take(signal: AbortSignal): Promise<QueueTask | undefined> {
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

  recordPoller(identity: string, now: number): void {
    this.pollers.set(identity, { identity, lastAccessTime: now })
  }
}
