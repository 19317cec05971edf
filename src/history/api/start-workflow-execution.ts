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
import { msFromDuration } from '../../common/time.js'
import type { CurrentExecutionRecord } from '../../persistence/store.js'
import { cronBackoffMs } from '../cron.js'
import type { HistoryEngine } from '../history-engine.js'
import { addWorkflowExecutionStartedEvent, terminateWorkflow } from '../mutable-state/execution.js'
import type { MutableState } from '../mutable-state/mutable-state.js'
import { prepareRun, type RunParams } from '../mutable-state/new-run.js'

type Request = temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest
type Response = temporal.api.workflowservice.v1.IStartWorkflowExecutionResponse

const Status = WorkflowExecutionStatus

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
    /** Parent (and priority) of a child run. */
    chain?: RunParams['chain']
  },
): Promise<string> {
  const { requestId, current, terminateRunId } = opts
  const now = engine.clock.now()
  const run = prepareRun({
    namespaceId,
    workflowId: req.workflowId ?? '',
    workflowType: req.workflowType?.name ?? '',
    taskQueue: req.taskQueue?.name ?? '',
    input: req.input,
    executionTimeoutMs: msFromDuration(req.workflowExecutionTimeout),
    runTimeoutMs: msFromDuration(req.workflowRunTimeout),
    taskTimeoutMs: msFromDuration(req.workflowTaskTimeout),
    // A cron workflow's first run waits for the schedule's first time (GetCronBackoffDuration).
    startDelayMs: req.cronSchedule
      ? cronBackoffMs(req.cronSchedule, now)
      : msFromDuration(req.workflowStartDelay),
    now,
    requestId,
    identity: req.identity ?? '',
    retryPolicy: req.retryPolicy,
    memo: req.memo,
    searchAttributes: req.searchAttributes,
    header: req.header,
    cronSchedule: req.cronSchedule ?? '',
    chain: {
      priority: req.priority,
      // Set by schedules: the previous action's result or failure (workflowInfo().lastResult).
      lastCompletionResult: req.lastCompletionResult,
      continuedFailure: req.continuedFailure,
      ...opts.chain,
    },
  })
  const { workflowId, runId } = run.data.executionInfo
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
      data: run.data,
      current: current
        ? { kind: 'replace', expectedRunId: current.runId, record }
        : { kind: 'create', record },
    },
    (ms) =>
      addWorkflowExecutionStartedEvent(ms, run.started, run.startDelayMs, () =>
        opts.beforeFirstTask?.(ms),
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
