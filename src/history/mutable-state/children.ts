/**
 * Child workflows and requests to other workflows (signal, cancel), seen from the initiating run.
 * The initiating command writes an *Initiated event and a transfer task; the transfer executor
 * (queues/transfer-executor.ts) acts on the other run and then records the outcome here
 * (Temporal: mutable_state_impl.go AddStartChildWorkflowExecutionInitiatedEvent and friends).
 */
import { EventType, ParentClosePolicy, long, toNumber, type pb } from '../../common/proto.js'
import type { MutableState } from './mutable-state.js'
import type { ChildInfo, ExternalRequestInfo } from './state.js'
import { scheduleWorkflowTask } from './workflow-tasks.js'

type StartChildAttributes = NonNullable<pb.Command['startChildWorkflowExecutionCommandAttributes']>

export function addStartChildWorkflowExecutionInitiatedEvent(
  ms: MutableState,
  attrs: StartChildAttributes,
  ctx: { workflowTaskCompletedEventId: number; namespace: string },
): ChildInfo {
  const event = ms.addEvent(
    EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
    'startChildWorkflowExecutionInitiatedEventAttributes',
    {
      ...attrs,
      namespace: ctx.namespace,
      namespaceId: ms.info.namespaceId,
      workflowTaskCompletedEventId: long(ctx.workflowTaskCompletedEventId),
    },
  )
  const child: ChildInfo = {
    initiatedEventId: toNumber(event.eventId),
    startedEventId: 0,
    namespace: ctx.namespace,
    namespaceId: ms.info.namespaceId,
    workflowId: attrs.workflowId ?? '',
    runId: '',
    workflowType: attrs.workflowType?.name ?? '',
    parentClosePolicy: attrs.parentClosePolicy || ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE,
  }
  ;(ms.data.children ??= {})[child.initiatedEventId] = child
  ms.addTimer(ms.now(), { kind: 'start-child', initiatedEventId: child.initiatedEventId })
  return child
}

export function recordChildStarted(
  ms: MutableState,
  child: ChildInfo,
  args: { runId: string; header: pb.Header | null | undefined },
): void {
  child.runId = args.runId
  ms.addEvent(
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
    'childWorkflowExecutionStartedEventAttributes',
    {
      namespace: child.namespace,
      namespaceId: child.namespaceId,
      initiatedEventId: long(child.initiatedEventId),
      workflowExecution: { workflowId: child.workflowId, runId: args.runId },
      workflowType: { name: child.workflowType },
      header: args.header,
    },
  )
  // The started event id is set when the buffered event is written (see MutableState flush).
  child.startedEventId = -1
  scheduleWorkflowTask(ms)
}

export function recordChildStartFailed(
  ms: MutableState,
  child: ChildInfo,
  args: { cause: number; control: string; workflowTaskCompletedEventId: number },
): void {
  ms.addEvent(
    EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED,
    'startChildWorkflowExecutionFailedEventAttributes',
    {
      namespace: child.namespace,
      namespaceId: child.namespaceId,
      workflowId: child.workflowId,
      workflowType: { name: child.workflowType },
      cause: args.cause,
      control: args.control,
      initiatedEventId: long(child.initiatedEventId),
      workflowTaskCompletedEventId: long(args.workflowTaskCompletedEventId),
    },
  )
  delete ms.data.children![child.initiatedEventId]
  scheduleWorkflowTask(ms)
}

/** The child's chain ended with `closeEvent`; write the matching Child* event in the parent. */
export function recordChildClosed(
  ms: MutableState,
  child: ChildInfo,
  closeEvent: pb.HistoryEvent,
  childRunId: string,
): void {
  const common = {
    namespace: child.namespace,
    namespaceId: child.namespaceId,
    workflowExecution: { workflowId: child.workflowId, runId: childRunId },
    workflowType: { name: child.workflowType },
    initiatedEventId: long(child.initiatedEventId),
    startedEventId: long(Math.max(0, child.startedEventId)),
  }
  const e = closeEvent
  if (e.workflowExecutionCompletedEventAttributes) {
    ms.addEvent(
      EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
      'childWorkflowExecutionCompletedEventAttributes',
      { ...common, result: e.workflowExecutionCompletedEventAttributes.result },
    )
  } else if (e.workflowExecutionFailedEventAttributes) {
    ms.addEvent(
      EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
      'childWorkflowExecutionFailedEventAttributes',
      {
        ...common,
        failure: e.workflowExecutionFailedEventAttributes.failure,
        retryState: e.workflowExecutionFailedEventAttributes.retryState,
      },
    )
  } else if (e.workflowExecutionCanceledEventAttributes) {
    ms.addEvent(
      EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
      'childWorkflowExecutionCanceledEventAttributes',
      { ...common, details: e.workflowExecutionCanceledEventAttributes.details },
    )
  } else if (e.workflowExecutionTimedOutEventAttributes) {
    ms.addEvent(
      EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
      'childWorkflowExecutionTimedOutEventAttributes',
      { ...common, retryState: e.workflowExecutionTimedOutEventAttributes.retryState },
    )
  } else {
    ms.addEvent(
      EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
      'childWorkflowExecutionTerminatedEventAttributes',
      common,
    )
  }
  delete ms.data.children![child.initiatedEventId]
  scheduleWorkflowTask(ms)
}

type SignalExternalAttributes = NonNullable<
  pb.Command['signalExternalWorkflowExecutionCommandAttributes']
>
type CancelExternalAttributes = NonNullable<
  pb.Command['requestCancelExternalWorkflowExecutionCommandAttributes']
>

export function addSignalExternalInitiatedEvent(
  ms: MutableState,
  attrs: SignalExternalAttributes,
  ctx: { workflowTaskCompletedEventId: number; namespace: string },
): void {
  const event = ms.addEvent(
    EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
    'signalExternalWorkflowExecutionInitiatedEventAttributes',
    {
      workflowTaskCompletedEventId: long(ctx.workflowTaskCompletedEventId),
      namespace: ctx.namespace,
      namespaceId: ms.info.namespaceId,
      workflowExecution: attrs.execution,
      signalName: attrs.signalName,
      input: attrs.input,
      control: attrs.control,
      childWorkflowOnly: attrs.childWorkflowOnly,
      header: attrs.header,
    },
  )
  const info = externalInfo(ms, toNumber(event.eventId), attrs, ctx.namespace)
  ;(ms.data.externalSignals ??= {})[info.initiatedEventId] = info
  ms.addTimer(ms.now(), { kind: 'signal-external', initiatedEventId: info.initiatedEventId })
}

export function addRequestCancelExternalInitiatedEvent(
  ms: MutableState,
  attrs: CancelExternalAttributes,
  ctx: { workflowTaskCompletedEventId: number; namespace: string },
): void {
  const event = ms.addEvent(
    EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
    'requestCancelExternalWorkflowExecutionInitiatedEventAttributes',
    {
      workflowTaskCompletedEventId: long(ctx.workflowTaskCompletedEventId),
      namespace: ctx.namespace,
      namespaceId: ms.info.namespaceId,
      workflowExecution: { workflowId: attrs.workflowId, runId: attrs.runId },
      control: attrs.control,
      childWorkflowOnly: attrs.childWorkflowOnly,
      reason: attrs.reason,
    },
  )
  const info = externalInfo(
    ms,
    toNumber(event.eventId),
    { ...attrs, execution: { workflowId: attrs.workflowId, runId: attrs.runId } },
    ctx.namespace,
  )
  ;(ms.data.externalCancels ??= {})[info.initiatedEventId] = info
  ms.addTimer(ms.now(), { kind: 'cancel-external', initiatedEventId: info.initiatedEventId })
}

function externalInfo(
  ms: MutableState,
  initiatedEventId: number,
  attrs: {
    execution?: pb.WorkflowExecution | null
    control?: string | null
    childWorkflowOnly?: boolean | null
  },
  namespace: string,
): ExternalRequestInfo {
  return {
    initiatedEventId,
    namespace,
    namespaceId: ms.info.namespaceId,
    workflowId: attrs.execution?.workflowId ?? '',
    runId: attrs.execution?.runId ?? '',
    control: attrs.control ?? '',
    childWorkflowOnly: attrs.childWorkflowOnly ?? false,
  }
}

/** The outcome of a signal or cancel request on the target run. */
export function recordExternalOutcome(
  ms: MutableState,
  kind: 'signal' | 'cancel',
  info: ExternalRequestInfo,
  failedCause: number | undefined,
): void {
  const execution = { workflowId: info.workflowId, runId: info.runId }
  const common = {
    namespace: info.namespace,
    namespaceId: info.namespaceId,
    workflowExecution: execution,
    initiatedEventId: long(info.initiatedEventId),
  }
  if (kind === 'signal') {
    if (failedCause === undefined) {
      ms.addEvent(
        EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
        'externalWorkflowExecutionSignaledEventAttributes',
        { ...common, control: info.control },
      )
    } else {
      ms.addEvent(
        EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
        'signalExternalWorkflowExecutionFailedEventAttributes',
        { ...common, cause: failedCause, control: info.control },
      )
    }
    delete ms.data.externalSignals![info.initiatedEventId]
  } else {
    if (failedCause === undefined) {
      ms.addEvent(
        EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
        'externalWorkflowExecutionCancelRequestedEventAttributes',
        common,
      )
    } else {
      ms.addEvent(
        EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
        'requestCancelExternalWorkflowExecutionFailedEventAttributes',
        { ...common, cause: failedCause, control: info.control },
      )
    }
    delete ms.data.externalCancels![info.initiatedEventId]
  }
  scheduleWorkflowTask(ms)
}

/**
 * When this run closes: report to its parent (unless the chain goes on) and apply each pending
 * child's parent-close policy (transfer_queue_active_task_executor.go processCloseExecution).
 */
export function onRunClosed(ms: MutableState, continued: boolean): void {
  if (ms.info.parent && !continued) ms.addTimer(ms.now(), { kind: 'report-child-closed' })
  for (const child of Object.values(ms.data.children ?? {})) {
    if (child.parentClosePolicy === ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON) continue
    ms.addTimer(ms.now(), {
      kind: 'parent-close-policy',
      workflowId: child.workflowId,
      runId: child.runId,
      policy: child.parentClosePolicy,
    })
  }
}
