/**
 * The persisted shape of a run's mutable state. It is JSON: protobuf values that carry payloads
 * (memo, search attributes, failures, heartbeat details, buffered events) are kept as base64 of
 * their protobuf encoding, see `encoded.ts`.
 */
import type { RetryPolicyData } from '../../common/retry-policy.js'
import type { QueueTaskKey, TimerTaskKey } from '../../persistence/store.js'

/** Run lifecycle, as Temporal's WorkflowExecutionState. */
export type RunState = 'created' | 'running' | 'completed'

export interface ExecutionInfo {
  namespaceId: string
  workflowId: string
  runId: string
  firstRunId: string
  workflowType: string
  taskQueue: string
  /** 0 = unlimited. */
  executionTimeoutMs: number
  runTimeoutMs: number
  taskTimeoutMs: number
  startTime: number
  /** When the first workflow task may run (start time plus any start delay). */
  executionTime: number
  closeTime: number
  /** 0 = none. */
  executionExpirationTime: number
  createRequestId: string
  attempt: number
  retryPolicy?: RetryPolicyData
  memo?: string
  searchAttributes?: string
  /** The run's input, kept only when a retry or cron run will need it again. */
  input?: string
  /** The last successful result of a cron chain, handed to the next run. */
  lastCompletionResult?: string
  /** The parent that started this run as a child, to report its close to. */
  parent?: { namespaceId: string; workflowId: string; runId: string; initiatedEventId: number }
  /** The top of this run's chain of parents, when it has a parent (else the run itself). */
  root?: { workflowId: string; runId: string }
  stickyTaskQueue: string
  stickyScheduleToStartTimeoutMs: number
  cronSchedule: string
}

/** The one pending workflow task of a run, if any (Temporal keeps at most one). */
export interface WorkflowTaskInfo {
  scheduledEventId: number
  /** 0 until started. */
  startedEventId: number
  attempt: number
  taskQueue: string
  /** 'sticky' when dispatched to the worker's sticky queue. */
  taskQueueKind: 'normal' | 'sticky'
  timeoutMs: number
  scheduledTime: number
  startedTime: number
  requestId: string
  identity: string
  historySizeBytes: number
  /** Timer rows created for this task, deleted when it ends. */
  timerKeys: TimerTaskKey[]
  /** Queue rows not yet consumed by a poll, deleted if the task ends without starting. */
  queueTaskKeys: QueueTaskKey[]
  /** Scheduled only to deliver updates; its events are written only if it produces any. */
  speculative?: boolean
}

export interface ActivityInfo {
  scheduledEventId: number
  activityId: string
  activityType: string
  taskQueue: string
  /** Scheduled time of the current attempt. */
  scheduledTime: number
  firstScheduledTime: number
  /** 0 while not started; the attempt's start is recorded without an event until it closes. */
  startedTime: number
  startedIdentity: string
  requestId: string
  attempt: number
  scheduleToStartTimeoutMs: number
  scheduleToCloseTimeoutMs: number
  startToCloseTimeoutMs: number
  heartbeatTimeoutMs: number
  retryPolicy: RetryPolicyData
  /** 0 = none (no schedule-to-close timeout). */
  expirationTime: number
  cancelRequested: boolean
  cancelRequestedEventId: number
  lastHeartbeatTime: number
  lastHeartbeatDetails?: string
  lastFailure?: string
  lastWorkerIdentity: string
  /** When the last failed attempt ended (ms), while a retry waits; absent in older states. */
  lastAttemptCompleteTime?: number
  /** Timer rows of the current attempt (schedule-to-start, start-to-close, heartbeat). */
  attemptTimerKeys: TimerTaskKey[]
  /** The schedule-to-close timer, which spans all attempts. */
  scheduleToCloseTimerKey?: TimerTaskKey
  /** The pending retry timer while the activity waits for its next attempt. */
  retryTimerKey?: TimerTaskKey
  header?: string
  input?: string
}

export interface TimerInfo {
  timerId: string
  startedEventId: number
  expiryTime: number
  timerKey: TimerTaskKey
}

/** A child workflow this run started (StartChildWorkflowExecution), keyed by its initiated event. */
export interface ChildInfo {
  initiatedEventId: number
  /** 0 until ChildWorkflowExecutionStarted is written. */
  startedEventId: number
  namespace: string
  namespaceId: string
  workflowId: string
  /** The child's first run, once started. */
  runId: string
  workflowType: string
  parentClosePolicy: number
}

/** A SignalExternal / RequestCancelExternal command in flight, keyed by its initiated event. */
export interface ExternalRequestInfo {
  initiatedEventId: number
  namespace: string
  namespaceId: string
  workflowId: string
  runId: string
  control: string
  childWorkflowOnly: boolean
}

export interface MutableStateData {
  executionInfo: ExecutionInfo
  state: RunState
  /** WorkflowExecutionStatus. */
  status: number
  nextEventId: number
  lastCompletedWorkflowTaskStartedEventId: number
  workflowTask?: WorkflowTaskInfo
  /** Attempt of the next workflow task: above 1 after failures, making it transient. */
  workflowTaskAttempt: number
  activities: Record<string, ActivityInfo>
  /** Keyed by the workflow's timer id. */
  timers: Record<string, TimerInfo>
  /** Events waiting for the in-flight workflow task to end (encoded HistoryEvent, base64). */
  bufferedEvents: string[]
  cancelRequested: boolean
  /** Set when a close was rejected for unhandled events; cleared by the next task. */
  workflowCloseAttempted: boolean
  /** Timer rows of the workflow itself (run/execution timeout, start backoff). */
  workflowTimerKeys: TimerTaskKey[]
  completionEventId: number
  stateTransitionCount: number
  historySizeBytes: number
  /** Request ids of cancel requests already applied, for idempotency. */
  cancelRequestId: string
  /** Request ids of recent signals, so a retried SignalWorkflowExecution applies once. */
  signalRequestIds?: string[]
  children?: Record<string, ChildInfo>
  /** Updates recorded in history, by update id (for dedupe and for PollWorkflowExecutionUpdate). */
  updates?: Record<string, { acceptedEventId: number; completedEventId: number }>
  externalSignals?: Record<string, ExternalRequestInfo>
  externalCancels?: Record<string, ExternalRequestInfo>
}
