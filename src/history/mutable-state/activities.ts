/**
 * Activities of a run: scheduled by a command, dispatched to their task queue, started by a poll,
 * retried per their retry policy, and closed by the worker, a timeout or a cancel.
 *
 * As in Temporal (mutable_state_impl.go), an attempt's start writes no event: ActivityTaskStarted
 * is written only when the activity closes, carrying the final attempt and its last failure, so
 * retries leave no trace in history.
 */
import { EventType, RetryState, TimeoutType, long, toNumber, type pb } from '../../common/proto.js'
import {
  isRetryableFailure,
  nextBackoff,
  nextRetryDelayOf,
  normalizeRetryPolicy,
  retryPolicyToProto,
} from '../../common/retry-policy.js'
import { msFromDuration } from '../../common/time.js'
import { QueueKind, type QueueTaskKey } from '../../persistence/store.js'
import { encodedFailure, encodedPayloads } from './encoded.js'
import type { MutableState } from './mutable-state.js'
import type { ActivityInfo } from './state.js'
import { scheduleWorkflowTask } from './workflow-tasks.js'

type ScheduleAttributes = NonNullable<pb.Command['scheduleActivityTaskCommandAttributes']>

/** Writes ActivityTaskScheduled for already validated and normalised attributes. */
export function addActivityTaskScheduledEvent(
  ms: MutableState,
  attrs: ScheduleAttributes,
  workflowTaskCompletedEventId: number,
  /** Start it at once for the completing worker instead of dispatching it (eager execution). */
  eager?: { requestId: string; identity: string },
): ActivityInfo {
  const retryPolicy = normalizeRetryPolicy(attrs.retryPolicy)
  const event = ms.addEvent(
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    'activityTaskScheduledEventAttributes',
    {
      activityId: attrs.activityId,
      activityType: attrs.activityType,
      taskQueue: attrs.taskQueue,
      header: attrs.header,
      input: attrs.input,
      scheduleToCloseTimeout: attrs.scheduleToCloseTimeout,
      scheduleToStartTimeout: attrs.scheduleToStartTimeout,
      startToCloseTimeout: attrs.startToCloseTimeout,
      heartbeatTimeout: attrs.heartbeatTimeout,
      workflowTaskCompletedEventId: long(workflowTaskCompletedEventId),
      retryPolicy: retryPolicyToProto(retryPolicy),
      useWorkflowBuildId: attrs.useWorkflowBuildId ?? false,
      priority: attrs.priority,
    },
  )
  const ai = activityInfoFromScheduled(
    event.activityTaskScheduledEventAttributes!,
    toNumber(event.eventId),
    ms.now(),
  )
  ms.data.activities[ai.scheduledEventId] = ai
  if (ai.expirationTime > 0) {
    ai.scheduleToCloseTimerKey = ms.addTimer(ai.expirationTime, {
      kind: 'activity-timeout',
      scheduledEventId: ai.scheduledEventId,
      attempt: ai.attempt,
      timeoutType: TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE,
    })
  }
  if (eager) startActivity(ms, ai, eager)
  else dispatchActivity(ms, ai)
  return ai
}

/** The state of a just-scheduled activity, from its ActivityTaskScheduled attributes. */
export function activityInfoFromScheduled(
  attrs: NonNullable<pb.HistoryEvent['activityTaskScheduledEventAttributes']>,
  scheduledEventId: number,
  now: number,
): ActivityInfo {
  const scheduleToCloseTimeoutMs = msFromDuration(attrs.scheduleToCloseTimeout)
  return {
    scheduledEventId,
    activityId: attrs.activityId ?? '',
    activityType: attrs.activityType?.name ?? '',
    taskQueue: attrs.taskQueue?.name ?? '',
    scheduledTime: now,
    firstScheduledTime: now,
    startedTime: 0,
    startedIdentity: '',
    requestId: '',
    attempt: 1,
    scheduleToStartTimeoutMs: msFromDuration(attrs.scheduleToStartTimeout),
    scheduleToCloseTimeoutMs,
    startToCloseTimeoutMs: msFromDuration(attrs.startToCloseTimeout),
    heartbeatTimeoutMs: msFromDuration(attrs.heartbeatTimeout),
    retryPolicy: normalizeRetryPolicy(attrs.retryPolicy),
    expirationTime: scheduleToCloseTimeoutMs > 0 ? now + scheduleToCloseTimeoutMs : 0,
    cancelRequested: false,
    cancelRequestedEventId: 0,
    lastHeartbeatTime: 0,
    lastWorkerIdentity: '',
    attemptTimerKeys: [],
  }
}

/** Puts the current attempt on its task queue and arms its schedule-to-start timeout. */
export function dispatchActivity(ms: MutableState, ai: ActivityInfo): QueueTaskKey {
  ai.retryTimerKey = undefined
  const key = ms.addQueueTask(QueueKind.Activity, ai.taskQueue, ai.scheduledEventId)
  if (ai.scheduleToStartTimeoutMs > 0) {
    ai.attemptTimerKeys.push(
      ms.addTimer(ai.scheduledTime + ai.scheduleToStartTimeoutMs, {
        kind: 'activity-timeout',
        scheduledEventId: ai.scheduledEventId,
        attempt: ai.attempt,
        timeoutType: TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START,
      }),
    )
  }
  return key
}

/** A poller took the attempt: arm start-to-close and heartbeat timeouts (no event yet). */
export function startActivity(
  ms: MutableState,
  ai: ActivityInfo,
  args: { requestId: string; identity: string },
): void {
  const now = ms.now()
  ai.startedTime = now
  ai.requestId = args.requestId
  ai.startedIdentity = args.identity
  ai.lastWorkerIdentity = args.identity
  ms.markDirty()
  const arm = (delayMs: number, timeoutType: TimeoutType): void => {
    if (delayMs <= 0) return
    ai.attemptTimerKeys.push(
      ms.addTimer(now + delayMs, {
        kind: 'activity-timeout',
        scheduledEventId: ai.scheduledEventId,
        attempt: ai.attempt,
        timeoutType,
      }),
    )
  }
  arm(ai.startToCloseTimeoutMs, TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE)
  arm(ai.heartbeatTimeoutMs, TimeoutType.TIMEOUT_TYPE_HEARTBEAT)
}

export function recordActivityHeartbeat(
  ms: MutableState,
  ai: ActivityInfo,
  details: pb.Payloads | null | undefined,
): void {
  ai.lastHeartbeatTime = ms.now()
  if (details) ai.lastHeartbeatDetails = encodedPayloads.encode(details)
  ms.markDirty()
}

/** Writes the deferred ActivityTaskStarted of the closing attempt; returns its id (0 if none). */
function addStartedEvent(ms: MutableState, ai: ActivityInfo): number {
  if (ai.startedTime === 0) return 0
  const event = ms.addEvent(
    EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
    'activityTaskStartedEventAttributes',
    {
      scheduledEventId: long(ai.scheduledEventId),
      identity: ai.startedIdentity,
      requestId: ai.requestId,
      attempt: ai.attempt,
      lastFailure: encodedFailure.decode(ai.lastFailure) ?? null,
    },
    ai.startedTime,
  )
  // Buffered events get their ids on flush, which also wires them into the closing event.
  return toNumber(event.eventId)
}

function closeActivity(ms: MutableState, ai: ActivityInfo): void {
  ms.deleteTimers([...ai.attemptTimerKeys, ai.scheduleToCloseTimerKey, ai.retryTimerKey])
  delete ms.data.activities[ai.scheduledEventId]
  scheduleWorkflowTask(ms)
}

export function completeActivity(
  ms: MutableState,
  ai: ActivityInfo,
  args: { result: pb.Payloads | null | undefined; identity: string },
): void {
  const startedEventId = addStartedEvent(ms, ai)
  ms.addEvent(
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    'activityTaskCompletedEventAttributes',
    {
      result: args.result,
      scheduledEventId: long(ai.scheduledEventId),
      startedEventId: long(startedEventId),
      identity: args.identity,
    },
  )
  closeActivity(ms, ai)
}

/** The worker reported a failure: retry if the policy allows, else write ActivityTaskFailed. */
export function failActivity(
  ms: MutableState,
  ai: ActivityInfo,
  args: {
    failure: pb.Failure | null | undefined
    identity: string
    lastHeartbeatDetails: pb.Payloads | null | undefined
  },
): void {
  if (args.lastHeartbeatDetails) {
    ai.lastHeartbeatDetails = encodedPayloads.encode(args.lastHeartbeatDetails)
  }
  ai.lastWorkerIdentity = args.identity
  const retryState = retryActivity(ms, ai, args.failure ?? undefined)
  if (retryState === RetryState.RETRY_STATE_IN_PROGRESS) return
  const startedEventId = addStartedEvent(ms, ai)
  ms.addEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, 'activityTaskFailedEventAttributes', {
    failure: args.failure,
    scheduledEventId: long(ai.scheduledEventId),
    startedEventId: long(startedEventId),
    identity: args.identity,
    retryState,
  })
  closeActivity(ms, ai)
}

/** The worker acknowledged a cancel request. */
export function cancelActivity(
  ms: MutableState,
  ai: ActivityInfo,
  args: { details: pb.Payloads | null | undefined; identity: string },
): void {
  const startedEventId = addStartedEvent(ms, ai)
  ms.addEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED, 'activityTaskCanceledEventAttributes', {
    details: args.details,
    latestCancelRequestedEventId: long(ai.cancelRequestedEventId),
    scheduledEventId: long(ai.scheduledEventId),
    startedEventId: long(startedEventId),
    identity: args.identity,
  })
  closeActivity(ms, ai)
}

/**
 * The workflow asked to cancel the activity. A started one learns of it through its heartbeat
 * response; one not started yet is canceled at once (handleCommandRequestCancelActivity).
 */
export function requestCancelActivity(
  ms: MutableState,
  ai: ActivityInfo,
  workflowTaskCompletedEventId: number,
): void {
  const event = ms.addEvent(
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
    'activityTaskCancelRequestedEventAttributes',
    {
      scheduledEventId: long(ai.scheduledEventId),
      workflowTaskCompletedEventId: long(workflowTaskCompletedEventId),
    },
  )
  ai.cancelRequested = true
  ai.cancelRequestedEventId = toNumber(event.eventId)
  if (ai.startedTime === 0) {
    cancelActivity(ms, ai, {
      details: { payloads: [jsonPayload('ACTIVITY_ID_NOT_STARTED')] },
      identity: '',
    })
  }
}

/** One of the activity's timeouts fired for the attempt it was armed for. */
export function timeoutActivity(
  ms: MutableState,
  ai: ActivityInfo,
  timeoutType: TimeoutType,
): void {
  let failure: pb.Failure = {
    message: `activity ${timeoutTypeName(timeoutType)} timeout`,
    source: 'Server',
    timeoutFailureInfo: { timeoutType },
  }
  const retryState = retryActivity(ms, ai, failure)
  if (retryState === RetryState.RETRY_STATE_IN_PROGRESS) return
  if (
    retryState === RetryState.RETRY_STATE_TIMEOUT &&
    timeoutType !== TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START
  ) {
    failure = {
      message:
        'Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up retrying',
      source: 'Server',
      timeoutFailureInfo: { timeoutType: TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE },
    }
  }
  failure.timeoutFailureInfo!.lastHeartbeatDetails = encodedPayloads.decode(ai.lastHeartbeatDetails)
  failure.cause = encodedFailure.decode(ai.lastFailure)
  const startedEventId = addStartedEvent(ms, ai)
  ms.addEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, 'activityTaskTimedOutEventAttributes', {
    failure,
    scheduledEventId: long(ai.scheduledEventId),
    startedEventId: long(startedEventId),
    retryState,
  })
  closeActivity(ms, ai)
}

/**
 * Schedules the next attempt after a backoff if the policy allows (MutableStateImpl.RetryActivity);
 * returns RETRY_STATE_IN_PROGRESS then, or the state that ends retrying.
 */
function retryActivity(
  ms: MutableState,
  ai: ActivityInfo,
  failure: pb.Failure | undefined,
): RetryState {
  if (ai.cancelRequested) return RetryState.RETRY_STATE_CANCEL_REQUESTED
  const timeoutType = failure?.timeoutFailureInfo?.timeoutType
  if (
    timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START ||
    timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE
  ) {
    return RetryState.RETRY_STATE_TIMEOUT
  }
  if (!isRetryableFailure(failure, ai.retryPolicy.nonRetryableErrorTypes)) {
    return RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE
  }
  const now = ms.now()
  const { delayMs, state } = nextBackoff({
    now,
    attempt: ai.attempt,
    policy: ai.retryPolicy,
    expirationTime: ai.expirationTime,
    nextRetryDelayMs: nextRetryDelayOf(failure),
  })
  if (state !== RetryState.RETRY_STATE_IN_PROGRESS) return state
  ms.deleteTimers(ai.attemptTimerKeys)
  ai.attemptTimerKeys = []
  ai.attempt++
  ai.scheduledTime = now + delayMs
  ai.startedTime = 0
  ai.startedIdentity = ''
  ai.requestId = ''
  ai.lastFailure = encodedFailure.encode(failure)
  ai.lastAttemptCompleteTime = now
  ai.retryTimerKey = ms.addTimer(ai.scheduledTime, {
    kind: 'activity-retry',
    scheduledEventId: ai.scheduledEventId,
    attempt: ai.attempt,
  })
  ms.markDirty()
  return RetryState.RETRY_STATE_IN_PROGRESS
}

/** Go's TimeoutType.String(): TIMEOUT_TYPE_START_TO_CLOSE → "StartToClose". */
function timeoutTypeName(t: TimeoutType): string {
  return (TimeoutType[t] ?? '')
    .replace('TIMEOUT_TYPE_', '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase())
}

function jsonPayload(value: unknown): pb.Payload {
  return {
    metadata: { encoding: Buffer.from('json/plain') },
    data: Buffer.from(JSON.stringify(value)),
  }
}

export function activityByActivityId(
  ms: MutableState,
  activityId: string,
): ActivityInfo | undefined {
  return Object.values(ms.data.activities).find((a) => a.activityId === activityId)
}
