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
