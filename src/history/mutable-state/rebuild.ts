/**
 * Rebuilds a run's mutable state from its history events, for a reset: the new run starts from a
 * prefix of the base run's history (Temporal's mutable_state_rebuilder.go). Pending activities
 * and timers, children and requests to other workflows are recovered; the caller re-arms their
 * tasks.
 */
import { randomUUID } from 'node:crypto'
import { InvalidArgumentError } from '../../common/errors.js'
import { api, toNumber, type pb } from '../../common/proto.js'
import { normalizeRetryPolicy } from '../../common/retry-policy.js'
import { msFromDuration, msFromTimestamp } from '../../common/time.js'
import { encodedMemo, encodedSearchAttributes } from './encoded.js'
import { emptyRunState } from './execution.js'
import { activityInfoFromScheduled } from './activities.js'
import type { ExternalRequestInfo, MutableStateData } from './state.js'

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
  applyChildAndExternal(d, e, id)
}

/** Children and signal/cancel requests to other workflows still in flight at the prefix's end. */
function applyChildAndExternal(d: MutableStateData, e: pb.HistoryEvent, id: number): void {
  const init = e.startChildWorkflowExecutionInitiatedEventAttributes
  if (init) {
    ;(d.children ??= {})[id] = {
      initiatedEventId: id,
      startedEventId: 0,
      namespace: init.namespace ?? '',
      namespaceId: init.namespaceId ?? d.executionInfo.namespaceId,
      workflowId: init.workflowId ?? '',
      runId: '',
      workflowType: init.workflowType?.name ?? '',
      parentClosePolicy: init.parentClosePolicy ?? 0,
    }
  }
  const started = e.childWorkflowExecutionStartedEventAttributes
  const child = started && d.children?.[toNumber(started.initiatedEventId)]
  if (started && child) {
    child.startedEventId = id
    child.runId = started.workflowExecution?.runId ?? ''
  }
  const ended =
    e.startChildWorkflowExecutionFailedEventAttributes ??
    e.childWorkflowExecutionCompletedEventAttributes ??
    e.childWorkflowExecutionFailedEventAttributes ??
    e.childWorkflowExecutionCanceledEventAttributes ??
    e.childWorkflowExecutionTimedOutEventAttributes ??
    e.childWorkflowExecutionTerminatedEventAttributes
  if (ended && d.children) delete d.children[toNumber(ended.initiatedEventId)]

  const signal = e.signalExternalWorkflowExecutionInitiatedEventAttributes
  if (signal) (d.externalSignals ??= {})[id] = externalInfo(d, id, signal)
  const cancel = e.requestCancelExternalWorkflowExecutionInitiatedEventAttributes
  if (cancel) (d.externalCancels ??= {})[id] = externalInfo(d, id, cancel)
  const signalDone =
    e.externalWorkflowExecutionSignaledEventAttributes ??
    e.signalExternalWorkflowExecutionFailedEventAttributes
  if (signalDone && d.externalSignals)
    delete d.externalSignals[toNumber(signalDone.initiatedEventId)]
  const cancelDone =
    e.externalWorkflowExecutionCancelRequestedEventAttributes ??
    e.requestCancelExternalWorkflowExecutionFailedEventAttributes
  if (cancelDone && d.externalCancels)
    delete d.externalCancels[toNumber(cancelDone.initiatedEventId)]
}

function externalInfo(
  d: MutableStateData,
  initiatedEventId: number,
  a: {
    namespace?: string | null
    namespaceId?: string | null
    workflowExecution?: pb.WorkflowExecution | null
    control?: string | null
    childWorkflowOnly?: boolean | null
  },
): ExternalRequestInfo {
  return {
    initiatedEventId,
    namespace: a.namespace ?? '',
    namespaceId: a.namespaceId || d.executionInfo.namespaceId,
    workflowId: a.workflowExecution?.workflowId ?? '',
    runId: a.workflowExecution?.runId ?? '',
    control: a.control ?? '',
    childWorkflowOnly: a.childWorkflowOnly ?? false,
  }
}
