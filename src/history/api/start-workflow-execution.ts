/**
 * StartWorkflowExecution: request-id idempotency, id reuse and conflict policies, then the new
 * run's first events (service/history/api/startworkflow/api.go).
 */
import { randomUUID } from 'node:crypto'
import { InvalidArgumentError, WorkflowExecutionAlreadyStartedError } from '../../common/errors.js'
import {
  WorkflowExecutionStatus,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type temporal,
} from '../../common/proto.js'
import { normalizeRetryPolicy, retryPolicyToProto } from '../../common/retry-policy.js'
import { durationFromMs, msFromDuration, timestampFromMs } from '../../common/time.js'
import type { CurrentExecutionRecord } from '../../persistence/store.js'
import type { HistoryEngine } from '../history-engine.js'
import { encodedMemo, encodedSearchAttributes } from '../mutable-state/encoded.js'
import {
  addWorkflowExecutionStartedEvent,
  emptyRunState,
  terminateWorkflow,
} from '../mutable-state/execution.js'
import type { MutableState } from '../mutable-state/mutable-state.js'
import { normalTaskQueue } from '../mutable-state/workflow-tasks.js'

type Request = temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest
type Response = temporal.api.workflowservice.v1.IStartWorkflowExecutionResponse

const Status = WorkflowExecutionStatus
const defaultTaskTimeoutMs = 10_000
const maxTaskTimeoutMs = 120_000

export async function invoke(
  engine: HistoryEngine,
  namespaceId: string,
  req: Request,
): Promise<Response> {
  const workflowId = req.workflowId ?? ''
  const requestId = req.requestId || randomUUID()
  return engine.withWorkflowLock(namespaceId, workflowId, async () => {
    const { current } = await engine.deps.store.executions.getCurrentExecution({
      namespaceId,
      workflowId,
    })
    let terminateRunId: string | undefined
    if (current) {
      if (current.createRequestId === requestId) {
        return { runId: current.runId, started: true }
      }
      const decision = onExisting(req, current)
      if (decision === 'use-existing') return { runId: current.runId, started: false }
      if (decision === 'terminate') terminateRunId = current.runId
    }
    const runId = await createRun(engine, namespaceId, req, { requestId, current, terminateRunId })
    return { runId, started: true }
  })
}

/**
 * Creates a new run of `req.workflowId`, replacing `current` (terminating `terminateRunId` in the
 * same transaction when given). `beforeFirstTask` adds events between WorkflowExecutionStarted
 * and the first WorkflowTaskScheduled (signal-with-start's signal). The caller holds the lock.
 */
export async function createRun(
  engine: HistoryEngine,
  namespaceId: string,
  req: Request,
  opts: {
    requestId: string
    current: CurrentExecutionRecord | undefined
    terminateRunId?: string
    beforeFirstTask?: (ms: MutableState) => void
  },
): Promise<string> {
  const { requestId, current, terminateRunId } = opts
  const workflowId = req.workflowId ?? ''
  const runId = randomUUID()
  const now = engine.clock.now()
  const startDelayMs = msFromDuration(req.workflowStartDelay)
  const executionTimeoutMs = msFromDuration(req.workflowExecutionTimeout)
  let runTimeoutMs = msFromDuration(req.workflowRunTimeout)
  if (runTimeoutMs === 0 || (executionTimeoutMs > 0 && runTimeoutMs > executionTimeoutMs)) {
    runTimeoutMs = executionTimeoutMs
  }
  let taskTimeoutMs = msFromDuration(req.workflowTaskTimeout) || defaultTaskTimeoutMs
  taskTimeoutMs = Math.min(taskTimeoutMs, maxTaskTimeoutMs)
  if (runTimeoutMs > 0) taskTimeoutMs = Math.min(taskTimeoutMs, runTimeoutMs)
  const executionTime = now + startDelayMs
  const executionExpirationTime = executionTimeoutMs > 0 ? executionTime + executionTimeoutMs : 0
  const taskQueue = req.taskQueue?.name ?? ''
  const retryPolicy = req.retryPolicy ? normalizeRetryPolicy(req.retryPolicy) : undefined

  const data = emptyRunState({
    namespaceId,
    workflowId,
    runId,
    firstRunId: runId,
    workflowType: req.workflowType?.name ?? '',
    taskQueue,
    executionTimeoutMs,
    runTimeoutMs,
    taskTimeoutMs,
    startTime: now,
    executionTime,
    closeTime: 0,
    executionExpirationTime,
    createRequestId: requestId,
    attempt: 1,
    retryPolicy,
    memo: encodedMemo.encode(req.memo),
    searchAttributes: encodedSearchAttributes.encode(req.searchAttributes),
    stickyTaskQueue: '',
    stickyScheduleToStartTimeoutMs: 0,
    cronSchedule: req.cronSchedule ?? '',
  })
  const record: CurrentExecutionRecord = {
    namespaceId,
    workflowId,
    runId,
    createRequestId: requestId,
    status: Status.WORKFLOW_EXECUTION_STATUS_RUNNING,
    startTime: now,
  }
  await engine.createLocked(
    {
      data,
      current: current
        ? { kind: 'replace', expectedRunId: current.runId, record }
        : { kind: 'create', record },
    },
    (ms) =>
      addWorkflowExecutionStartedEvent(
        ms,
        {
          workflowType: req.workflowType,
          taskQueue: normalTaskQueue(taskQueue),
          input: req.input,
          workflowExecutionTimeout: durationFromMs(executionTimeoutMs),
          workflowRunTimeout: durationFromMs(runTimeoutMs),
          workflowTaskTimeout: durationFromMs(taskTimeoutMs),
          originalExecutionRunId: runId,
          identity: req.identity ?? '',
          firstExecutionRunId: runId,
          retryPolicy: retryPolicy ? retryPolicyToProto(retryPolicy) : null,
          attempt: 1,
          workflowExecutionExpirationTime: executionExpirationTime
            ? timestampFromMs(executionExpirationTime)
            : null,
          cronSchedule: req.cronSchedule ?? '',
          firstWorkflowTaskBackoff: startDelayMs > 0 ? durationFromMs(startDelayMs) : null,
          memo: req.memo,
          searchAttributes: req.searchAttributes,
          header: req.header,
          workflowId,
          priority: req.priority,
        },
        startDelayMs,
        () => opts.beforeFirstTask?.(ms),
      ),
    terminateRunId
      ? {
          key: { namespaceId, workflowId, runId: terminateRunId },
          fn: (old) =>
            terminateWorkflow(old, {
              reason: 'terminated by new runID',
              details: null,
              identity: req.identity ?? '',
            }),
        }
      : undefined,
  )
  return runId
}

/** What to do when the workflow id already has a run (startworkflow/api.go resolveDuplicateWorkflowID). */
export function onExisting(
  req: Request,
  current: CurrentExecutionRecord,
): 'use-existing' | 'terminate' | 'start' {
  const workflowId = req.workflowId ?? ''
  const reuse: WorkflowIdReusePolicy =
    req.workflowIdReusePolicy ?? WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED
  if (current.status === Status.WORKFLOW_EXECUTION_STATUS_RUNNING) {
    let conflict = req.workflowIdConflictPolicy ?? 0
    if (reuse === WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING) {
      if (conflict !== WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED) {
        throw new InvalidArgumentError(
          'Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING cannot be used together with a WorkflowIDConflictPolicy.',
        )
      }
      conflict = WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING
    }
    switch (conflict) {
      case WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING:
        return 'use-existing'
      case WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING:
        return 'terminate'
      default:
        throw new WorkflowExecutionAlreadyStartedError(
          `Workflow execution is already running. WorkflowId: ${workflowId}, RunId: ${current.runId}.`,
          current.createRequestId,
          current.runId,
        )
    }
  }
  const succeeded = current.status === Status.WORKFLOW_EXECUTION_STATUS_COMPLETED
  switch (reuse) {
    case WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE:
      throw new WorkflowExecutionAlreadyStartedError(
        `Workflow execution already finished. WorkflowId: ${workflowId}, RunId: ${current.runId}. Workflow ID reuse policy: reject duplicate workflow ID.`,
        current.createRequestId,
        current.runId,
      )
    case WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY:
      if (succeeded) {
        throw new WorkflowExecutionAlreadyStartedError(
          `Workflow execution already finished successfully. WorkflowId: ${workflowId}, RunId: ${current.runId}. Workflow ID reuse policy: allow duplicate workflow ID if last run failed.`,
          current.createRequestId,
          current.runId,
        )
      }
      return 'start'
    case WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED:
    case WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE:
    case WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING:
    default:
      return 'start'
  }
}
