/**
 * The live status of runs a schedule started. A recent action's `startWorkflowStatus` is only
 * brought up to date while the scheduler watches that run, so it goes stale; Temporal's UI reads
 * the status from visibility for the same reason (`fetchRecentScheduleRunStatuses` in its
 * schedule-service.ts). One ListWorkflowExecutions over the workflow ids on screen answers for
 * all of them.
 */
import { quote } from '../format/list-query.js'
import type { WorkflowExecution } from './types.js'
import { listWorkflows } from './workflow-service.js'

/** The most ids one call asks about (and the page size it asks for). */
const MAX_IDS = 100

/** Run statuses keyed by run id and by workflow id (the last run of the chain). */
export type RunStatuses = Map<string, string>

export async function liveRunStatuses(
  namespace: string,
  runs: WorkflowExecution[],
  signal?: AbortSignal,
): Promise<RunStatuses> {
  const ids = [...new Set(runs.map((r) => r.workflowId ?? '').filter(Boolean))].slice(0, MAX_IDS)
  const out: RunStatuses = new Map()
  if (ids.length === 0) return out
  // Continued-as-new links drop out, leaving the chain's last run under its workflow id.
  const query =
    `WorkflowId IN (${ids.map(quote).join(', ')})` + ` AND ExecutionStatus != 'ContinuedAsNew'`
  const page = await listWorkflows(namespace, { query, pageSize: MAX_IDS }, signal)
  for (const e of page.executions ?? []) {
    if (!e.status) continue
    if (e.execution?.runId) out.set(e.execution.runId, e.status)
    if (e.execution?.workflowId && !out.has(e.execution.workflowId)) {
      out.set(e.execution.workflowId, e.status)
    }
  }
  return out
}

/** A run's status: the live one when known, else what the schedule recorded. */
export function runStatus(
  statuses: RunStatuses | undefined,
  run: WorkflowExecution | undefined,
  recorded: string | undefined,
): string | undefined {
  return (
    (run?.runId && statuses?.get(run.runId)) ||
    (run?.workflowId && statuses?.get(run.workflowId)) ||
    recorded
  )
}

/** The statuses, or none when visibility cannot answer: the recorded ones still show. */
export async function liveRunStatusesOrNone(
  namespace: string,
  runs: WorkflowExecution[],
  signal?: AbortSignal,
): Promise<RunStatuses> {
  try {
    return await liveRunStatuses(namespace, runs, signal)
  } catch (e: unknown) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e
    return new Map()
  }
}
