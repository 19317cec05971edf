/**
 * DescribeWorkflowExecution: the run's info (with its parent and root), config, pending
 * activities, pending children and workflow task.
 */
import {
  PendingActivityState,
  TaskQueueKind,
  api,
  long,
  type pb,
  type temporal,
} from '../../common/proto.js'
import { retryPolicyToProto } from '../../common/retry-policy.js'
import { durationFromMs, timestampFromMs } from '../../common/time.js'
import type { HistoryEngine } from '../history-engine.js'
import {
  encodedFailure,
  encodedMemo,
  encodedPayloads,
  encodedSearchAttributes,
} from '../mutable-state/encoded.js'
import type { ActivityInfo, ChildInfo } from '../mutable-state/state.js'

type Request = temporal.api.workflowservice.v1.IDescribeWorkflowExecutionRequest
type Response = temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse

const PendingWorkflowTaskState = api.enums.v1.PendingWorkflowTaskState

export async function invoke(
  engine: HistoryEngine,
  namespaceId: string,
  req: Request,
): Promise<Response> {
  const e = req.execution
  const key = await engine.resolveRun(namespaceId, e?.workflowId ?? '', e?.runId)
  const d = await engine.getRun(key)
  const info = d.executionInfo
  const wt = d.workflowTask
  return {
    executionConfig: {
      taskQueue: { name: info.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      workflowExecutionTimeout: durationFromMs(info.executionTimeoutMs),
      workflowRunTimeout: durationFromMs(info.runTimeoutMs),
      defaultWorkflowTaskTimeout: durationFromMs(info.taskTimeoutMs),
    },
    workflowExecutionInfo: {
      execution: { workflowId: key.workflowId, runId: key.runId },
      type: { name: info.workflowType },
      startTime: timestampFromMs(info.startTime),
      closeTime: info.closeTime ? timestampFromMs(info.closeTime) : null,
      status: d.status,
      historyLength: long(d.nextEventId - 1),
      executionTime: timestampFromMs(info.executionTime),
      memo: encodedMemo.decode(info.memo) ?? { fields: {} },
      searchAttributes: encodedSearchAttributes.decode(info.searchAttributes) ?? {
        indexedFields: {},
      },
      taskQueue: info.taskQueue,
      stateTransitionCount: long(d.stateTransitionCount),
      historySizeBytes: long(d.historySizeBytes),
      firstRunId: info.firstRunId,
      parentNamespaceId: info.parent?.namespaceId ?? '',
      parentExecution: info.parent
        ? { workflowId: info.parent.workflowId, runId: info.parent.runId }
        : null,
      rootExecution: {
        workflowId: info.root?.workflowId ?? info.workflowId,
        runId: info.root?.runId ?? info.runId,
      },
      executionDuration: info.closeTime
        ? durationFromMs(info.closeTime - info.executionTime)
        : null,
    },
    pendingActivities: Object.values(d.activities).map(pendingActivity),
    pendingWorkflowTask: wt
      ? {
          state:
            wt.startedEventId > 0
              ? PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED
              : PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED,
          scheduledTime: timestampFromMs(wt.scheduledTime),
          originalScheduledTime: timestampFromMs(wt.scheduledTime),
          startedTime: wt.startedTime ? timestampFromMs(wt.startedTime) : null,
          attempt: wt.attempt,
        }
      : null,
    pendingChildren: Object.values(d.children ?? {}).map(pendingChild),
  }
}

function pendingChild(c: ChildInfo): pb.PendingChildExecutionInfo {
  return {
    workflowId: c.workflowId,
    runId: c.runId,
    workflowTypeName: c.workflowType,
    initiatedId: long(c.initiatedEventId),
    parentClosePolicy: c.parentClosePolicy,
  }
}

function pendingActivity(ai: ActivityInfo): pb.PendingActivityInfo {
  const state = ai.cancelRequested
    ? PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED
    : ai.startedTime > 0
      ? PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
      : PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED
  return {
    activityId: ai.activityId,
    activityType: { name: ai.activityType },
    state,
    heartbeatDetails: encodedPayloads.decode(ai.lastHeartbeatDetails),
    lastHeartbeatTime: ai.lastHeartbeatTime ? timestampFromMs(ai.lastHeartbeatTime) : null,
    lastStartedTime: ai.startedTime ? timestampFromMs(ai.startedTime) : null,
    attempt: ai.attempt,
    maximumAttempts: ai.retryPolicy.maximumAttempts,
    scheduledTime: timestampFromMs(ai.scheduledTime),
    expirationTime: ai.expirationTime ? timestampFromMs(ai.expirationTime) : null,
    lastFailure: encodedFailure.decode(ai.lastFailure),
    lastWorkerIdentity: ai.lastWorkerIdentity,
    // While a retry waits for its backoff: when it will run, and how long the wait is.
    nextAttemptScheduleTime: ai.retryTimerKey ? timestampFromMs(ai.scheduledTime) : null,
    lastAttemptCompleteTime: ai.lastAttemptCompleteTime
      ? timestampFromMs(ai.lastAttemptCompleteTime)
      : null,
    currentRetryInterval:
      ai.retryTimerKey && ai.lastAttemptCompleteTime
        ? durationFromMs(ai.scheduledTime - ai.lastAttemptCompleteTime)
        : null,
    activityOptions: {
      taskQueue: { name: ai.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      scheduleToCloseTimeout: durationFromMs(ai.scheduleToCloseTimeoutMs),
      scheduleToStartTimeout: durationFromMs(ai.scheduleToStartTimeoutMs),
      startToCloseTimeout: durationFromMs(ai.startToCloseTimeoutMs),
      heartbeatTimeout: durationFromMs(ai.heartbeatTimeoutMs),
      retryPolicy: retryPolicyToProto(ai.retryPolicy),
    },
  }
}
