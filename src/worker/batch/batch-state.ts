/**
 * A batch job's durable state: the JSON document in its job row (kind `batch`, id = job id).
 * Temporal keeps a batch as a system workflow whose activity heartbeats its progress
 * (service/worker/batcher); here the row is both the record and the cursor, committed after
 * every chunk of targets, so a restarted server resumes where the last commit left off.
 */
import { api } from '../../common/proto.js'

/** The workflow operations a batch can apply (Temporal's BatchOperationType, workflow half). */
export type BatchOperationKind = 'terminate' | 'cancel' | 'signal' | 'delete' | 'reset'

/** RUNNING, COMPLETED, or FAILED (stopped, or its query could not be run). */
export type BatchJobState = 'running' | 'completed' | 'failed'

/**
 * A run the job acts on: `[workflowId, runId]`; an empty run id means the workflow's current run.
 * Tuples keep a few thousand targets in a row small.
 */
export type Target = [workflowId: string, runId: string]

/**
 * Where the next targets come from.
 * - `executions`: the request's explicit list, from index `next`.
 * - `query`: the visibility query, paged lazily in the default order from `token` (base64);
 *   `more` is false once a page came back without a next token.
 * - `pinning`: a reset by query first pages the whole query into `pinned` (see
 *   {@link BatchState.pinned}); then the source becomes `pinned`.
 * - `pinned`: the pinned list, from index `next`.
 */
export type TargetSource =
  | { kind: 'executions'; next: number }
  | { kind: 'query'; token: string; more: boolean; counted: boolean }
  | { kind: 'pinning'; token: string; counted: boolean }
  | { kind: 'pinned'; next: number }

export interface BatchState {
  jobId: string
  operation: BatchOperationKind
  /** The operation message (BatchOperationTermination, ...Signal, ...), encoded, base64. */
  message: string
  reason: string
  /** The operation's identity (Temporal's BatcherUser). */
  identity: string
  /** The visibility query as given, when the job targets one. */
  query?: string
  /** The explicit executions as given, when the job targets a list. */
  executions?: Target[]
  /** Operations per second, after the server's cap. */
  rps: number
  state: BatchJobState
  /** ms since the epoch. */
  startTime: number
  /** ms since the epoch; 0 while running. */
  closeTime: number
  /** The estimate while running (Temporal's TotalEstimate); complete + failure once done. */
  total: number
  complete: number
  failure: number
  source: TargetSource
  /**
   * A reset by query's targets, fixed before the first reset: a reset closes the base run (which
   * moves it in the default order) and opens a run that matches the same query, so paging it
   * lazily would meet both again.
   */
  pinned?: Target[]
  /**
   * The chunk being applied, recorded (committed) before its first operation. Found non-empty on
   * load, it may have been partly applied by a server that died before the next commit; it is
   * applied again, each operation being a no-op the second time (see batch-apply.ts).
   */
  pending: Target[]
  /** Who stopped the job, and why (StopBatchOperation). */
  stopped?: { reason: string; identity: string }
}

const BatchOperationType = api.enums.v1.BatchOperationType
const BatchOperationState = api.enums.v1.BatchOperationState

/** DescribeBatchOperation's operation_type: the `*_WORKFLOW` values (13-17), as Temporal answers. */
export function operationType(kind: BatchOperationKind): number {
  switch (kind) {
    case 'terminate':
      return BatchOperationType.BATCH_OPERATION_TYPE_TERMINATE_WORKFLOW
    case 'cancel':
      return BatchOperationType.BATCH_OPERATION_TYPE_CANCEL_WORKFLOW
    case 'signal':
      return BatchOperationType.BATCH_OPERATION_TYPE_SIGNAL_WORKFLOW
    case 'delete':
      return BatchOperationType.BATCH_OPERATION_TYPE_DELETE_WORKFLOW
    case 'reset':
      return BatchOperationType.BATCH_OPERATION_TYPE_RESET_WORKFLOW
  }
}

export function operationState(state: BatchJobState): number {
  switch (state) {
    case 'running':
      return BatchOperationState.BATCH_OPERATION_STATE_RUNNING
    case 'completed':
      return BatchOperationState.BATCH_OPERATION_STATE_COMPLETED
    case 'failed':
      return BatchOperationState.BATCH_OPERATION_STATE_FAILED
  }
}

/**
 * The query the job pages: terminate, cancel and signal only touch open workflows, delete and
 * reset take the query as given (batcher/activities.go adjustQueryBatchTypeEnum).
 */
export function adjustedQuery(kind: BatchOperationKind, query: string): string {
  switch (kind) {
    case 'terminate':
    case 'cancel':
    case 'signal':
      return `(${query}) AND ExecutionStatus = 'Running'`
    case 'delete':
    case 'reset':
      return query
  }
}

/** True when no target is left to take from the source (the pending chunk aside). */
export function sourceExhausted(s: BatchState): boolean {
  switch (s.source.kind) {
    case 'executions':
      return s.source.next >= (s.executions?.length ?? 0)
    case 'query':
      return !s.source.more
    case 'pinning':
      return false
    case 'pinned':
      return s.source.next >= (s.pinned?.length ?? 0)
  }
}

/** Marks the job closed at `now` with its final counts. */
export function closeJob(s: BatchState, state: 'completed' | 'failed', now: number): void {
  s.state = state
  s.closeTime = now
  s.pending = []
  if (state === 'completed') s.total = s.complete + s.failure
}

export function decodeState(data: string): BatchState {
  return JSON.parse(data) as BatchState
}

export function encodeState(s: BatchState): string {
  return JSON.stringify(s)
}
