/**
 * `sundial workflow list | count | describe | show | result`: what visibility and history say
 * about executions, as Temporal's CLI shows it.
 */
import {
  PendingActivityState,
  WorkflowExecutionStatus,
  enumWord,
  toNumber,
  type temporal,
} from '../../common/proto.js'
import { CliError } from '../client/cli-error.js'
import {
  closeStatus,
  eventAttributesJson,
  eventTypeWord,
  failurePhrase,
  historyEvents,
  resultFields,
  resultJson,
  waitForCloseEvent,
  type HistoryEvent,
} from '../client/history.js'
import type { ClientFlags } from '../client/options.js'
import { payloadJsonValue } from '../../common/payload-value.js'
import { failureText, payloadMapText, payloadText, payloadsText } from '../client/payloads.js'
import { card, fixedColumns, formatTime, table, truncate } from '../client/render.js'
import type { ClientSession } from '../client/session.js'

type ExecutionInfo = temporal.api.workflow.v1.IWorkflowExecutionInfo

/** `-w` and `-r`: which execution a command is about. */
export interface WorkflowRefFlags extends ClientFlags {
  workflowId: string
  runId?: string
}

/** `list` and `count`: the list filter, and for `list` how many and how fast. */
export interface ListFlags extends ClientFlags {
  query?: string
  limit?: number
  pageSize?: number
}

/** `show`: follow the run, and cut event details to `--max-field-length`. */
export interface ShowFlags extends WorkflowRefFlags {
  follow?: boolean
  maxFieldLength: number
}

/** The WorkflowExecution `-w` and `-r` name. */
export function execution(flags: WorkflowRefFlags): { workflowId: string; runId?: string } {
  return { workflowId: flags.workflowId, runId: flags.runId }
}

/** `Running`, `Completed`, ...: an execution status as Temporal's CLI prints it. */
export function statusWord(status: number | null | undefined): string {
  return enumWord(WorkflowExecutionStatus, status ?? 0, 'WORKFLOW_EXECUTION_STATUS_')
}

/** ListWorkflowExecutions, page by page up to `--limit`: Status, WorkflowId, Type, StartTime. */
export async function list(s: ClientSession, flags: ListFlags): Promise<void> {
  const limit = flags.limit ?? Infinity
  const found: ExecutionInfo[] = []
  let nextPageToken: Uint8Array | undefined
  do {
    const page = await s.call('listing workflows', () =>
      s.workflowService.listWorkflowExecutions({
        namespace: s.namespace,
        query: flags.query ?? '',
        pageSize: Math.min(flags.pageSize ?? 100, limit - found.length),
        nextPageToken,
      }),
    )
    const executions = page.executions.slice(0, limit - found.length)
    found.push(...executions)
    // jsonl streams each page as it arrives; the other formats need the whole list.
    if (s.out.format === 'jsonl') {
      for (const e of executions) s.out.message('temporal.api.workflow.v1.WorkflowExecutionInfo', e)
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined
  } while (nextPageToken && found.length < limit)
  if (s.out.format === 'json') {
    s.out.list(
      found.map((e) => s.out.protoJson('temporal.api.workflow.v1.WorkflowExecutionInfo', e)),
    )
  }
  s.out.text(
    table(
      ['Status', 'WorkflowId', 'Type', 'StartTime'],
      found.map((e) => [
        statusWord(e.status),
        e.execution?.workflowId ?? '',
        e.type?.name ?? '',
        formatTime(e.startTime),
      ]),
    ),
  )
}

/** CountWorkflowExecutions: the total, and per group with GROUP BY. */
export async function count(s: ClientSession, flags: ListFlags): Promise<void> {
  const response = await s.call('counting workflows', () =>
    s.workflowService.countWorkflowExecutions({ namespace: s.namespace, query: flags.query ?? '' }),
  )
  s.out.message('temporal.api.workflowservice.v1.CountWorkflowExecutionsResponse', response)
  s.out.text(`Total: ${toNumber(response.count)}`)
  for (const g of response.groups) {
    // As Temporal's CLI prints them (Go's %v): a status is `Running`, not `"Running"`.
    const values = (g.groupValues ?? []).map((p) => {
      const json = payloadJsonValue(p)
      return typeof json?.value === 'string' ? json.value : payloadText(p)
    })
    s.out.text(`  Group total: ${toNumber(g.count)}, values: ${values.join(', ')}`)
  }
}

/**
 * DescribeWorkflowExecution: a card of execution info, the pending activities and children, and
 * for a closed run its result.
 */
export async function describe(s: ClientSession, flags: WorkflowRefFlags): Promise<void> {
  const response = await s.call(`describing workflow ${flags.workflowId}`, () =>
    s.workflowService.describeWorkflowExecution({
      namespace: s.namespace,
      execution: execution(flags),
    }),
  )
  s.out.message('temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse', response)
  if (!s.out.isText) return
  const info = response.workflowExecutionInfo
  const parent = info?.parentExecution
  s.out.text([
    'Execution Info:',
    ...card([
      ['WorkflowId', info?.execution?.workflowId ?? ''],
      ['RunId', info?.execution?.runId ?? ''],
      ['Type', info?.type?.name ?? ''],
      ['Namespace', s.namespace],
      ['TaskQueue', info?.taskQueue ?? ''],
      ['Status', statusWord(info?.status)],
      ['StartTime', formatTime(info?.startTime)],
      ['CloseTime', formatTime(info?.closeTime) || undefined],
      ['ExecutionTime', formatTime(info?.executionTime) || undefined],
      ['HistoryLength', String(toNumber(info?.historyLength))],
      ['HistorySize', String(toNumber(info?.historySizeBytes))],
      ['StateTransitionCount', String(toNumber(info?.stateTransitionCount))],
      ['ParentWorkflowId', parent?.workflowId || undefined],
      ['ParentRunId', parent?.runId || undefined],
      ['Memo', payloadMapText(info?.memo?.fields)],
      ['SearchAttributes', payloadMapText(info?.searchAttributes?.indexedFields)],
    ]),
  ])
  s.out.text(['', `Pending Activities: ${response.pendingActivities.length}`])
  for (const a of response.pendingActivities) {
    s.out.text([
      ...card([
        ['ActivityId', a.activityId ?? ''],
        ['Type', a.activityType?.name ?? ''],
        ['State', enumWord(PendingActivityState, a.state ?? 0, 'PENDING_ACTIVITY_STATE_')],
        ['Attempt', String(a.attempt ?? 0)],
        ['MaximumAttempts', a.maximumAttempts ? String(a.maximumAttempts) : undefined],
        ['ScheduledTime', formatTime(a.scheduledTime) || undefined],
        ['LastStartedTime', formatTime(a.lastStartedTime) || undefined],
        ['HeartbeatDetails', a.heartbeatDetails ? payloadsText(a.heartbeatDetails) : undefined],
        ['LastFailure', a.lastFailure ? failureText(a.lastFailure) : undefined],
        ['LastWorkerIdentity', a.lastWorkerIdentity || undefined],
      ]),
      '',
    ])
  }
  s.out.text([`Pending Child Workflows: ${response.pendingChildren.length}`])
  for (const c of response.pendingChildren) {
    s.out.text([
      ...card([
        ['WorkflowId', c.workflowId ?? ''],
        ['RunId', c.runId ?? ''],
        ['Type', c.workflowTypeName ?? ''],
        ['InitiatedEventId', String(toNumber(c.initiatedId))],
      ]),
      '',
    ])
  }
  if (info?.status !== WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
    const runId = info?.execution?.runId ?? undefined
    const close = await waitForCloseEvent(s, flags.workflowId, runId, false)
    s.out.text(['', 'Results:', ...card(resultFields(close.event))])
  }
}

/** `show`'s event table: ID and Time have fixed widths so that rows can print as they come. */
const eventRow = fixedColumns([6, 24, 36])

/**
 * The run's history: one row per event (ID, Time, Type, Details), or with `--follow` rows as
 * events happen until the close event; then the result.
 */
export async function show(s: ClientSession, flags: ShowFlags): Promise<void> {
  const events: unknown[] = []
  let close: HistoryEvent | undefined
  s.out.text(eventRow(['ID', 'Time', 'Type', 'Details']))
  for await (const event of historyEvents(s, execution(flags), flags.follow ?? false)) {
    if (closeStatus(event)) close = event
    if (s.out.format === 'jsonl') s.out.message('temporal.api.history.v1.HistoryEvent', event)
    else if (s.out.format === 'json') {
      events.push(s.out.protoJson('temporal.api.history.v1.HistoryEvent', event))
    } else if (s.out.isText) {
      const details = JSON.stringify(eventAttributesJson(s.out, event))
      s.out.text(
        eventRow([
          String(event.eventId),
          formatTime(event.eventTime),
          eventTypeWord(event),
          truncate(details, flags.maxFieldLength),
        ]),
      )
    }
  }
  // The History message, which Temporal's replayers read.
  if (s.out.format === 'json') s.out.json({ events })
  if (close) s.out.text(['', 'Results:', ...card(resultFields(close))])
}

/** Waits for the run (and the runs it continues as) to close and prints how it ended. */
export async function result(s: ClientSession, flags: WorkflowRefFlags): Promise<void> {
  const close = await waitForCloseEvent(s, flags.workflowId, flags.runId)
  s.out.text(['Results:', ...card(resultFields(close.event))])
  s.out.json({
    workflowId: flags.workflowId,
    runId: close.runId ?? flags.runId,
    namespace: s.namespace,
    ...resultJson(s.out, close.event),
  })
  const phrase = failurePhrase(closeStatus(close.event))
  if (phrase) throw new CliError(`workflow ${flags.workflowId} ${phrase}`)
}
