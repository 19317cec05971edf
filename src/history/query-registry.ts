/**
 * Queries waiting for a run's next workflow task (Temporal's consistent queries,
 * service/history/workflow/query_registry.go). A query that arrives while a workflow task is
 * scheduled or running must see that task's events, so it is buffered here, handed to the worker
 * with the next task that starts (PollWorkflowTaskQueueResponse.queries), and answered from that
 * task's RespondWorkflowTaskCompleted.queryResults. If the task completes without answering it and
 * no further task follows, the query is unblocked and sent to the worker as a query task.
 *
 * Queries live only in memory, as in Temporal: they are not part of the run's durable state, and
 * a caller whose server restarts simply retries.
 */
import { randomUUID } from 'node:crypto'
import type { pb } from '../common/proto.js'
import type { RunKey } from '../persistence/store.js'

/** How a buffered query ended. */
export type QueryCompletion =
  /** The worker answered (or failed) it within a workflow task. */
  | { type: 'answered'; result: pb.WorkflowQueryResult }
  /** The run has no task in flight any more: dispatch the query directly. */
  | { type: 'unblocked' }

interface BufferedQuery {
  query: pb.WorkflowQuery
  resolve(c: QueryCompletion): void
}

/** Temporal's `history.MaxBufferedQueryCount` default: one consistent query per run at a time. */
export const DEFAULT_MAX_BUFFERED_QUERIES = 1

export class QueryRegistry {
  private readonly runs = new Map<string, Map<string, BufferedQuery>>()

  constructor(readonly maxBufferedPerRun = DEFAULT_MAX_BUFFERED_QUERIES) {}

  /** Queries buffered for `key`. */
  count(key: RunKey): number {
    return this.runs.get(runKey(key))?.size ?? 0
  }

  /**
   * Buffers a query for the run's next workflow task. The caller must hold the workflow lock, so
   * that a task starting or completing concurrently sees the query or is seen by the caller.
   * `remove` must be called once the caller stops waiting (answered, unblocked or timed out).
   */
  buffer(
    key: RunKey,
    query: pb.WorkflowQuery,
  ): { id: string; completion: Promise<QueryCompletion>; remove(): void } {
    const id = randomUUID()
    const k = runKey(key)
    let queries = this.runs.get(k)
    if (!queries) this.runs.set(k, (queries = new Map<string, BufferedQuery>()))
    const entries = queries
    const completion = new Promise<QueryCompletion>((resolve) => {
      entries.set(id, { query, resolve })
    })
    const remove = (): void => {
      entries.delete(id)
      if (entries.size === 0 && this.runs.get(k) === entries) this.runs.delete(k)
    }
    return { id, completion, remove }
  }

  /** The buffered queries by id, for the poll response of a workflow task that starts now. */
  buffered(key: RunKey): Record<string, pb.WorkflowQuery> {
    const out: Record<string, pb.WorkflowQuery> = {}
    for (const [id, q] of this.runs.get(runKey(key)) ?? []) out[id] = q.query
    return out
  }

  /**
   * After a workflow task completed: answers the queries it has results for and, when no new
   * workflow task was scheduled, unblocks the rest (handleBufferedQueries in
   * respondworkflowtaskcompleted/api.go). Results for unknown ids are ignored.
   */
  complete(
    key: RunKey,
    results: Record<string, pb.WorkflowQueryResult> | null | undefined,
    newWorkflowTask: boolean,
  ): void {
    const queries = this.runs.get(runKey(key))
    if (!queries) return
    for (const [id, result] of Object.entries(results ?? {})) {
      const q = queries.get(id)
      if (!q) continue
      queries.delete(id)
      q.resolve({ type: 'answered', result })
    }
    if (!newWorkflowTask) this.unblockAll(key)
    else if (queries.size === 0) this.runs.delete(runKey(key))
  }

  /** Unblocks every buffered query of the run (it has no workflow task to wait for). */
  unblockAll(key: RunKey): void {
    const k = runKey(key)
    const queries = this.runs.get(k)
    if (!queries) return
    this.runs.delete(k)
    for (const q of queries.values()) q.resolve({ type: 'unblocked' })
  }
}

function runKey(key: RunKey): string {
  return `${key.namespaceId}/${key.workflowId}/${key.runId}`
}
