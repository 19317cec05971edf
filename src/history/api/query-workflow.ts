/**
 * QueryWorkflow (history/api/queryworkflow/api.go). A query must see every event that came
 * before it, so:
 *   - a closed run, or an open one with no workflow task scheduled or running, is queried directly:
 *     a query task goes to a worker through matching (first the run's sticky worker, which has it
 *     cached, then the normal queue);
 *   - otherwise the query is buffered and rides on the next workflow task, answered in that
 *     task's completion, or unblocked into a direct query when the run has nothing left to do.
 * Reject conditions, a run that never completed a task, and a run whose tasks keep failing are
 * answered before any worker is involved.
 */
import { deadlineSignal } from '../../common/clock.js'
import {
  DeadlineExceededError,
  InternalError,
  QueryFailedError,
  ResourceExhaustedError,
  StickyWorkerUnavailableError,
  WorkflowNotReadyError,
} from '../../common/errors.js'
import {
  QueryRejectCondition,
  QueryResultType,
  WorkflowExecutionStatus,
  type pb,
  type temporal,
} from '../../common/proto.js'
import type { QueryDispatch } from '../../matching/matching-engine.js'
import type { QueryTaskAnswer } from '../../matching/query-tasks.js'
import type { RunKey } from '../../persistence/store.js'
import { isRunning, type HistoryEngine } from '../history-engine.js'
import type { MutableStateData } from '../mutable-state/state.js'
import type { QueryCompletion } from '../query-registry.js'
import * as resetStickyTaskQueue from './reset-sticky-task-queue.js'

type Request = temporal.api.workflowservice.v1.IQueryWorkflowRequest
type Response = temporal.api.workflowservice.v1.IQueryWorkflowResponse

/** Matching's side of a direct query. */
export interface QueryDispatcher {
  queryWorkflow(req: QueryDispatch): Promise<QueryTaskAnswer>
}

/** Fail fast while workflow tasks keep failing: the query would fail the same way. */
const failQueryWorkflowTaskAttemptCount = 3

type Plan =
  | { kind: 'done'; response: Response }
  | { kind: 'direct'; data: MutableStateData }
  | { kind: 'buffered'; completion: Promise<QueryCompletion>; remove(): void }

export async function invoke(
  engine: HistoryEngine,
  matching: QueryDispatcher,
  key: RunKey,
  req: Request,
  /** `timeoutMs`: how long the caller waits for an answer (its deadline, capped). */
  opts: { signal: AbortSignal; timeoutMs: number },
): Promise<Response> {
  const query: pb.WorkflowQuery = req.query ?? {}
  const deadline = deadlineSignal(engine.clock, opts.timeoutMs, opts.signal)
  try {
    const deadlineTime = engine.clock.now() + opts.timeoutMs
    // Under the workflow lock, so that a task starting or completing now either sees a buffered
    // query or has already changed the state this decision reads.
    const plan = await engine.withWorkflowLock(key.namespaceId, key.workflowId, async () =>
      decide(engine, key, req, query, await engine.getRun(key), deadlineTime),
    )
    if (plan.kind === 'done') return plan.response
    if (plan.kind === 'direct') {
      return await queryDirectly(engine, matching, key, plan.data, query, deadline.signal)
    }
    try {
      const completion = await untilAborted(plan.completion, deadline.signal)
      if (completion.type === 'answered') return fromQueryResult(completion.result)
      const data = await engine.getRun(key)
      return await queryDirectly(engine, matching, key, data, query, deadline.signal)
    } finally {
      plan.remove()
    }
  } finally {
    deadline.dispose()
  }
}

function decide(
  engine: HistoryEngine,
  key: RunKey,
  req: Request,
  query: pb.WorkflowQuery,
  data: MutableStateData,
  deadlineTime: number,
): Plan {
  const running = isRunning(data)
  const status = data.status as WorkflowExecutionStatus
  const condition = req.queryRejectCondition ?? QueryRejectCondition.QUERY_REJECT_CONDITION_NONE
  if (
    !running &&
    (condition === QueryRejectCondition.QUERY_REJECT_CONDITION_NOT_OPEN ||
      (condition === QueryRejectCondition.QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY &&
        status !== WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED))
  ) {
    return { kind: 'done', response: { queryRejected: { status } } }
  }
  const completedAnyTask = data.lastCompletedWorkflowTaskStartedEventId > 0
  if (!running && !completedAnyTask) {
    throw new WorkflowNotReadyError('Workflow execution closed before WorkflowTaskStarted event')
  }
  if (!data.workflowTask && !completedAnyTask && data.executionInfo.executionTime > deadlineTime) {
    // The first task waits for a start delay or backoff that outlasts the caller.
    throw new WorkflowNotReadyError('Workflow task is not scheduled yet.')
  }
  if (data.workflowTaskAttempt >= failQueryWorkflowTaskAttemptCount) {
    throw new WorkflowNotReadyError(
      'Unable to query workflow due to Workflow Task in failed state.',
    )
  }
  // The worker can only answer a direct query once it has run a task; until then, and while a
  // task is scheduled or running, the answer must come after that task's events.
  if (completedAnyTask && (!running || !data.workflowTask)) return { kind: 'direct', data }
  if (engine.queries.count(key) >= engine.queries.maxBufferedPerRun) {
    throw new ResourceExhaustedError(
      'consistent query buffer is full, this may be caused by too many queries and workflow not able to process query fast enough',
    )
  }
  return { kind: 'buffered', ...engine.queries.buffer(key, query) }
}

/**
 * Sends the query to a worker (queryDirectlyThroughMatching): to the sticky worker first, within
 * the sticky schedule-to-start timeout; if it is away or too slow, the run loses its stickiness
 * and the query goes to the normal queue for the rest of the caller's time.
 */
async function queryDirectly(
  engine: HistoryEngine,
  matching: QueryDispatcher,
  key: RunKey,
  data: MutableStateData,
  query: pb.WorkflowQuery,
  signal: AbortSignal,
): Promise<Response> {
  const info = data.executionInfo
  const base = { namespaceId: key.namespaceId, workflowId: key.workflowId, runId: key.runId, query }
  if (info.stickyTaskQueue) {
    const sticky = deadlineSignal(engine.clock, info.stickyScheduleToStartTimeoutMs, signal)
    try {
      const answer = await matching.queryWorkflow({
        ...base,
        taskQueue: info.stickyTaskQueue,
        sticky: true,
        signal: sticky.signal,
      })
      return fromAnswer(answer)
    } catch (e: unknown) {
      const fallBack =
        e instanceof StickyWorkerUnavailableError || e instanceof DeadlineExceededError
      if (!fallBack || signal.aborted) throw e
    } finally {
      sticky.dispose()
    }
    if (isRunning(data)) await resetStickyTaskQueue.invoke(engine, key, { ifRunning: true })
  }
  const answer = await matching.queryWorkflow({
    ...base,
    taskQueue: info.taskQueue,
    sticky: false,
    signal,
  })
  return fromAnswer(answer)
}

function fromAnswer(a: QueryTaskAnswer): Response {
  switch (a.completedType) {
    case QueryResultType.QUERY_RESULT_TYPE_ANSWERED:
      return { queryResult: a.queryResult ?? { payloads: [] } }
    case QueryResultType.QUERY_RESULT_TYPE_FAILED:
      throw new QueryFailedError(a.errorMessage ?? '', a.failure)
    case QueryResultType.QUERY_RESULT_TYPE_UNSPECIFIED:
    case null:
    case undefined:
      throw new InternalError('unknown query completed type')
  }
}

function fromQueryResult(r: pb.WorkflowQueryResult): Response {
  return fromAnswer({
    completedType: r.resultType,
    queryResult: r.answer,
    errorMessage: r.errorMessage,
    failure: r.failure,
  })
}

/** `promise`'s value, or DeadlineExceeded once `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(queryTimedOut())
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(queryTimedOut())
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(e instanceof Error ? e : new Error(String(e)))
      },
    )
  })
}

function queryTimedOut(): DeadlineExceededError {
  return new DeadlineExceededError('query timed out before a worker could process it')
}
