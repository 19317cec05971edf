/**
 * The run at a glance (status, type, queue, times, parent and children, memo, search
 * attributes), and its input and outcome.
 */
import type {
  DescribeWorkflowExecutionResponse,
  Failure,
  HistoryEvent,
  PayloadsJson,
  WorkflowExecution,
} from '../../api/types.js'
import { FailureView } from '../../components/failure-view.js'
import { Fields, type FieldRow } from '../../components/fields.js'
import { PayloadMap, PayloadsView } from '../../components/payloads.js'
import { StatusBadge } from '../../components/status-badge.js'
import { eventAttributes } from '../../format/events.js'
import { between, formatDuration, formatTime } from '../../format/time.js'
import { paths } from '../../router.js'

export function Summary(props: {
  namespace: string
  describe: DescribeWorkflowExecutionResponse
  history?: HistoryEvent[]
}) {
  const { namespace, describe } = props
  const info = describe.workflowExecutionInfo ?? {}
  const config = describe.executionConfig ?? {}
  const taskQueue = config.taskQueue?.name ?? info.taskQueue
  const link = (e: WorkflowExecution | undefined) =>
    e?.workflowId ? (
      <a href={paths.workflow(namespace, e.workflowId, e.runId)}>{e.workflowId}</a>
    ) : (
      <span class="muted">none</span>
    )
  const children = childrenOf(describe, props.history)
  const rows: FieldRow[] = [
    ['Status', <StatusBadge status={info.status} />],
    ['Type', info.type?.name],
    [
      'Task queue',
      taskQueue ? <a href={paths.taskQueue(namespace, taskQueue)}>{taskQueue}</a> : undefined,
    ],
    ['Start', formatTime(info.startTime)],
    ['Close', formatTime(info.closeTime)],
    ['Duration', info.closeTime ? between(info.startTime, info.closeTime) : ''],
    ['History events', info.historyLength],
    ['Run timeout', timeout(config.workflowRunTimeout)],
    ['Execution timeout', timeout(config.workflowExecutionTimeout)],
    ['Parent', link(info.parentExecution)],
    [
      'Children',
      children.length === 0 ? (
        <span class="muted">none</span>
      ) : (
        <ul class="plain">
          {children.map((c) => (
            <li key={`${c.workflowId}/${c.runId ?? ''}`}>{link(c)}</li>
          ))}
        </ul>
      ),
    ],
    ['Memo', <PayloadMap fields={info.memo?.fields} />],
    ['Search attributes', <PayloadMap fields={info.searchAttributes?.indexedFields} />],
  ]
  return <Fields label="Summary" rows={rows} />
}

/** A workflow timeout; zero (or none) means the run may take as long as it likes. */
const timeout = (d: string | undefined) =>
  !d || Number.parseFloat(d) === 0 ? 'unlimited' : formatDuration(d)

/** Children still open (from the description) and those started so far (from the history). */
function childrenOf(
  describe: DescribeWorkflowExecutionResponse,
  history: HistoryEvent[] | undefined,
): WorkflowExecution[] {
  const seen = new Map<string, WorkflowExecution>()
  for (const e of history ?? []) {
    if (e.eventType !== 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED') continue
    const child = eventAttributes(e).workflowExecution as WorkflowExecution | undefined
    if (child?.workflowId) seen.set(child.workflowId, child)
  }
  for (const c of describe.pendingChildren ?? []) {
    if (c.workflowId && !seen.has(c.workflowId)) {
      seen.set(c.workflowId, { workflowId: c.workflowId, runId: c.runId })
    }
  }
  return [...seen.values()]
}

export function InputAndResult(props: {
  namespace: string
  workflowId: string
  input?: HistoryEvent
  closeEvent?: HistoryEvent
  running: boolean
}) {
  const input = props.input ? (eventAttributes(props.input).input as PayloadsJson) : undefined
  return (
    <div class="io">
      <section aria-label="Input">
        <h2>Input</h2>
        {props.input ? <PayloadsView payloads={input} empty="no input" /> : <Pending />}
      </section>
      <section aria-label="Result">
        <h2>{props.running ? 'Result' : outcomeTitle(props.closeEvent)}</h2>
        {props.running ? (
          <span class="muted">The workflow is running.</span>
        ) : props.closeEvent ? (
          <Outcome
            event={props.closeEvent}
            namespace={props.namespace}
            workflowId={props.workflowId}
          />
        ) : (
          <Pending />
        )}
      </section>
    </div>
  )
}

const Pending = () => <span class="muted">Loading…</span>

const OUTCOME_TITLES: Record<string, string | undefined> = {
  EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: 'Failure',
  EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: 'Terminated',
  EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: 'Canceled',
  EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: 'Timed out',
  EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: 'Continued as new',
}

const outcomeTitle = (e: HistoryEvent | undefined) => OUTCOME_TITLES[e?.eventType ?? ''] ?? 'Result'

function Outcome(props: { event: HistoryEvent; namespace: string; workflowId: string }) {
  const a = eventAttributes(props.event)
  switch (props.event.eventType ?? '') {
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED':
      return <PayloadsView payloads={a.result as PayloadsJson} empty="no result" />
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED':
      return <FailureView failure={(a.failure ?? {}) as Failure} />
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED':
      return (
        <div>
          <p>
            Reason: <span class="reason">{(a.reason as string | undefined) || 'none given'}</span>
          </p>
          {a.identity ? <p class="muted">by {a.identity as string}</p> : null}
        </div>
      )
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED':
      return <PayloadsView payloads={a.details as PayloadsJson} empty="no details" />
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT':
      return <span>The run timed out.</span>
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW': {
      const next = a.newExecutionRunId as string | undefined
      return next ? (
        <a href={paths.workflow(props.namespace, props.workflowId, next)}>Next run {next}</a>
      ) : (
        <span class="muted">no next run</span>
      )
    }
    default:
      return <span class="muted">{props.event.eventType}</span>
  }
}
