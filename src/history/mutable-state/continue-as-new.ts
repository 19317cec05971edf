/**
 * Runs that end by starting the next run of the same workflow id in the same transaction:
 * continue-as-new, a workflow retry (retry policy), and the next cron run. The old run's close
 * event names the new run (`newExecutionRunId`), which the client's `result()` follows
 * (Temporal: workflow_task_completed_handler.go handleCommandContinueAsNewWorkflow and
 * retryCronContinueAsNew).
 */
import { randomUUID } from 'node:crypto'
import {
  ContinueAsNewInitiator,
  EventType,
  RetryState,
  WorkflowExecutionStatus,
  long,
  type pb,
} from '../../common/proto.js'
import { isRetryableFailure, nextBackoff, nextRetryDelayOf } from '../../common/retry-policy.js'
import { durationFromMs, msFromDuration } from '../../common/time.js'
import { cronBackoffMs } from '../cron.js'
import { encodedMemo, encodedPayloads, encodedSearchAttributes } from './encoded.js'
import { closeRun } from './execution.js'
import type { MutableState } from './mutable-state.js'
import { prepareRun, type PreparedRun } from './new-run.js'

type ContinueAsNewAttributes = NonNullable<
  pb.Command['continueAsNewWorkflowExecutionCommandAttributes']
>

interface NextRunArgs {
  runId: string
  initiator: ContinueAsNewInitiator
  backoffMs: number
  attempt: number
  input: pb.Payloads | null | undefined
  continuedFailure?: pb.Failure | null
  lastCompletionResult?: pb.Payloads | null
  attrs?: ContinueAsNewAttributes
}

/** The next run of this workflow id, inheriting what Temporal carries over a chain. */
function nextRun(ms: MutableState, a: NextRunArgs): PreparedRun {
  const info = ms.info
  const attrs = a.attrs
  return prepareRun({
    namespaceId: info.namespaceId,
    workflowId: info.workflowId,
    runId: a.runId,
    firstRunId: info.firstRunId,
    workflowType: attrs?.workflowType?.name || info.workflowType,
    taskQueue: attrs?.taskQueue?.name || info.taskQueue,
    input: a.input,
    executionTimeoutMs: info.executionTimeoutMs,
    runTimeoutMs: msFromDuration(attrs?.workflowRunTimeout) || info.runTimeoutMs,
    taskTimeoutMs: msFromDuration(attrs?.workflowTaskTimeout) || info.taskTimeoutMs,
    startDelayMs: a.backoffMs,
    now: ms.now(),
    requestId: randomUUID(),
    identity: '',
    retryPolicy: attrs?.retryPolicy ?? retryPolicyOf(ms),
    memo: attrs?.memo ?? encodedMemo.decode(info.memo),
    searchAttributes:
      attrs?.searchAttributes ?? encodedSearchAttributes.decode(info.searchAttributes),
    header: attrs?.header,
    cronSchedule: attrs?.cronSchedule || info.cronSchedule,
    attempt: a.attempt,
    executionExpirationTime: info.executionExpirationTime,
    chain: {
      continuedExecutionRunId: info.runId,
      initiator: a.initiator,
      continuedFailure: a.continuedFailure,
      lastCompletionResult: a.lastCompletionResult,
      ...(info.parent
        ? {
            parentWorkflowNamespaceId: info.parent.namespaceId,
            parentWorkflowExecution: {
              workflowId: info.parent.workflowId,
              runId: info.parent.runId,
            },
            parentInitiatedEventId: long(info.parent.initiatedEventId),
          }
        : {}),
      ...(info.root ? { rootWorkflowExecution: { ...info.root } } : {}),
    },
  })
}

function retryPolicyOf(ms: MutableState): pb.RetryPolicy | undefined {
  const p = ms.info.retryPolicy
  if (!p) return undefined
  return {
    initialInterval: durationFromMs(p.initialIntervalMs),
    backoffCoefficient: p.backoffCoefficient,
    maximumInterval: durationFromMs(p.maximumIntervalMs),
    maximumAttempts: p.maximumAttempts,
    nonRetryableErrorTypes: p.nonRetryableErrorTypes,
  }
}

/** The ContinueAsNewWorkflowExecution command. */
export function continueAsNew(
  ms: MutableState,
  attrs: ContinueAsNewAttributes,
  workflowTaskCompletedEventId: number,
): void {
  const runId = randomUUID()
  const backoffMs = msFromDuration(attrs.backoffStartInterval)
  const run = nextRun(ms, {
    runId,
    initiator: attrs.initiator || ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW,
    backoffMs,
    attempt: 1,
    input: attrs.input,
    continuedFailure: attrs.failure,
    lastCompletionResult: attrs.lastCompletionResult,
    attrs,
  })
  const event = ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
    'workflowExecutionContinuedAsNewEventAttributes',
    {
      newExecutionRunId: runId,
      workflowType: run.started.workflowType,
      taskQueue: run.started.taskQueue,
      input: attrs.input,
      workflowRunTimeout: run.started.workflowRunTimeout,
      workflowTaskTimeout: run.started.workflowTaskTimeout,
      workflowTaskCompletedEventId: long(workflowTaskCompletedEventId),
      backoffStartInterval: durationFromMs(backoffMs),
      initiator: run.started.initiator,
      failure: attrs.failure,
      lastCompletionResult: attrs.lastCompletionResult,
      header: attrs.header,
      memo: run.started.memo,
      searchAttributes: run.started.searchAttributes,
    },
  )
  closeRun(ms, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW, event, true)
  ms.newRun = run
}

/**
 * Whether a failing (or timing-out) run retries per its retry policy: the backoff and the state
 * to record (GetRetryBackoffDuration).
 */
export function workflowRetry(
  ms: MutableState,
  failure: pb.Failure | null | undefined,
): { delayMs: number; state: RetryState } {
  const policy = ms.info.retryPolicy
  if (!policy) return { delayMs: 0, state: RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET }
  if (!isRetryableFailure(failure, policy.nonRetryableErrorTypes)) {
    return { delayMs: 0, state: RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE }
  }
  return nextBackoff({
    now: ms.now(),
    attempt: ms.info.attempt,
    policy,
    expirationTime: ms.info.executionExpirationTime,
    nextRetryDelayMs: nextRetryDelayOf(failure),
  })
}

/** The delay to the next cron run, or undefined when the run has no cron schedule. */
export function cronBackoff(ms: MutableState): number | undefined {
  if (!ms.info.cronSchedule) return undefined
  return cronBackoffMs(ms.info.cronSchedule, ms.now())
}

/**
 * Starts the run that follows a retried or cron run, after its close event was written with
 * `newExecutionRunId` = `runId`.
 */
export function startFollowingRun(
  ms: MutableState,
  a: {
    runId: string
    initiator: ContinueAsNewInitiator
    backoffMs: number
    failure?: pb.Failure | null
    result?: pb.Payloads | null
  },
): void {
  const retry = a.initiator === ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY
  ms.newRun = nextRun(ms, {
    runId: a.runId,
    initiator: a.initiator,
    backoffMs: a.backoffMs,
    attempt: retry ? ms.info.attempt + 1 : 1,
    input: encodedPayloads.decode(ms.info.input),
    continuedFailure: a.failure,
    lastCompletionResult: a.result ?? encodedPayloads.decode(ms.info.lastCompletionResult),
  })
}
