/**
 * Worker-facing RPCs: long polls for workflow and activity tasks, and the answers to them. Polls
 * wait in matching; the answers go to history, which checks the task token's attempt.
 */
import { InvalidArgumentError } from '../../common/errors.js'
import { TaskQueueType } from '../../common/proto.js'
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
import { checkBlobSize } from '../errors.js'
import type { NamespaceRegistry } from '../namespace-registry.js'
import type { WorkflowServiceHandlers } from '../rpc-types.js'
import type { FrontendLimits } from '../limits.js'
import { checkWorkflowId, payloadsSize } from './workflows.js'

export interface TaskHandlersDeps {
  history: HistoryEngine
  matching: MatchingEngine
  namespaces: NamespaceRegistry
  limits: FrontendLimits
}

export function createTaskHandlers(deps: TaskHandlersDeps): WorkflowServiceHandlers {
  const { history, matching, limits } = deps
  const namespace = async (name: string | null | undefined) => {
    if (!name) throw new InvalidArgumentError('Namespace is not set on request.')
    return deps.namespaces.getByName(name)
  }
  const taskQueueName = (tq: { name?: string | null } | null | undefined): string => {
    if (!tq?.name) throw new InvalidArgumentError('TaskQueue is not set on request.')
    return tq.name
  }
  const byId = (req: {
    workflowId?: string | null
    runId?: string | null
    activityId?: string | null
  }): ActivityTarget => {
    checkWorkflowId(req.workflowId)
    if (!req.activityId) throw new InvalidArgumentError('ActivityId is not set on request.')
    return { workflowId: req.workflowId!, runId: req.runId ?? '', activityId: req.activityId }
  }

  return {
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
      })
    },

    async respondWorkflowTaskFailed(req) {
      const ns = await namespace(req.namespace)
      return respondWorkflowTaskFailed.invoke(history, ns.id, req)
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
      checkBlobSize(payloadsSize(req.result), limits.blobSizeLimit)
      await respondActivityTask(history, ns.id, { token: req.taskToken }, req.identity ?? '', {
        kind: 'completed',
        result: req.result,
      })
      return {}
    },

    async respondActivityTaskCompletedById(req) {
      const ns = await namespace(req.namespace)
      checkBlobSize(payloadsSize(req.result), limits.blobSizeLimit)
      await respondActivityTask(history, ns.id, byId(req), req.identity ?? '', {
        kind: 'completed',
        result: req.result,
      })
      return {}
    },

    async respondActivityTaskFailed(req) {
      const ns = await namespace(req.namespace)
      await respondActivityTask(history, ns.id, { token: req.taskToken }, req.identity ?? '', {
        kind: 'failed',
        failure: req.failure,
        lastHeartbeatDetails: req.lastHeartbeatDetails,
      })
      return { failures: [] }
    },

    async respondActivityTaskFailedById(req) {
      const ns = await namespace(req.namespace)
      await respondActivityTask(history, ns.id, byId(req), req.identity ?? '', {
        kind: 'failed',
        failure: req.failure,
        lastHeartbeatDetails: req.lastHeartbeatDetails,
      })
      return { failures: [] }
    },

    async respondActivityTaskCanceled(req) {
      const ns = await namespace(req.namespace)
      await respondActivityTask(history, ns.id, { token: req.taskToken }, req.identity ?? '', {
        kind: 'canceled',
        details: req.details,
      })
      return {}
    },

    async respondActivityTaskCanceledById(req) {
      const ns = await namespace(req.namespace)
      await respondActivityTask(history, ns.id, byId(req), req.identity ?? '', {
        kind: 'canceled',
        details: req.details,
      })
      return {}
    },

    async recordActivityTaskHeartbeat(req) {
      const ns = await namespace(req.namespace)
      checkBlobSize(payloadsSize(req.details), limits.blobSizeLimit)
      const r = await recordActivityTaskHeartbeat(
        history,
        ns.id,
        { token: req.taskToken },
        req.details,
      )
      return { ...r, activityPaused: false, activityReset: false }
    },

    async recordActivityTaskHeartbeatById(req) {
      const ns = await namespace(req.namespace)
      checkBlobSize(payloadsSize(req.details), limits.blobSizeLimit)
      const r = await recordActivityTaskHeartbeat(history, ns.id, byId(req), req.details)
      return { ...r, activityPaused: false, activityReset: false }
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
  }
}
