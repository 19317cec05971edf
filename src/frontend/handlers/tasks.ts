/**
 * Worker-facing RPCs: long polls for workflow and activity tasks, and the answers to them. Polls
 * wait in matching; the answers go to history, which checks the task token's attempt.
 */
import { InvalidArgumentError } from '../../common/errors.js'
import { payloadsSize } from '../../common/proto-size.js'
import { api, TaskQueueType, type pb } from '../../common/proto.js'
import { timestampFromMs } from '../../common/time.js'
import * as recordActivityTaskStarted from '../../history/api/record-activity-task-started.js'
import * as queryTaskResponse from '../../history/api/query-task-response.js'
import * as recordWorkflowTaskStarted from '../../history/api/record-workflow-task-started.js'
import {
  recordActivityTaskHeartbeat,
  respondActivityTask,
  type ActivityTarget,
} from '../../history/api/respond-activity-task.js'
import * as respondWorkflowTaskCompleted from '../../history/api/respond-workflow-task-completed.js'
import * as respondWorkflowTaskFailed from '../../history/api/respond-workflow-task-failed.js'
import type { HistoryEngine } from '../../history/history-engine.js'
import type { MatchingEngine } from '../../matching/matching-engine.js'
import { QueueKind } from '../../persistence/store.js'
import { errTaskQueueTooLong } from '../errors.js'
import type { NamespaceRegistry } from '../namespace-registry.js'
import type { WorkflowServiceHandlers } from '../rpc-types.js'
import {
  LimitChecks,
  withIdentityCheck,
  type FrontendLimits,
  type SizeCheckSite,
} from '../limits.js'
import { checkWorkflowId } from './workflows.js'

export interface TaskHandlersDeps {
  history: HistoryEngine
  matching: MatchingEngine
  namespaces: NamespaceRegistry
  limits: FrontendLimits
}

// The server failures Temporal puts in place of an answer over the blob limit (common/util.go).
const completeResultExceedsLimit = 'Complete result exceeds size limit.'
const failureExceedsLimit = 'Failure exceeds size limit.'
const cancelDetailsExceedLimit = 'Cancel details exceed size limit.'
const heartbeatExceedsLimit = 'Heartbeat details exceed size limit.'

const FailureType = api.failure.v1.Failure

export function createTaskHandlers(deps: TaskHandlersDeps): WorkflowServiceHandlers {
  const { history, matching, limits } = deps
  const checks = new LimitChecks(limits, history.deps.logger)
  const namespace = async (name: string | null | undefined) => {
    if (!name) throw new InvalidArgumentError('Namespace is not set on request.')
    return deps.namespaces.getByName(name)
  }
  const taskQueueName = (tq: { name?: string | null } | null | undefined): string => {
    if (!tq?.name) throw new InvalidArgumentError('TaskQueue is not set on request.')
    checks.length(tq.name, errTaskQueueTooLong)
    return tq.name
  }
  const byId = (req: {
    workflowId?: string | null
    runId?: string | null
    activityId?: string | null
  }): ActivityTarget => {
    checkWorkflowId(req.workflowId, limits.maxIdLength)
    if (!req.activityId) throw new InvalidArgumentError('ActivityId is not set on request.')
    return { workflowId: req.workflowId!, runId: req.runId ?? '', activityId: req.activityId }
  }
  const site = (namespace: string, operation: string): SizeCheckSite => ({ namespace, operation })
  /**
   * A failure over the blob limit is replaced by a server failure saying so, with what fits of
   * the original as its cause (the frontend's RespondActivityTaskFailed/RespondWorkflowTaskFailed).
   */
  const fitFailure = (
    failure: pb.Failure | null | undefined,
    at: SizeCheckSite,
  ): { failure: pb.Failure | null | undefined; replaced: boolean } => {
    if (!failure || !checks.blobTooLarge(FailureType.encode(failure).finish().length, at)) {
      return { failure, replaced: false }
    }
    const replacement = serverFailure(failureExceedsLimit, true)
    replacement.cause = truncateFailure(failure, limits.blobSizeWarn)
    return { failure: replacement, replaced: true }
  }
  /** Fails the attempt in place of an answer too large to record. */
  const failInstead = (
    ns: { id: string },
    target: ActivityTarget,
    identity: string,
    message: string,
  ): Promise<void> =>
    respondActivityTask(history, ns.id, target, identity, {
      kind: 'failed',
      failure: serverFailure(message, true),
      lastHeartbeatDetails: undefined,
    })

  // An answer over the blob limit fails the attempt instead, so that the workflow hears at once
  // (workflow_handler.go RespondActivityTaskCompleted, ...Canceled, RecordActivityTaskHeartbeat).
  type Ns = { id: string; name: string }
  const completed = async (
    ns: Ns,
    target: ActivityTarget,
    req: { result?: pb.Payloads | null; identity?: string | null },
    operation: string,
  ): Promise<void> => {
    const identity = req.identity ?? ''
    if (checks.blobTooLarge(payloadsSize(req.result), site(ns.name, operation))) {
      return failInstead(ns, target, identity, completeResultExceedsLimit)
    }
    await respondActivityTask(history, ns.id, target, identity, {
      kind: 'completed',
      result: req.result,
    })
  }
  const failed = async (
    ns: Ns,
    target: ActivityTarget,
    req: {
      failure?: pb.Failure | null
      lastHeartbeatDetails?: pb.Payloads | null
      identity?: string | null
    },
    operation: string,
  ): Promise<{ failures: pb.Failure[] }> => {
    const at = site(ns.name, operation)
    const failures: pb.Failure[] = []
    let lastHeartbeatDetails = req.lastHeartbeatDetails
    if (lastHeartbeatDetails && checks.blobTooLarge(payloadsSize(lastHeartbeatDetails), at)) {
      failures.push(serverFailure(heartbeatExceedsLimit, true))
      lastHeartbeatDetails = undefined
    }
    const fitted = fitFailure(req.failure, at)
    if (fitted.replaced) failures.push(fitted.failure!)
    await respondActivityTask(history, ns.id, target, req.identity ?? '', {
      kind: 'failed',
      failure: fitted.failure,
      lastHeartbeatDetails,
    })
    return { failures }
  }
  const canceled = async (
    ns: Ns,
    target: ActivityTarget,
    req: { details?: pb.Payloads | null; identity?: string | null },
    operation: string,
  ): Promise<void> => {
    const identity = req.identity ?? ''
    if (checks.blobTooLarge(payloadsSize(req.details), site(ns.name, operation))) {
      return failInstead(ns, target, identity, cancelDetailsExceedLimit)
    }
    await respondActivityTask(history, ns.id, target, identity, {
      kind: 'canceled',
      details: req.details,
    })
  }
  const heartbeat = async (
    ns: Ns,
    target: ActivityTarget,
    req: { details?: pb.Payloads | null; identity?: string | null },
    operation: string,
  ) => {
    if (checks.blobTooLarge(payloadsSize(req.details), site(ns.name, operation))) {
      await failInstead(ns, target, req.identity ?? '', heartbeatExceedsLimit)
      return { cancelRequested: true, activityPaused: false, activityReset: false }
    }
    const r = await recordActivityTaskHeartbeat(history, ns.id, target, req.details)
    return { ...r, activityPaused: false, activityReset: false }
  }

  return withIdentityCheck(checks, {
    async pollWorkflowTaskQueue(req, ctx) {
      const ns = await namespace(req.namespace)
      const identity = req.identity ?? ''
      const taskQueue = { name: taskQueueName(req.taskQueue), kind: req.taskQueue?.kind ?? 0 }
      const res = await matching.poll({
        namespaceId: ns.id,
        taskQueue: taskQueue.name,
        kind: QueueKind.Workflow,
        identity,
        signal: ctx.signal,
        start: (task) => recordWorkflowTaskStarted.invoke(history, task, { identity, taskQueue }),
        startQuery: (task) =>
          queryTaskResponse.invoke(history, task, { taskQueueName: taskQueue.name }),
      })
      return res ?? {}
    },

    async respondWorkflowTaskCompleted(req) {
      const ns = await namespace(req.namespace)
      return respondWorkflowTaskCompleted.invoke(history, ns, req, {
        blobSizeLimit: limits.blobSizeLimit,
        memoSizeLimit: limits.memoSizeLimit,
        maxIdLength: limits.maxIdLength,
        searchAttributes: limits.searchAttributes,
      })
    },

    async respondWorkflowTaskFailed(req) {
      const ns = await namespace(req.namespace)
      const { failure } = fitFailure(req.failure, site(ns.name, 'RespondWorkflowTaskFailed'))
      return respondWorkflowTaskFailed.invoke(history, ns.id, { ...req, failure })
    },

    async pollActivityTaskQueue(req, ctx) {
      const ns = await namespace(req.namespace)
      const identity = req.identity ?? ''
      const res = await matching.poll({
        namespaceId: ns.id,
        taskQueue: taskQueueName(req.taskQueue),
        kind: QueueKind.Activity,
        identity,
        signal: ctx.signal,
        start: (task) =>
          recordActivityTaskStarted.invoke(history, task, { identity, namespace: ns.name }),
      })
      return res ?? {}
    },

    async respondActivityTaskCompleted(req) {
      const ns = await namespace(req.namespace)
      await completed(ns, { token: req.taskToken }, req, 'RespondActivityTaskCompleted')
      return {}
    },

    async respondActivityTaskCompletedById(req) {
      const ns = await namespace(req.namespace)
      await completed(ns, byId(req), req, 'RespondActivityTaskCompletedById')
      return {}
    },

    async respondActivityTaskFailed(req) {
      const ns = await namespace(req.namespace)
      return failed(ns, { token: req.taskToken }, req, 'RespondActivityTaskFailed')
    },

    async respondActivityTaskFailedById(req) {
      const ns = await namespace(req.namespace)
      return failed(ns, byId(req), req, 'RespondActivityTaskFailedById')
    },

    async respondActivityTaskCanceled(req) {
      const ns = await namespace(req.namespace)
      await canceled(ns, { token: req.taskToken }, req, 'RespondActivityTaskCanceled')
      return {}
    },

    async respondActivityTaskCanceledById(req) {
      const ns = await namespace(req.namespace)
      await canceled(ns, byId(req), req, 'RespondActivityTaskCanceledById')
      return {}
    },

    async recordActivityTaskHeartbeat(req) {
      const ns = await namespace(req.namespace)
      return heartbeat(ns, { token: req.taskToken }, req, 'RecordActivityTaskHeartbeat')
    },

    async recordActivityTaskHeartbeatById(req) {
      const ns = await namespace(req.namespace)
      return heartbeat(ns, byId(req), req, 'RecordActivityTaskHeartbeatById')
    },

    async describeTaskQueue(req) {
      const ns = await namespace(req.namespace)
      const kind =
        req.taskQueueType === TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY
          ? QueueKind.Activity
          : QueueKind.Workflow
      const pollers = matching.pollers(ns.id, taskQueueName(req.taskQueue), kind)
      return {
        pollers: pollers.map((p) => ({
          identity: p.identity,
          lastAccessTime: timestampFromMs(p.lastAccessTime),
          ratePerSecond: 100_000,
        })),
      }
    },
  })
}

/** failure.NewServerFailure: a failure from the server itself, not from workflow code. */
function serverFailure(message: string, nonRetryable: boolean): pb.Failure {
  return { message, source: '', serverFailureInfo: { nonRetryable } }
}

/**
 * What fits of `f` in about `maxSize` bytes, for the cause of a replaced failure: its type,
 * source, message and stack trace (in that order of importance, each cut to what is left) and as
 * much of its cause chain as fits, 20 levels at most (common/failure/failure.go Truncate).
 */
export function truncateFailure(f: pb.Failure, maxSize: number, depth = 20): pb.Failure {
  let left = maxSize
  const cut = (s: string | null | undefined): string => {
    const kept = truncateUtf8(s ?? '', Math.max(0, left))
    left -= Buffer.byteLength(kept) + (kept ? 4 : 0)
    return kept
  }
  const out: pb.Failure = {}
  if (f.applicationFailureInfo) {
    out.applicationFailureInfo = {
      nonRetryable: f.applicationFailureInfo.nonRetryable ?? false,
      type: cut(f.applicationFailureInfo.type),
    }
    left -= 8
  } else if (f.serverFailureInfo) {
    out.serverFailureInfo = { nonRetryable: f.serverFailureInfo.nonRetryable ?? false }
    left -= 4
  }
  out.source = cut(f.source)
  out.message = cut(f.message)
  out.stackTrace = cut(f.stackTrace)
  if (f.cause && left > 4 && depth > 0) out.cause = truncateFailure(f.cause, left - 4, depth - 1)
  return out
}

/** The longest prefix of `s` of at most `maxBytes` UTF-8 bytes that ends on a character. */
function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s
  let bytes = 0
  let end = 0
  for (const ch of s) {
    const n = Buffer.byteLength(ch)
    if (bytes + n > maxBytes) break
    bytes += n
    end += ch.length
  }
  return s.slice(0, end)
}
