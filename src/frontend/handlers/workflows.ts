/**
 * Workflow RPCs: validate the request (workflow_handler.go's checks and messages), resolve the
 * namespace, and hand over to history.
 */
import {
  InvalidArgumentError,
  MultiOperationExecutionError,
  PermissionDeniedError,
  ServiceError,
} from '../../common/errors.js'
import type { pb } from '../../common/proto.js'
import { validateRetryPolicy } from '../../common/retry-policy.js'
import { msFromDuration } from '../../common/time.js'
import * as deleteWorkflowExecution from '../../history/api/delete-workflow-execution.js'
import * as describeWorkflowExecution from '../../history/api/describe-workflow-execution.js'
import * as getWorkflowExecutionHistory from '../../history/api/get-workflow-execution-history.js'
import * as requestCancelWorkflowExecution from '../../history/api/request-cancel-workflow-execution.js'
import * as resetWorkflowExecution from '../../history/api/reset-workflow-execution.js'
import * as signalWithStartWorkflowExecution from '../../history/api/signal-with-start-workflow-execution.js'
import * as signalWorkflowExecution from '../../history/api/signal-workflow-execution.js'
import * as startWorkflowExecution from '../../history/api/start-workflow-execution.js'
import * as updateWorkflowExecution from '../../history/api/update-workflow-execution.js'
import { UpdateStage } from '../../history/update-registry.js'
import * as terminateWorkflowExecution from '../../history/api/terminate-workflow-execution.js'
import { isValidCronSchedule } from '../../history/cron.js'
import type { HistoryEngine } from '../../history/history-engine.js'
import { checkBlobSize } from '../errors.js'
import type { SearchAttributeRegistry } from '../../visibility/search-attribute-registry.js'
import type { NamespaceRegistry } from '../namespace-registry.js'
import type { FrontendLimits } from '../limits.js'
import type { WorkflowServiceHandlers } from '../rpc-types.js'

export interface WorkflowHandlersDeps {
  history: HistoryEngine
  namespaces: NamespaceRegistry
  limits: FrontendLimits
  /** Checks search attributes given at start; unchecked without it. */
  searchAttributes?: SearchAttributeRegistry
  /** Which update modes are enabled (dynamic config); both by default, as in Temporal. */
  updates?: UpdateModes
}

export interface UpdateModes {
  /** `frontend.enableUpdateWorkflowExecution`: updates at all. */
  sync: boolean
  /** `frontend.enableUpdateWorkflowExecutionAsyncAccepted`: waiting only for acceptance. */
  async: boolean
}

const maxIdLength = 1000

/**
 * Refuses an update mode switched off by dynamic config, with Temporal's words
 * (workflow_handler.go, errUpdateWorkflowExecutionAPINotAllowed and ...AsyncAcceptedNotAllowed).
 */
function checkUpdateMode(stage: number | null | undefined, modes: UpdateModes | undefined): void {
  if (!modes) return
  if (!modes.sync) {
    throw new PermissionDeniedError(
      'UpdateWorkflowExecution operation is disabled on this namespace.',
    )
  }
  if (stage === UpdateStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED && !modes.async) {
    throw new PermissionDeniedError(
      'UpdateWorkflowExecution issued asynchronously and waiting on update accepted is disabled on this namespace.',
    )
  }
}

export function createWorkflowHandlers(deps: WorkflowHandlersDeps): WorkflowServiceHandlers {
  const { history, limits } = deps
  const namespaceId = async (name: string | null | undefined): Promise<string> => {
    if (!name) throw new InvalidArgumentError('Namespace is not set on request.')
    return (await deps.namespaces.getByName(name)).id
  }
  return {
    async startWorkflowExecution(req) {
      const ns = await namespaceId(req.namespace)
      validateStartRequest(req, limits)
      deps.searchAttributes?.validate(ns, req.namespace!, req.searchAttributes)
      return startWorkflowExecution.invoke(history, ns, req)
    },

    async signalWorkflowExecution(req) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.workflowExecution?.workflowId)
      checkSignalName(req.signalName)
      checkBlobSize(payloadsSize(req.input), limits.blobSizeLimit)
      return signalWorkflowExecution.invoke(history, ns, req)
    },

    async signalWithStartWorkflowExecution(req) {
      const ns = await namespaceId(req.namespace)
      validateStartRequest(req, limits)
      deps.searchAttributes?.validate(ns, req.namespace!, req.searchAttributes)
      checkSignalName(req.signalName)
      checkBlobSize(payloadsSize(req.signalInput), limits.blobSizeLimit)
      return signalWithStartWorkflowExecution.invoke(history, ns, req)
    },

    async getWorkflowExecutionHistory(req, ctx) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.execution?.workflowId)
      return getWorkflowExecutionHistory.invoke(history, ns, req, {
        signal: ctx.signal,
        longPollMs: Math.min(
          limits.historyLongPollMs,
          Math.max(0, ctx.deadline - Date.now() - 1000),
        ),
      })
    },

    async describeWorkflowExecution(req) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.execution?.workflowId)
      return describeWorkflowExecution.invoke(history, ns, req)
    },

    async terminateWorkflowExecution(req) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.workflowExecution?.workflowId)
      checkBlobSize(payloadsSize(req.details), limits.blobSizeLimit)
      return terminateWorkflowExecution.invoke(history, ns, req)
    },

    async updateWorkflowExecution(req, ctx) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.workflowExecution?.workflowId)
      if (!req.request?.meta?.updateId)
        throw new InvalidArgumentError('Update ID is not set on request.')
      if (!req.request.input?.name)
        throw new InvalidArgumentError('Update name is not set on request.')
      checkBlobSize(payloadsSize(req.request.input.args), limits.blobSizeLimit)
      checkUpdateMode(req.waitPolicy?.lifecycleStage, deps.updates)
      return updateWorkflowExecution.invoke(history, ns, req, {
        signal: ctx.signal,
        longPollMs: longPollFor(ctx.deadline, limits.historyLongPollMs),
      })
    },

    /** Update-with-start: the only multi-operation Temporal defines (start, then update). */
    async executeMultiOperation(req, ctx) {
      const ns = await namespaceId(req.namespace)
      const [first, second, ...rest] = req.operations ?? []
      const start = first?.startWorkflow
      const update = second?.updateWorkflow
      if (!start || !update || rest.length > 0) {
        throw new InvalidArgumentError(
          'Operations have to be exactly [StartWorkflow, UpdateWorkflow], in that order.',
        )
      }
      if (start.namespace && start.namespace !== req.namespace) {
        throw new InvalidArgumentError('Operation namespace mismatch.')
      }
      validateStartRequest(start, limits)
      deps.searchAttributes?.validate(ns, req.namespace!, start.searchAttributes)
      if (update.workflowExecution?.workflowId !== start.workflowId) {
        throw new InvalidArgumentError('WorkflowId of the update does not match the start.')
      }
      if (update.workflowExecution?.runId || update.firstExecutionRunId) {
        throw new InvalidArgumentError(
          'RunId is not allowed on the update of an update-with-start.',
        )
      }
      if (!start.workflowIdConflictPolicy) {
        throw new InvalidArgumentError(
          'WorkflowIDConflictPolicy must be set on the start operation.',
        )
      }
      if (!update.request?.meta?.updateId)
        throw new InvalidArgumentError('Update ID is not set on request.')
      if (!update.request.input?.name)
        throw new InvalidArgumentError('Update name is not set on request.')
      checkUpdateMode(update.waitPolicy?.lifecycleStage, deps.updates)
      const operation = async <T>(index: number, run: () => Promise<T>): Promise<T> => {
        try {
          return await run()
        } catch (e: unknown) {
          if (e instanceof ServiceError) throw new MultiOperationExecutionError(index, e, 2)
          throw e
        }
      }
      const started = await operation(0, () => startWorkflowExecution.invoke(history, ns, start))
      const updated = await operation(1, () =>
        updateWorkflowExecution.invoke(
          history,
          ns,
          { ...update, workflowExecution: { workflowId: start.workflowId, runId: started.runId } },
          { signal: ctx.signal, longPollMs: longPollFor(ctx.deadline, limits.historyLongPollMs) },
        ),
      )
      return { responses: [{ startWorkflow: started }, { updateWorkflow: updated }] }
    },

    async pollWorkflowExecutionUpdate(req, ctx) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.updateRef?.workflowExecution?.workflowId)
      if (!req.updateRef?.updateId)
        throw new InvalidArgumentError('Update ID is not set on request.')
      return updateWorkflowExecution.poll(history, ns, req, {
        signal: ctx.signal,
        longPollMs: longPollFor(ctx.deadline, limits.historyLongPollMs),
      })
    },

    async resetWorkflowExecution(req) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.workflowExecution?.workflowId)
      return resetWorkflowExecution.invoke(history, ns, req)
    },

    async deleteWorkflowExecution(req) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.workflowExecution?.workflowId)
      return deleteWorkflowExecution.invoke(history, ns, req)
    },

    async requestCancelWorkflowExecution(req) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.workflowExecution?.workflowId)
      return requestCancelWorkflowExecution.invoke(history, ns, req)
    },
  }
}

type StartRequest = Parameters<typeof startWorkflowExecution.invoke>[2]

/** The checks StartWorkflowExecution and SignalWithStartWorkflowExecution share. */
function validateStartRequest(req: StartRequest, limits: FrontendLimits): void {
  checkWorkflowId(req.workflowId)
  if (!req.workflowType?.name) throw new InvalidArgumentError('WorkflowType is not set on request.')
  if (req.workflowType.name.length > maxIdLength) {
    throw new InvalidArgumentError('WorkflowType length exceeds limit.')
  }
  if (!req.taskQueue?.name) throw new InvalidArgumentError('TaskQueue is not set on request.')
  if (req.taskQueue.name.length > maxIdLength) {
    throw new InvalidArgumentError('TaskQueue length exceeds limit.')
  }
  if ((req.requestId ?? '').length > maxIdLength) {
    throw new InvalidArgumentError('RequestId length exceeds limit.')
  }
  for (const [name, d] of [
    ['WorkflowExecutionTimeout', req.workflowExecutionTimeout],
    ['WorkflowRunTimeout', req.workflowRunTimeout],
    ['WorkflowTaskTimeout', req.workflowTaskTimeout],
    ['WorkflowStartDelay', req.workflowStartDelay],
  ] as const) {
    if (msFromDuration(d) < 0) throw new InvalidArgumentError(`Invalid ${name}.`)
  }
  const retryProblem = validateRetryPolicy(req.retryPolicy)
  if (retryProblem) throw new InvalidArgumentError(retryProblem)
  if (req.cronSchedule && !isValidCronSchedule(req.cronSchedule)) {
    throw new InvalidArgumentError('Invalid CronSchedule.')
  }
  if (req.cronSchedule && msFromDuration(req.workflowStartDelay) > 0) {
    throw new InvalidArgumentError('CronSchedule and WorkflowStartDelay may not be used together.')
  }
  checkBlobSize(payloadsSize(req.input), limits.blobSizeLimit)
  checkBlobSize(mapSize(req.memo?.fields), limits.blobSizeLimit)
  checkBlobSize(mapSize(req.header?.fields), limits.blobSizeLimit)
  checkBlobSize(mapSize(req.searchAttributes?.indexedFields), limits.blobSizeLimit)
}

function checkSignalName(name: string | null | undefined): void {
  if (!name) throw new InvalidArgumentError('SignalName is not set on request.')
  if (name.length > maxIdLength) throw new InvalidArgumentError('SignalName length exceeds limit.')
}

/** A long poll ends a second before the caller's deadline, so the answer reaches it. */
function longPollFor(deadline: number, max: number): number {
  return Math.min(max, Math.max(0, deadline - Date.now() - 1000))
}

export function checkWorkflowId(id: string | null | undefined): void {
  if (!id) throw new InvalidArgumentError('WorkflowId is not set on request.')
  if (id.length > maxIdLength) throw new InvalidArgumentError('WorkflowId length exceeds limit.')
}

export function payloadsSize(p: pb.Payloads | null | undefined): number {
  let size = 0
  for (const payload of p?.payloads ?? []) size += payload.data?.length ?? 0
  return size
}

function mapSize(fields: Record<string, pb.Payload> | null | undefined): number {
  let size = 0
  for (const payload of Object.values(fields ?? {})) size += payload.data?.length ?? 0
  return size
}
