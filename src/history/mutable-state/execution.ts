/**
 * The run itself: its start and the ways it closes (completed, failed, canceled, terminated,
 * timed out), plus cancel requests. Closing a run drops every timer it still has, so nothing fires
 * for a closed run.
 */
import { randomUUID } from 'node:crypto'
import {
  ContinueAsNewInitiator,
  EventType,
  RetryState,
  TimeoutType,
  WorkflowExecutionStatus,
  WorkflowTaskFailedCause,
  long,
  toNumber,
  type pb,
} from '../../common/proto.js'
import { onRunClosed } from './children.js'
import { cronBackoff, startFollowingRun, workflowRetry } from './continue-as-new.js'
import type { MutableState } from './mutable-state.js'
import type { ExecutionInfo, MutableStateData } from './state.js'
import { failWorkflowTask, scheduleWorkflowTask } from './workflow-tasks.js'

type StartedAttributes = NonNullable<pb.HistoryEvent['workflowExecutionStartedEventAttributes']>

/** The persisted state of a run that has not written anything yet. */
export function emptyRunState(info: ExecutionInfo): MutableStateData {
  return {
    executionInfo: info,
    state: 'created',
    status: WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
    nextEventId: 1,
    lastCompletedWorkflowTaskStartedEventId: 0,
    workflowTaskAttempt: 1,
    activities: {},
    timers: {},
    bufferedEvents: [],
    cancelRequested: false,
    cancelRequestId: '',
    workflowCloseAttempted: false,
    workflowTimerKeys: [],
    completionEventId: 0,
    stateTransitionCount: 0,
    historySizeBytes: 0,
  }
}

/**
 * Writes WorkflowExecutionStarted, arms the run/execution timeout, and schedules the first
 * workflow task (or a backoff timer when the start is delayed).
 */
export function addWorkflowExecutionStartedEvent(
  ms: MutableState,
  attrs: StartedAttributes,
  startDelayMs: number,
  /** Adds events that belong before the first workflow task (signal-with-start's signal). */
  beforeFirstTask?: () => void,
): void {
  ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
    'workflowExecutionStartedEventAttributes',
    attrs,
    ms.info.startTime,
  )
  ms.data.state = 'running'
  const info = ms.info
  const deadlines = [
    info.runTimeoutMs > 0 ? info.executionTime + info.runTimeoutMs : 0,
    info.executionExpirationTime,
  ].filter((t) => t > 0)
  if (deadlines.length > 0) {
    ms.data.workflowTimerKeys.push(
      ms.addTimer(Math.min(...deadlines), { kind: 'workflow-timeout' }),
    )
  }
  beforeFirstTask?.()
  if (startDelayMs > 0) {
    ms.data.workflowTimerKeys.push(ms.addTimer(info.executionTime, { kind: 'workflow-backoff' }))
  } else {
    scheduleWorkflowTask(ms)
  }
}

/**
 * Marks the run closed by `event`. `continued` says a following run carries the chain on
 * (continue-as-new, retry, cron), in which case a child's parent hears only at the chain's end.
 */
export function closeRun(
  ms: MutableState,
  status: WorkflowExecutionStatus,
  event: pb.HistoryEvent,
  continued = false,
): void {
  const d = ms.data
  d.state = 'completed'
  d.status = status
  d.completionEventId = toNumber(event.eventId)
  d.executionInfo.closeTime = ms.now()
  ms.deleteTimers(d.workflowTimerKeys)
  d.workflowTimerKeys = []
  for (const t of Object.values(d.timers)) ms.deleteTimers([t.timerKey])
  for (const a of Object.values(d.activities)) {
    ms.deleteTimers([...a.attemptTimerKeys, a.scheduleToCloseTimerKey, a.retryTimerKey])
  }
  if (d.workflowTask) {
    ms.deleteTimers(d.workflowTask.timerKeys)
    ms.deleteQueueTasks(d.workflowTask.queueTaskKeys)
    d.workflowTask = undefined
  }
  // Events still buffered are dropped with the run, as Temporal does for a closed workflow.
  d.bufferedEvents = []
  onRunClosed(ms, continued)
  // Retention as configured when the run closed (Temporal's DeleteHistoryEventTask).
  const retentionMs = ms.deps.retentionMs(d.executionInfo.namespaceId) ?? 0
  if (retentionMs > 0) {
    ms.addTimer(d.executionInfo.closeTime + retentionMs, { kind: 'delete-history-event' })
  }
}

/** Terminate and timeout first fail a started workflow task, so its worker's answer is refused. */
function forceCloseWorkflowTask(ms: MutableState): void {
  if (ms.hasStartedWorkflowTask()) {
    failWorkflowTask(ms, {
      cause: WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND,
      identity: 'history-service',
      scheduleNext: false,
    })
  }
}

export function completeWorkflow(
  ms: MutableState,
  args: { result: pb.Payloads | null | undefined; workflowTaskCompletedEventId: number },
): void {
  const cron = cronBackoff(ms)
  const newRunId = cron === undefined ? '' : randomUUID()
  const event = ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    'workflowExecutionCompletedEventAttributes',
    {
      result: args.result,
      workflowTaskCompletedEventId: long(args.workflowTaskCompletedEventId),
      newExecutionRunId: newRunId,
    },
  )
  closeRun(
    ms,
    WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED,
    event,
    cron !== undefined,
  )
  if (cron !== undefined) {
    startFollowingRun(ms, {
      runId: newRunId,
      initiator: ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE,
      backoffMs: cron,
      result: args.result,
    })
  }
}

export function failWorkflow(
  ms: MutableState,
  args: { failure: pb.Failure | null | undefined; workflowTaskCompletedEventId: number },
): void {
  const next = followingRunAfterFailure(ms, args.failure)
  const event = ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    'workflowExecutionFailedEventAttributes',
    {
      failure: args.failure,
      retryState: next.retryState,
      workflowTaskCompletedEventId: long(args.workflowTaskCompletedEventId),
      newExecutionRunId: next.runId,
    },
  )
  closeRun(ms, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED, event, next.runId !== '')
  next.start()
}

/**
 * A failed or timed-out run is retried per its retry policy, else continued by its cron
 * schedule, else simply closed (retryCronContinueAsNew).
 */
function followingRunAfterFailure(
  ms: MutableState,
  failure: pb.Failure | null | undefined,
): { retryState: RetryState; runId: string; start: () => void } {
  const retry = workflowRetry(ms, failure)
  let initiator: ContinueAsNewInitiator | undefined
  let backoffMs = 0
  if (retry.state === RetryState.RETRY_STATE_IN_PROGRESS) {
    initiator = ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY
    backoffMs = retry.delayMs
  } else {
    const cron = cronBackoff(ms)
    if (cron !== undefined) {
      initiator = ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE
      backoffMs = cron
    }
  }
  if (initiator === undefined) return { retryState: retry.state, runId: '', start: () => {} }
  const runId = randomUUID()
  const chosen = initiator
  return {
    retryState: retry.state,
    runId,
    start: () => startFollowingRun(ms, { runId, initiator: chosen, backoffMs, failure }),
  }
}

export function cancelWorkflow(
  ms: MutableState,
  args: { details: pb.Payloads | null | undefined; workflowTaskCompletedEventId: number },
): void {
  const event = ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
    'workflowExecutionCanceledEventAttributes',
    {
      details: args.details,
      workflowTaskCompletedEventId: long(args.workflowTaskCompletedEventId),
    },
  )
  closeRun(ms, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED, event)
}

export function terminateWorkflow(
  ms: MutableState,
  args: { reason: string; details: pb.Payloads | null | undefined; identity: string },
): void {
  forceCloseWorkflowTask(ms)
  const event = ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
    'workflowExecutionTerminatedEventAttributes',
    { reason: args.reason, details: args.details, identity: args.identity },
  )
  closeRun(ms, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED, event)
}

export function timeoutWorkflow(ms: MutableState): void {
  forceCloseWorkflowTask(ms)
  // An expired execution ends the chain; a run timeout may retry or continue by cron
  // (timer_queue_active_task_executor.go executeWorkflowRunTimeoutTask).
  const expiration = ms.info.executionExpirationTime
  const expired = expiration > 0 && expiration <= ms.now()
  const next = expired
    ? { retryState: RetryState.RETRY_STATE_TIMEOUT, runId: '', start: () => {} }
    : followingRunAfterFailure(ms, {
        message: 'workflow timeout',
        source: 'Server',
        timeoutFailureInfo: { timeoutType: TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE },
      })
  const event = ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
    'workflowExecutionTimedOutEventAttributes',
    { retryState: next.retryState, newExecutionRunId: next.runId },
  )
  closeRun(
    ms,
    WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
    event,
    next.runId !== '',
  )
  next.start()
}

/** Records a cancel request and gives the workflow a task to act on it. */
export function requestCancelWorkflow(
  ms: MutableState,
  args: {
    reason: string
    identity: string
    requestId: string
    /** Set when another workflow asked (RequestCancelExternalWorkflowExecution). */
    external?: { initiatedEventId: number; execution: pb.WorkflowExecution }
  },
): void {
  ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
    'workflowExecutionCancelRequestedEventAttributes',
    {
      cause: args.reason,
      identity: args.identity,
      externalInitiatedEventId: long(args.external?.initiatedEventId ?? 0),
      externalWorkflowExecution: args.external?.execution ?? null,
    },
  )
  ms.data.cancelRequested = true
  ms.data.cancelRequestId = args.requestId
  scheduleWorkflowTask(ms)
}
