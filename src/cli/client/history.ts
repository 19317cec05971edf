/**
 * Reading a run's history as `show`, `execute` and `result` need it: page by page, following new
 * events with GetWorkflowExecutionHistory's `waitNewEvent` until the close event, waiting for the
 * close event alone, and the close event as a Results card and a JSON summary.
 */
import { EventType, HistoryEventFilterType, enumWord, type temporal } from '../../common/proto.js'
import type { Output } from './output.js'
import { failureText, payloadsText } from './payloads.js'
import type { ClientSession } from './session.js'

/** A history event as the client decodes it. */
export type HistoryEvent = temporal.api.history.v1.IHistoryEvent

const CLOSE_EVENTS: ReadonlyMap<number, string> = new Map([
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, 'COMPLETED'],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, 'FAILED'],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT, 'TIMED_OUT'],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, 'CANCELED'],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, 'TERMINATED'],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW, 'CONTINUED_AS_NEW'],
])

/** COMPLETED, FAILED, ... for a close event; undefined for any other event. */
export function closeStatus(event: HistoryEvent): string | undefined {
  return CLOSE_EVENTS.get(event.eventType ?? 0)
}

/** `WorkflowExecutionStarted`: the event type as Temporal's CLI prints it. */
export function eventTypeWord(event: HistoryEvent): string {
  return enumWord(EventType, event.eventType ?? 0, 'EVENT_TYPE_')
}

/** The event's attributes (the `*EventAttributes` member) as shorthand proto JSON. */
export function eventAttributesJson(out: Output, event: HistoryEvent): unknown {
  const json = out.protoJson('temporal.api.history.v1.HistoryEvent', event) as Record<
    string,
    unknown
  >
  const key = Object.keys(json).find((k) => k.endsWith('EventAttributes'))
  return key === undefined ? {} : json[key]
}

/**
 * A run's events in order. With `follow`, long-polls for events as they happen and ends after
 * the close event; without, ends with the events there are now.
 */
export async function* historyEvents(
  s: ClientSession,
  execution: { workflowId: string; runId?: string },
  follow: boolean,
): AsyncGenerator<HistoryEvent> {
  let nextPageToken: Uint8Array | undefined
  for (;;) {
    const page = await s.call(`reading the history of workflow ${execution.workflowId}`, () =>
      s.workflowService.getWorkflowExecutionHistory({
        namespace: s.namespace,
        execution,
        nextPageToken,
        waitNewEvent: follow,
      }),
    )
    for (const event of page.history?.events ?? []) {
      yield event
      if (follow && closeStatus(event)) return
    }
    if (!page.nextPageToken?.length) return
    nextPageToken = page.nextPageToken
  }
}

/**
 * The close event of the run, waiting for it; with `followRuns`, continue-as-new is followed to
 * the last run.
 */
export async function waitForCloseEvent(
  s: ClientSession,
  workflowId: string,
  runId: string | undefined,
  followRuns = true,
): Promise<{ event: HistoryEvent; runId: string | undefined }> {
  let nextPageToken: Uint8Array | undefined
  for (;;) {
    const page = await s.call(`waiting for workflow ${workflowId}`, () =>
      s.workflowService.getWorkflowExecutionHistory({
        namespace: s.namespace,
        execution: { workflowId, runId },
        nextPageToken,
        waitNewEvent: true,
        historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
      }),
    )
    const event = page.history?.events?.[0]
    // No event: the server's long poll ended first; ask again where it left off.
    if (!event) nextPageToken = page.nextPageToken ?? undefined
    else if (followRuns && event.workflowExecutionContinuedAsNewEventAttributes) {
      runId = event.workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId ?? undefined
      nextPageToken = undefined
    } else return { event, runId }
  }
}

/** The Results card lines of a close event: Status and the result or why it did not complete. */
export function resultFields(event: HistoryEvent): [string, string | undefined][] {
  const completed = event.workflowExecutionCompletedEventAttributes
  const failed = event.workflowExecutionFailedEventAttributes
  const terminated = event.workflowExecutionTerminatedEventAttributes
  const canceled = event.workflowExecutionCanceledEventAttributes
  const details = terminated?.details ?? canceled?.details
  return [
    ['Status', closeStatus(event)],
    ['Result', completed ? payloadsText(completed.result) : undefined],
    ['Failure', failed ? failureText(failed.failure) : undefined],
    ['Reason', terminated?.reason || undefined],
    ['Details', details?.payloads?.length ? payloadsText(details) : undefined],
    [
      'NewRunId',
      event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId || undefined,
    ],
  ]
}

/**
 * The JSON summary of a closed run: its status, the result (one payload as its value, several as
 * a list) and the close event itself.
 */
export function resultJson(out: Output, event: HistoryEvent): Record<string, unknown> {
  const result = event.workflowExecutionCompletedEventAttributes?.result
  const summary: Record<string, unknown> = { status: closeStatus(event) }
  if (result) {
    const json = out.protoJson('temporal.api.common.v1.Payloads', result)
    summary.result = Array.isArray(json) && json.length === 1 ? (json[0] as unknown) : json
  }
  summary.closeEvent = out.protoJson('temporal.api.history.v1.HistoryEvent', event)
  return summary
}

const FAILURE_PHRASES: Readonly<Record<string, string | undefined>> = {
  FAILED: 'failed',
  TIMED_OUT: 'timed out',
  CANCELED: 'was canceled',
  TERMINATED: 'was terminated',
}

/** For a run that ended otherwise than completed: the phrase for `sundial: workflow <id> …`. */
export function failurePhrase(status: string | undefined): string | undefined {
  return status === undefined ? undefined : FAILURE_PHRASES[status]
}
