/**
 * The QueryWorkflow calls waiting for a worker's answer to a query task, keyed by query task id
 * (matching_engine.go `queryResults`). A waiter ends with the worker's answer, with an error
 * (the poll could not build the task, the sticky queue was unloaded), or when its caller gives up.
 */
import { NotFoundError } from '../common/errors.js'
import type { temporal } from '../common/proto.js'

/** The worker's answer, as RespondQueryTaskCompleted carries it. */
export type QueryTaskAnswer = Pick<
  temporal.api.workflowservice.v1.IRespondQueryTaskCompletedRequest,
  'completedType' | 'queryResult' | 'errorMessage' | 'failure'
>

interface Waiter {
  resolve(answer: QueryTaskAnswer): void
  reject(e: Error): void
}

export class PendingQueries {
  private readonly waiters = new Map<string, Waiter>()

  /** Registers a waiter for `queryTaskId`; it is removed when it settles. */
  wait(queryTaskId: string): Promise<QueryTaskAnswer> {
    return new Promise((resolve, reject) => {
      this.waiters.set(queryTaskId, { resolve, reject })
    })
  }

  /** Delivers the worker's answer; NotFound when nobody waits any more (Temporal's message). */
  answer(queryTaskId: string, answer: QueryTaskAnswer): void {
    const w = this.take(queryTaskId)
    if (!w) throw new NotFoundError('query task not found, or already expired')
    w.resolve(answer)
  }

  /** Ends the wait with `error`; a no-op when it already ended. */
  fail(queryTaskId: string, error: Error): void {
    this.take(queryTaskId)?.reject(error)
  }

  private take(queryTaskId: string): Waiter | undefined {
    const w = this.waiters.get(queryTaskId)
    this.waiters.delete(queryTaskId)
    return w
  }
}
