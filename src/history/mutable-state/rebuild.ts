/**
 * Rebuilds a run's mutable state from its history events, for a reset: the new run starts from a
 * prefix of the base run's history (Temporal's mutable_state_rebuilder.go). Pending activities
 * and timers are recovered; the caller re-arms their tasks. Prefixes with pending child workflows
 * or external requests are refused: their in-flight work cannot be recovered from events alone
 * here.
 */
import { randomUUID } from 'node:crypto'
import { InvalidArgumentError } from '../../common/errors.js'
import { api, toNumber, type pb } from '../../common/proto.js'
import { normalizeRetryPolicy } from '../../common/retry-policy.js'
import { msFromDuration, msFromTimestamp } from '../../common/time.js'
import { encodedMemo, encodedSearchAttributes } from './encoded.js'
import { emptyRunState } from './execution.js'
import { activityInfoFromScheduled } from './activities.js'
import type { MutableStateData } from './state.js'

const HistoryEventType = api.history.v1.HistoryEvent

export function rebuildRunState(
  events: pb.HistoryEvent[],
  ids: { namespaceId: string; workflowId: string; runId: string },
): MutableStateData {
  const started = events[0]?.workflowExecutionStartedEventAttributes
  if (!started)
    throw new InvalidArgumentError('history does not begin with WorkflowExecutionStarted')
  const startTime = msFromTimestamp(events[0]!.eventTime)
  const executionTime = startTime + msFromDuration(started.firstWorkflowTaskBackoff)
  const data = emptyRunState({
    ...ids,
    firstRunId: started.firstExecutionRunId || ids.runId,
    workflowType: started.workflowType?.name ?? '',
    taskQueue: started.taskQueue?.name ?? '',
    executionTimeoutMs: msFromDuration(started.workflowExecutionTimeout),
    runTimeoutMs: msFromDuration(started.workflowRunTimeout),
    taskTimeoutMs: msFromDuration(started.workflowTaskTimeout),
    startTime,
    executionTime,
    closeTime: 0,
    executionExpirationTime: msFromTimestamp(started.workflowExecutionExpirationTime),
    createRequestId: randomUUID(),
    attempt: started.attempt || 1,
    retryPolicy: started.retryPolicy ? normalizeRetryPolicy(started.retryPolicy) : undefined,
    memo: encodedMemo.encode(started.memo),
    searchAttributes: encodedSearchAttributes.encode(started.searchAttributes),
    stickyTaskQueue: '',
    stickyScheduleToStartTimeoutMs: 0,
    cronSchedule: started.cronSchedule ?? '',
  })
  data.state = 'running'
  for (const e of events) {
    apply(data, e)
    data.nextEventId = toNumber(e.eventId) + 1
    data.historySizeBytes += HistoryEventType.encode(e).finish().length
  }
  return data
}

function apply(d: MutableStateData, e: pb.HistoryEvent): void {
  const id = toNumber(e.eventId)
  const time = msFromTimestamp(e.eventTime)
  if (e.workflowTaskScheduledEventAttributes) {
    const a = e.workflowTaskScheduledEventAttributes
    d.workflowTask = {
      scheduledEventId: id,
      startedEventId: 0,
      attempt: a.attempt || 1,
      taskQueue: d.executionInfo.taskQueue,
      taskQueueKind: 'normal',
      timeoutMs: msFromDuration(a.startToCloseTimeout),
      scheduledTime: time,
      startedTime: 0,
      requestId: '',
      identity: '',
      historySizeBytes: 0,
      timerKeys: [],
      queueTaskKeys: [],
    }
  } else if (e.workflowTaskStartedEventAttributes && d.workflowTask) {
    d.workflowTask.startedEventId = id
    d.workflowTask.startedTime = time
    d.workflowTask.identity = e.workflowTaskStartedEventAttributes.identity ?? ''
  } else if (e.workflowTaskCompletedEventAttributes) {
    d.lastCompletedWorkflowTaskStartedEventId = toNumber(
      e.workflowTaskCompletedEventAttributes.startedEventId,
    )
    d.workflowTask = undefined
  } else if (e.workflowTaskFailedEventAttributes || e.workflowTaskTimedOutEventAttributes) {
    d.workflowTask = undefined
  } else if (e.activityTaskScheduledEventAttributes) {
    d.activities[id] = activityInfoFromScheduled(e.activityTaskScheduledEventAttributes, id, time)
  } else if (e.activityTaskCancelRequestedEventAttributes) {
    const ai = d.activities[toNumber(e.activityTaskCancelRequestedEventAttributes.scheduledEventId)]
    if (ai) {
      ai.cancelRequested = true
      ai.cancelRequestedEventId = id
    }
  } else {
    const closed =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes ??
      e.activityTaskCanceledEventAttributes
    if (closed) delete d.activities[toNumber(closed.scheduledEventId)]
  }
  if (e.timerStartedEventAttributes) {
    const a = e.timerStartedEventAttributes
    const timerId = a.timerId ?? ''
    d.timers[timerId] = {
      timerId,
      startedEventId: id,
      expiryTime: time + msFromDuration(a.startToFireTimeout),
      timerKey: { fireTime: 0, taskId: 0 },
    }
  }
  const timerEnded = e.timerFiredEventAttributes ?? e.timerCanceledEventAttributes
  if (timerEnded) delete d.timers[timerEnded.timerId ?? '']
  if (e.workflowExecutionCancelRequestedEventAttributes) d.cancelRequested = true
  if (e.upsertWorkflowSearchAttributesEventAttributes) {
    const current = encodedSearchAttributes.decode(d.executionInfo.searchAttributes)?.indexedFields
    d.executionInfo.searchAttributes = encodedSearchAttributes.encode({
      indexedFields: {
        ...current,
        ...e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields,
      },
    })
  }
  if (e.workflowPropertiesModifiedEventAttributes) {
    const current = encodedMemo.decode(d.executionInfo.memo)?.fields
    d.executionInfo.memo = encodedMemo.encode({
      fields: { ...current, ...e.workflowPropertiesModifiedEventAttributes.upsertedMemo?.fields },
    })
  }
  if (e.workflowExecutionUpdateAcceptedEventAttributes) {
    const updateId = e.workflowExecutionUpdateAcceptedEventAttributes.protocolInstanceId ?? ''
    ;(d.updates ??= {})[updateId] = { acceptedEventId: id, completedEventId: 0 }
  }
  if (e.workflowExecutionUpdateCompletedEventAttributes) {
    const record =
      d.updates?.[e.workflowExecutionUpdateCompletedEventAttributes.meta?.updateId ?? '']
    if (record) record.completedEventId = id
  }
  if (
    e.startChildWorkflowExecutionInitiatedEventAttributes ||
    e.signalExternalWorkflowExecutionInitiatedEventAttributes ||
    e.requestCancelExternalWorkflowExecutionInitiatedEventAttributes
  ) {
    throw new InvalidArgumentError(
      'Resetting past a child workflow or an external signal/cancel request is not supported.',
    )
  }
}
