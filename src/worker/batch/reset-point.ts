/**
 * Where a batch reset puts each run back to, read from the run's history as Temporal's batcher
 * does (service/worker/batcher/activities.go getFirstWorkflowTaskEventID and
 * getLastWorkflowTaskEventID), and how a reset already made is recognised.
 */
import {
  EventType,
  toNumber,
  WorkflowTaskFailedCause,
  type pb,
  type temporal,
} from '../../common/proto.js'

/** The event a batch reset goes back to: found in each run's history, or one id for all. */
export type ResetPoint = { kind: 'first' } | { kind: 'last' } | { kind: 'event'; eventId: number }

/**
 * The WorkflowTaskFinishEventId for `point` over the run's history pages. First: the first
 * WorkflowTaskCompleted, else the event after the first WorkflowTaskScheduled. Last: the last
 * WorkflowTaskCompleted or event after a WorkflowTaskScheduled, whichever came later. 0 when the
 * history has neither (the reset then fails as Temporal's does, on an invalid event id).
 */
export async function resetEventId(
  point: ResetPoint,
  pages: AsyncIterable<readonly pb.HistoryEvent[]>,
): Promise<number> {
  if (point.kind === 'event') return point.eventId
  let found = 0
  for await (const events of pages) {
    for (const e of events) {
      const id = toNumber(e.eventId)
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
        if (point.kind === 'first') return id
        found = id
      } else if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) {
        if (point.kind === 'last' || found === 0) found = id + 1
      }
    }
  }
  return found
}

/**
 * True when the history (of the workflow's current run) shows it was made by resetting
 * `baseRunId`: its reset point's WorkflowTaskFailed names that run as the base.
 */
export async function isResetOf(
  baseRunId: string,
  pages: AsyncIterable<readonly pb.HistoryEvent[]>,
): Promise<boolean> {
  for await (const events of pages) {
    for (const e of events) {
      const a = e.workflowTaskFailedEventAttributes
      if (
        a?.cause === WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW &&
        a.baseRunId === baseRunId
      ) {
        return true
      }
    }
  }
  return false
}

/**
 * Which of ResetOptions' target oneof is set. A decoded message names it in `target`; a plain
 * object (an internal call) only has the member, so that is looked for too.
 */
export function resetTarget(
  o: temporal.api.common.v1.IResetOptions,
): 'firstWorkflowTask' | 'lastWorkflowTask' | 'workflowTaskId' | 'buildId' | undefined {
  // Decoded, the unset members read as their defaults (0, ''), so only `target` tells.
  if ('target' in o) return (o as { target?: ReturnType<typeof resetTarget> }).target
  if (o.firstWorkflowTask) return 'firstWorkflowTask'
  if (o.lastWorkflowTask) return 'lastWorkflowTask'
  if (o.workflowTaskId != null) return 'workflowTaskId'
  if (o.buildId != null) return 'buildId'
  return undefined
}
