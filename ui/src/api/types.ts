/**
 * The parts of Temporal's API messages the UI reads, in their proto JSON form: lowerCamelCase
 * fields, int64 as strings, enums by full name, timestamps in RFC 3339, durations as "1.5s",
 * and payloads in Temporal's shorthand (see payload.ts). Fields at their default value are
 * absent, so nearly everything is optional. Only what a screen shows is declared; the full
 * message is still there for the JSON views.
 */

/** A `Payload`: its JSON value (shorthand) or `{ metadata, data }` in base64. */
export type PayloadJson = unknown
/** A `Payloads`: an array of values when every payload has a shorthand, else `{ payloads }`. */
export type PayloadsJson = unknown[] | { payloads?: PayloadJson[] }

export interface WorkflowExecution {
  workflowId?: string
  runId?: string
}

export interface NamespaceDescription {
  namespaceInfo?: { name?: string; state?: string; description?: string; id?: string }
  config?: { workflowExecutionRetentionTtl?: string }
}

export interface ListNamespacesResponse {
  namespaces?: NamespaceDescription[]
  nextPageToken?: string
}

export interface WorkflowExecutionInfo {
  execution?: WorkflowExecution
  type?: { name?: string }
  startTime?: string
  closeTime?: string
  executionTime?: string
  status?: string
  historyLength?: string
  parentExecution?: WorkflowExecution
  rootExecution?: WorkflowExecution
  memo?: { fields?: Record<string, PayloadJson> }
  searchAttributes?: { indexedFields?: Record<string, PayloadJson> }
  taskQueue?: string
  executionDuration?: string
}

export interface ListWorkflowExecutionsResponse {
  executions?: WorkflowExecutionInfo[]
  nextPageToken?: string
}

export interface CountWorkflowExecutionsResponse {
  count?: string
  groups?: { groupValues?: PayloadJson[]; count?: string }[]
}

export interface Failure {
  message?: string
  source?: string
  stackTrace?: string
  cause?: Failure
  applicationFailureInfo?: { type?: string; nonRetryable?: boolean; details?: PayloadsJson }
  timeoutFailureInfo?: { timeoutType?: string }
  activityFailureInfo?: {
    activityType?: { name?: string }
    activityId?: string
    retryState?: string
  }
  childWorkflowExecutionFailureInfo?: { workflowType?: { name?: string }; retryState?: string }
  [other: string]: unknown
}

export interface PendingActivityInfo {
  activityId?: string
  activityType?: { name?: string }
  state?: string
  attempt?: number
  maximumAttempts?: number
  scheduledTime?: string
  lastStartedTime?: string
  lastHeartbeatTime?: string
  heartbeatDetails?: PayloadsJson
  lastFailure?: Failure
  lastWorkerIdentity?: string
  currentRetryInterval?: string
  nextAttemptScheduleTime?: string
  expirationTime?: string
}

export interface PendingChildExecutionInfo {
  workflowId?: string
  runId?: string
  workflowTypeName?: string
  initiatedId?: string
}

export interface DescribeWorkflowExecutionResponse {
  executionConfig?: {
    taskQueue?: { name?: string }
    workflowExecutionTimeout?: string
    workflowRunTimeout?: string
    defaultWorkflowTaskTimeout?: string
  }
  workflowExecutionInfo?: WorkflowExecutionInfo
  pendingActivities?: PendingActivityInfo[]
  pendingChildren?: PendingChildExecutionInfo[]
  pendingWorkflowTask?: { state?: string; attempt?: number; scheduledTime?: string }
  workflowExtendedInfo?: { cancelRequested?: boolean; resetRunId?: string }
}

/** One event: common fields plus exactly one `<eventType>EventAttributes` member. */
export interface HistoryEvent {
  eventId?: string
  eventTime?: string
  eventType?: string
  [attributes: string]: unknown
}

export interface GetWorkflowExecutionHistoryResponse {
  history?: { events?: HistoryEvent[] }
  nextPageToken?: string
}

export interface QueryWorkflowResponse {
  queryResult?: PayloadsJson
  queryRejected?: { status?: string }
}

export interface UpdateWorkflowExecutionResponse {
  outcome?: { success?: PayloadsJson; failure?: Failure }
  stage?: string
}

export interface PollerInfo {
  identity?: string
  lastAccessTime?: string
  ratePerSecond?: number
}

export interface DescribeTaskQueueResponse {
  pollers?: PollerInfo[]
}

// Schedules (temporal.api.schedule.v1). Specs come back canonical: cron strings and calendars
// compiled into structured calendars, so those are what a screen shows.

/** A range of a calendar field: `start` to `end` (inclusive) every `step`. */
export interface Range {
  start?: number
  end?: number
  step?: number
}

export interface StructuredCalendarSpec {
  second?: Range[]
  minute?: Range[]
  hour?: Range[]
  dayOfMonth?: Range[]
  month?: Range[]
  year?: Range[]
  dayOfWeek?: Range[]
  comment?: string
}

export interface IntervalSpec {
  interval?: string
  phase?: string
}

export interface ScheduleSpec {
  structuredCalendar?: StructuredCalendarSpec[]
  cronString?: string[]
  interval?: IntervalSpec[]
  excludeStructuredCalendar?: StructuredCalendarSpec[]
  startTime?: string
  endTime?: string
  jitter?: string
  timezoneName?: string
}

export interface ScheduleStartWorkflow {
  workflowId?: string
  workflowType?: { name?: string }
  taskQueue?: { name?: string }
  input?: PayloadsJson
  workflowExecutionTimeout?: string
  workflowRunTimeout?: string
  workflowTaskTimeout?: string
}

export interface SchedulePolicies {
  overlapPolicy?: string
  catchupWindow?: string
  pauseOnFailure?: boolean
  keepOriginalWorkflowId?: boolean
}

export interface ScheduleState {
  notes?: string
  paused?: boolean
  limitedActions?: boolean
  remainingActions?: string
}

export interface Schedule {
  spec?: ScheduleSpec
  action?: { startWorkflow?: ScheduleStartWorkflow }
  policies?: SchedulePolicies
  state?: ScheduleState
}

export interface ScheduleActionResult {
  scheduleTime?: string
  actualTime?: string
  startWorkflowResult?: WorkflowExecution
  startWorkflowStatus?: string
}

export interface ScheduleInfo {
  actionCount?: string
  missedCatchupWindow?: string
  overlapSkipped?: string
  bufferDropped?: string
  bufferSize?: string
  runningWorkflows?: WorkflowExecution[]
  recentActions?: ScheduleActionResult[]
  futureActionTimes?: string[]
  createTime?: string
  updateTime?: string
  invalidScheduleError?: string
}

export interface DescribeScheduleResponse {
  schedule?: Schedule
  info?: ScheduleInfo
  conflictToken?: string
}

export interface ScheduleListEntry {
  scheduleId?: string
  info?: {
    spec?: ScheduleSpec
    workflowType?: { name?: string }
    notes?: string
    paused?: boolean
    recentActions?: ScheduleActionResult[]
    futureActionTimes?: string[]
  }
}

export interface ListSchedulesResponse {
  schedules?: ScheduleListEntry[]
  nextPageToken?: string
}

/** One change to a schedule's state; PatchSchedule takes any of these members. */
export interface SchedulePatch {
  triggerImmediately?: { overlapPolicy?: string }
  backfillRequest?: { startTime: string; endTime: string; overlapPolicy?: string }[]
  pause?: string
  unpause?: string
}

export interface ListScheduleMatchingTimesResponse {
  startTime?: string[]
}

// Batch operations (temporal.api.batch.v1).

export interface BatchOperationInfo {
  jobId?: string
  state?: string
  operationType?: string
  startTime?: string
  closeTime?: string
}

export interface ListBatchOperationsResponse {
  operationInfo?: BatchOperationInfo[]
  nextPageToken?: string
}

export interface DescribeBatchOperationResponse extends BatchOperationInfo {
  totalOperationCount?: string
  completeOperationCount?: string
  failureOperationCount?: string
  identity?: string
  reason?: string
  query?: string
  executions?: WorkflowExecution[]
}
