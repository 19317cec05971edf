/**
 * The one place where Temporal's protobuf types are named. Everything else imports its aliases from
 * here, so the wire model (events, commands, requests, failures) is never re-declared by hand.
 *
 * `@temporalio/proto` is a protobufjs reflection root: each message type carries its own
 * `encode`/`decode`, generated at load time.
 */
import protoRoot from '@temporalio/proto'
import type { temporal, google } from '@temporalio/proto'
import Long from 'long'

export const root = protoRoot
export const api = protoRoot.temporal.api

export type { temporal, google }

// Namespaces of the API, as types.
export type wf = typeof api.workflowservice.v1
export declare namespace pb {
  export type HistoryEvent = temporal.api.history.v1.IHistoryEvent
  export type History = temporal.api.history.v1.IHistory
  export type Command = temporal.api.command.v1.ICommand
  export type Payload = temporal.api.common.v1.IPayload
  export type Payloads = temporal.api.common.v1.IPayloads
  export type Header = temporal.api.common.v1.IHeader
  export type Memo = temporal.api.common.v1.IMemo
  export type SearchAttributes = temporal.api.common.v1.ISearchAttributes
  export type RetryPolicy = temporal.api.common.v1.IRetryPolicy
  export type WorkflowExecution = temporal.api.common.v1.IWorkflowExecution
  export type WorkflowType = temporal.api.common.v1.IWorkflowType
  export type ActivityType = temporal.api.common.v1.IActivityType
  export type TaskQueue = temporal.api.taskqueue.v1.ITaskQueue
  export type Failure = temporal.api.failure.v1.IFailure
  export type Timestamp = google.protobuf.ITimestamp
  export type Duration = google.protobuf.IDuration
  export type NamespaceInfo = temporal.api.namespace.v1.INamespaceInfo
  export type NamespaceConfig = temporal.api.namespace.v1.INamespaceConfig
  export type PollerInfo = temporal.api.taskqueue.v1.IPollerInfo
  export type Message = temporal.api.protocol.v1.IMessage
  export type UpdateWorkflowExecutionRequest =
    temporal.api.workflowservice.v1.IUpdateWorkflowExecutionRequest
  export type UpdateResponse = temporal.api.update.v1.IResponse
  export type WorkflowTaskCompletedEventAttributes =
    temporal.api.history.v1.IWorkflowTaskCompletedEventAttributes
  export type PendingActivityInfo = temporal.api.workflow.v1.IPendingActivityInfo
  export type PendingChildExecutionInfo = temporal.api.workflow.v1.IPendingChildExecutionInfo
  export type WorkflowQuery = temporal.api.query.v1.IWorkflowQuery
  export type WorkflowQueryResult = temporal.api.query.v1.IWorkflowQueryResult
}

export const EventType = api.enums.v1.EventType
export type EventType = temporal.api.enums.v1.EventType
export const CommandType = api.enums.v1.CommandType
export type CommandType = temporal.api.enums.v1.CommandType
export const WorkflowExecutionStatus = api.enums.v1.WorkflowExecutionStatus
export type WorkflowExecutionStatus = temporal.api.enums.v1.WorkflowExecutionStatus
export const WorkflowTaskFailedCause = api.enums.v1.WorkflowTaskFailedCause
export type WorkflowTaskFailedCause = temporal.api.enums.v1.WorkflowTaskFailedCause
export const TimeoutType = api.enums.v1.TimeoutType
export type TimeoutType = temporal.api.enums.v1.TimeoutType
export const RetryState = api.enums.v1.RetryState
export type RetryState = temporal.api.enums.v1.RetryState
export const TaskQueueKind = api.enums.v1.TaskQueueKind
export const TaskQueueType = api.enums.v1.TaskQueueType
export const WorkflowIdReusePolicy = api.enums.v1.WorkflowIdReusePolicy
export type WorkflowIdReusePolicy = temporal.api.enums.v1.WorkflowIdReusePolicy
export const WorkflowIdConflictPolicy = api.enums.v1.WorkflowIdConflictPolicy
export const NamespaceState = api.enums.v1.NamespaceState
export const HistoryEventFilterType = api.enums.v1.HistoryEventFilterType
export const PendingActivityState = api.enums.v1.PendingActivityState
export const ParentClosePolicy = api.enums.v1.ParentClosePolicy
export const StartChildWorkflowExecutionFailedCause =
  api.enums.v1.StartChildWorkflowExecutionFailedCause
export const SignalExternalWorkflowExecutionFailedCause =
  api.enums.v1.SignalExternalWorkflowExecutionFailedCause
export const CancelExternalWorkflowExecutionFailedCause =
  api.enums.v1.CancelExternalWorkflowExecutionFailedCause
export const QueryResultType = api.enums.v1.QueryResultType
export const QueryRejectCondition = api.enums.v1.QueryRejectCondition
export const ContinueAsNewInitiator = api.enums.v1.ContinueAsNewInitiator
export type ContinueAsNewInitiator = temporal.api.enums.v1.ContinueAsNewInitiator

/** An int64 as protobufjs hands it over (Long when decoded, number when we built it). */
export type Int64 = Long | number | string | null | undefined

/** int64 → number. Event ids, attempts and times in ms all fit in 2^53. */
export function toNumber(v: Int64): number {
  if (v == null) return 0
  if (typeof v === 'number') return v
  if (typeof v === 'string') return Number(v)
  return v.toNumber()
}

/** number → Long, for int64 fields of messages we build. */
/**
 * An enum value as Temporal's Go enums print it (`String()`): the constant without its prefix,
 * in CamelCase — WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW is "ContinuedAsNew".
 */
export function enumWord(
  values: Readonly<Record<number, string | undefined>>,
  value: number,
  prefix: string,
): string {
  return (values[value] ?? `${prefix}UNSPECIFIED`)
    .slice(prefix.length)
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')
}

export function long(n: number): Long {
  return Long.fromNumber(n)
}

export { Long }
