/**
 * One batch operation on one run, through the server's own WorkflowService
 * (service/worker/batcher/activities.go startTaskProcessor).
 *
 * Each operation is safe to apply twice, because a server that dies after applying part of a
 * chunk and before committing it applies the chunk again after restart:
 * - terminate, delete: the run is pinned (its run id recorded before the chunk starts), so the
 *   second call finds it closed or gone and gets NotFound, which counts as success;
 * - cancel: a run with a cancel request recorded ignores another;
 * - signal: the request id is derived from (job, run, signal), and a run drops a signal whose
 *   request id it has seen;
 * - reset: ResetWorkflowExecution does not deduplicate by request id, so a chunk found pending
 *   on load first checks whether the workflow's current run was made by resetting the target.
 */
import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import { NotFoundError, ServiceError, UnavailableError } from '../../common/errors.js'
import { api, long, toNumber, type pb, type temporal } from '../../common/proto.js'
import type { FrontendClient } from '../frontend-client.js'
import { CONCURRENCY } from './batch-pace.js'
import type { BatchState, Target } from './batch-state.js'
import { isResetOf, resetEventId, resetTarget, type ResetPoint } from './reset-point.js'
import { runLogKeys } from '../../common/log-keys.js'

const batch = api.batch.v1
const ResetType = api.enums.v1.ResetType

export interface ApplyDeps {
  frontend: FrontendClient
  logger: Logger
}

/** What a chunk's operations came to. */
export interface ChunkResult {
  success: number
  failure: number
}

export interface ApplyOptions {
  /** The chunk was found pending on load: it may have been applied in part already. */
  recovered: boolean
  /**
   * Count errors that are not service errors as failures instead of giving up on the chunk (set
   * after the job's wake-ups kept failing, so one broken target cannot stall the job forever).
   */
  lenient: boolean
}

/**
 * Applies the operation to every target, {@link CONCURRENCY} at a time. A target's NotFound is a
 * success (the run is closed or gone: nothing left to do), any other service error a failure. An
 * UNAVAILABLE or an unexpected error rejects, leaving the chunk pending for the next wake-up.
 */
export async function applyChunk(
  deps: ApplyDeps,
  namespace: string,
  s: BatchState,
  targets: readonly Target[],
  opts: ApplyOptions,
): Promise<ChunkResult> {
  const result: ChunkResult = { success: 0, failure: 0 }
  const apply = operationOf(s)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < targets.length) {
      const [workflowId, runId] = targets[next++]!
      try {
        await apply(deps, { namespace, workflowId, runId, s, recovered: opts.recovered })
        result.success++
      } catch (e: unknown) {
        if (e instanceof NotFoundError) {
          result.success++
        } else if (
          (e instanceof ServiceError && !(e instanceof UnavailableError)) ||
          (opts.lenient && !(e instanceof UnavailableError))
        ) {
          result.failure++
          deps.logger.debug(
            { err: e, jobId: s.jobId, ...runLogKeys({ workflowId, runId }) },
            'batch target failed',
          )
        } else {
          throw e
        }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, targets.length) }, lane))
  return result
}

interface TargetCall {
  namespace: string
  workflowId: string
  runId: string
  s: BatchState
  recovered: boolean
}

type Apply = (deps: ApplyDeps, t: TargetCall) => Promise<unknown>

function operationOf(s: BatchState): Apply {
  const message = Buffer.from(s.message, 'base64')
  switch (s.operation) {
    case 'terminate': {
      const op = batch.BatchOperationTermination.decode(message)
      return ({ frontend }, t) =>
        frontend.terminateWorkflowExecution({
          namespace: t.namespace,
          workflowExecution: { workflowId: t.workflowId, runId: t.runId },
          reason: t.s.reason,
          details: op.details,
          identity: op.identity,
        })
    }
    case 'cancel': {
      const op = batch.BatchOperationCancellation.decode(message)
      return ({ frontend }, t) =>
        frontend.requestCancelWorkflowExecution({
          namespace: t.namespace,
          workflowExecution: { workflowId: t.workflowId, runId: t.runId },
          identity: op.identity,
          requestId: requestId(t.s.jobId, 'cancel', t.workflowId, t.runId),
        })
    }
    case 'signal': {
      const op = batch.BatchOperationSignal.decode(message)
      // As Temporal's batcher: the signal's header is not forwarded.
      return ({ frontend }, t) =>
        frontend.signalWorkflowExecution({
          namespace: t.namespace,
          workflowExecution: { workflowId: t.workflowId, runId: t.runId },
          signalName: op.signal,
          input: op.input,
          identity: op.identity,
          requestId: requestId(t.s.jobId, 'signal', t.workflowId, t.runId, op.signal),
        })
    }
    case 'delete':
      return ({ frontend }, t) =>
        frontend.deleteWorkflowExecution({
          namespace: t.namespace,
          workflowExecution: { workflowId: t.workflowId, runId: t.runId },
        })
    case 'reset': {
      const op = batch.BatchOperationReset.decode(message)
      return (deps, t) => reset(deps, t, op)
    }
  }
}

async function reset(
  deps: ApplyDeps,
  t: TargetCall,
  op: temporal.api.batch.v1.BatchOperationReset,
): Promise<void> {
  const { frontend } = deps
  if (t.recovered && (await alreadyReset(frontend, t))) return
  const pages = historyPages(frontend, t.namespace, t.workflowId, t.runId)
  const eventId = await resetEventId(resetPoint(op), pages)
  const options = op.options
  await frontend.resetWorkflowExecution({
    namespace: t.namespace,
    workflowExecution: { workflowId: t.workflowId, runId: t.runId },
    reason: t.s.reason,
    workflowTaskFinishEventId: long(eventId),
    requestId: requestId(t.s.jobId, 'reset', t.workflowId, t.runId),
    resetReapplyType: options ? options.resetReapplyType : op.resetReapplyType,
    resetReapplyExcludeTypes: options?.resetReapplyExcludeTypes,
    postResetOperations: op.postResetOperations,
    identity: op.identity,
  })
}

/** The reset point the operation asks for: its options' target, else the legacy reset type. */
export function resetPoint(op: temporal.api.batch.v1.BatchOperationReset): ResetPoint {
  const o = op.options
  switch (o && resetTarget(o)) {
    case 'firstWorkflowTask':
      return { kind: 'first' }
    case 'lastWorkflowTask':
      return { kind: 'last' }
    case 'workflowTaskId':
      return { kind: 'event', eventId: toNumber(o?.workflowTaskId) }
    case 'buildId':
    case undefined:
    case null:
      return op.resetType === ResetType.RESET_TYPE_LAST_WORKFLOW_TASK
        ? { kind: 'last' }
        : { kind: 'first' }
  }
}

/** Whether the workflow's current run came from resetting the target run (a reset made before a crash). */
async function alreadyReset(frontend: FrontendClient, t: TargetCall): Promise<boolean> {
  const d = await frontend.describeWorkflowExecution({
    namespace: t.namespace,
    execution: { workflowId: t.workflowId },
  })
  const current = d.workflowExecutionInfo?.execution?.runId ?? ''
  if (!current || current === t.runId) return false
  return isResetOf(t.runId, historyPages(frontend, t.namespace, t.workflowId, current))
}

async function* historyPages(
  frontend: FrontendClient,
  namespace: string,
  workflowId: string,
  runId: string,
): AsyncIterable<pb.HistoryEvent[]> {
  let token: Uint8Array | undefined
  do {
    const page = await frontend.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId, runId },
      maximumPageSize: 1000,
      nextPageToken: token,
    })
    yield page.history?.events ?? []
    token = page.nextPageToken?.length ? page.nextPageToken : undefined
  } while (token)
}

/**
 * A request id fixed by the job and the run, so that the operation repeated after a restart is
 * recognised by the run (Temporal's batcher derives its signal request id the same way, a
 * UUIDv5 of `jobId:signal:workflowId:runId:signal`).
 */
export function requestId(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join(':')).digest()
  h[6] = (h[6]! & 0x0f) | 0x50
  h[8] = (h[8]! & 0x3f) | 0x80
  const hex = h.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
