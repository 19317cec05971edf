/**
 * Everything a new run starts with, whichever way it begins: StartWorkflowExecution,
 * signal-with-start, continue-as-new, a workflow retry, the next cron run, or a child started by
 * its parent. Timeout defaults and caps follow Temporal's start request normalisation
 * (frontend/workflow_handler.go + history/api/startworkflow).
 */
import { randomUUID } from 'node:crypto'
import { type pb } from '../../common/proto.js'
import { normalizeRetryPolicy, retryPolicyToProto } from '../../common/retry-policy.js'
import { durationFromMs, timestampFromMs } from '../../common/time.js'
import { encodedMemo, encodedPayloads, encodedSearchAttributes } from './encoded.js'
import { emptyRunState } from './execution.js'
import type { MutableStateData } from './state.js'
import { normalTaskQueue } from './workflow-tasks.js'

type StartedAttributes = NonNullable<pb.HistoryEvent['workflowExecutionStartedEventAttributes']>

const defaultTaskTimeoutMs = 10_000
const maxTaskTimeoutMs = 120_000

export interface RunParams {
  namespaceId: string
  workflowId: string
  /** Defaults to a new UUID. */
  runId?: string
  /** The chain's first run; defaults to this run. */
  firstRunId?: string
  workflowType: string
  taskQueue: string
  input: pb.Payloads | null | undefined
  executionTimeoutMs: number
  runTimeoutMs: number
  taskTimeoutMs: number
  /** Delay before the first workflow task (start delay, retry backoff, cron wait). */
  startDelayMs: number
  now: number
  requestId: string
  identity: string
  retryPolicy: pb.RetryPolicy | null | undefined
  memo: pb.Memo | null | undefined
  searchAttributes: pb.SearchAttributes | null | undefined
  header: pb.Header | null | undefined
  cronSchedule: string
  attempt?: number
  /** Carried across continue-as-new and retries: the chain's execution deadline (0 = none). */
  executionExpirationTime?: number
  /** What the StartedEvent says about how this run came to be. */
  chain?: Pick<
    StartedAttributes,
    | 'continuedExecutionRunId'
    | 'initiator'
    | 'continuedFailure'
    | 'lastCompletionResult'
    | 'parentWorkflowNamespace'
    | 'parentWorkflowNamespaceId'
    | 'parentWorkflowExecution'
    | 'parentInitiatedEventId'
    | 'rootWorkflowExecution'
    | 'priority'
  >
}

export interface PreparedRun {
  data: MutableStateData
  started: StartedAttributes
  startDelayMs: number
}

export function prepareRun(p: RunParams): PreparedRun {
  const runId = p.runId ?? randomUUID()
  let runTimeoutMs = p.runTimeoutMs
  if (runTimeoutMs === 0 || (p.executionTimeoutMs > 0 && runTimeoutMs > p.executionTimeoutMs)) {
    runTimeoutMs = p.executionTimeoutMs
  }
  let taskTimeoutMs = Math.min(p.taskTimeoutMs || defaultTaskTimeoutMs, maxTaskTimeoutMs)
  if (runTimeoutMs > 0) taskTimeoutMs = Math.min(taskTimeoutMs, runTimeoutMs)
  const executionTime = p.now + p.startDelayMs
  const executionExpirationTime =
    p.executionExpirationTime ??
    (p.executionTimeoutMs > 0 ? executionTime + p.executionTimeoutMs : 0)
  const retryPolicy = p.retryPolicy ? normalizeRetryPolicy(p.retryPolicy) : undefined
  const attempt = p.attempt ?? 1
  const firstRunId = p.firstRunId ?? runId
  const data = emptyRunState({
    namespaceId: p.namespaceId,
    workflowId: p.workflowId,
    runId,
    firstRunId,
    workflowType: p.workflowType,
    taskQueue: p.taskQueue,
    executionTimeoutMs: p.executionTimeoutMs,
    runTimeoutMs,
    taskTimeoutMs,
    startTime: p.now,
    executionTime,
    closeTime: 0,
    executionExpirationTime,
    createRequestId: p.requestId,
    attempt,
    retryPolicy,
    memo: encodedMemo.encode(p.memo),
    searchAttributes: encodedSearchAttributes.encode(p.searchAttributes),
    stickyTaskQueue: '',
    stickyScheduleToStartTimeoutMs: 0,
    cronSchedule: p.cronSchedule,
    input: retryPolicy || p.cronSchedule ? encodedPayloads.encode(p.input) : undefined,
    lastCompletionResult: encodedPayloads.encode(p.chain?.lastCompletionResult),
    parent: p.chain?.parentWorkflowExecution
      ? {
          namespaceId: p.chain.parentWorkflowNamespaceId ?? '',
          workflowId: p.chain.parentWorkflowExecution.workflowId ?? '',
          runId: p.chain.parentWorkflowExecution.runId ?? '',
          initiatedEventId: Number(p.chain.parentInitiatedEventId ?? 0),
        }
      : undefined,
    root: p.chain?.rootWorkflowExecution
      ? {
          workflowId: p.chain.rootWorkflowExecution.workflowId ?? '',
          runId: p.chain.rootWorkflowExecution.runId ?? '',
        }
      : undefined,
  })
  const started: StartedAttributes = {
    workflowType: { name: p.workflowType },
    taskQueue: normalTaskQueue(p.taskQueue),
    input: p.input,
    workflowExecutionTimeout: durationFromMs(p.executionTimeoutMs),
    workflowRunTimeout: durationFromMs(runTimeoutMs),
    workflowTaskTimeout: durationFromMs(taskTimeoutMs),
    originalExecutionRunId: runId,
    identity: p.identity,
    firstExecutionRunId: firstRunId,
    retryPolicy: retryPolicy ? retryPolicyToProto(retryPolicy) : null,
    attempt,
    workflowExecutionExpirationTime: executionExpirationTime
      ? timestampFromMs(executionExpirationTime)
      : null,
    cronSchedule: p.cronSchedule,
    firstWorkflowTaskBackoff: p.startDelayMs > 0 ? durationFromMs(p.startDelayMs) : null,
    memo: p.memo,
    searchAttributes: p.searchAttributes,
    header: p.header,
    workflowId: p.workflowId,
    ...p.chain,
  }
  return { data, started, startDelayMs: p.startDelayMs }
}
