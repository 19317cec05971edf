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
import { payloadMapSize, payloadsSize } from '../../common/proto-size.js'
import type { SearchAttributeRegistry } from '../../visibility/search-attribute-registry.js'
import {
  errRequestIdTooLong,
  errSignalNameTooLong,
  errTaskQueueTooLong,
  errUpdateIdTooLong,
  errWorkflowIdTooLong,
  errWorkflowTypeTooLong,
} from '../errors.js'
import type { NamespaceRegistry } from '../namespace-registry.js'
import {
  DEFAULT_MAX_ID_LENGTH,
  LimitChecks,
  withIdentityCheck,
  type FrontendLimits,
} from '../limits.js'
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
  const checks = new LimitChecks(limits, history.deps.logger)
  const { maxIdLength } = limits
  const namespaceId = async (name: string | null | undefined): Promise<string> => {
    if (!name) throw new InvalidArgumentError('Namespace is not set on request.')
    return (await deps.namespaces.getByName(name)).id
  }
  /** The checks of a start, and of the start of a signal-with-start or update-with-start. */
  const validateStart = (
    ns: string,
    req: StartRequest,
    operation: string,
    words: StartWords = startWords,
  ): void => {
    validateStartRequest(req, checks, words)
    const site = { namespace: req.namespace ?? '', workflowId: req.workflowId ?? '', operation }
    checks.blob(payloadsSize(req.input), site)
    checks.memo(req.memo, site)
    checks.blob(payloadMapSize(req.header?.fields), site)
    deps.searchAttributes?.validate(
      ns,
      req.namespace!,
      req.searchAttributes,
      limits.searchAttributes,
    )
  }
  return withIdentityCheck(checks, {
    async startWorkflowExecution(req) {
      const ns = await namespaceId(req.namespace)
      validateStart(ns, req, 'StartWorkflowExecution')
      return startWorkflowExecution.invoke(history, ns, req)
    },

    async signalWorkflowExecution(req) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.workflowExecution?.workflowId, maxIdLength)
      checkSignalName(req.signalName, checks)
      checks.length(req.requestId, errRequestIdTooLong)
      checks.blob(payloadsSize(req.input), {
        namespace: req.namespace!,
        workflowId: req.workflowExecution?.workflowId ?? '',
        runId: req.workflowExecution?.runId ?? '',
        operation: 'SignalWorkflowExecution',
      })
      return signalWorkflowExecution.invoke(history, ns, req)
    },

    async signalWithStartWorkflowExecution(req) {
      const ns = await namespaceId(req.namespace)
      if (!req.signalName) throw new InvalidArgumentError('SignalName is not set on request.')
      validateStart(ns, req, 'SignalWithStartWorkflowExecution', signalWithStartWords)
      if (req.signalName.length > maxIdLength) {
        throw new InvalidArgumentError(
          `signal name exceeds maximum allowed length (${req.signalName.length}/${maxIdLength})`,
        )
      }
      checks.blob(payloadsSize(req.signalInput), {
        namespace: req.namespace!,
        workflowId: req.workflowId ?? '',
        operation: 'SignalWithStartWorkflowExecution',
      })
      return signalWithStartWorkflowExecution.invoke(history, ns, req)
    },

    async getWorkflowExecutionHistory(req, ctx) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.execution?.workflowId, maxIdLength)
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
      checkWorkflowId(req.execution?.workflowId, maxIdLength)
      return describeWorkflowExecution.invoke(history, ns, req)
    },

    async terminateWorkflowExecution(req) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.workflowExecution?.workflowId, maxIdLength)
      checks.blob(payloadsSize(req.details), {
        namespace: req.namespace!,
        workflowId: req.workflowExecution?.workflowId ?? '',
        operation: 'TerminateWorkflowExecution',
      })
      return terminateWorkflowExecution.invoke(history, ns, req)
    },

    async updateWorkflowExecution(req, ctx) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.workflowExecution?.workflowId, maxIdLength)
      if (!req.request?.meta?.updateId)
        throw new InvalidArgumentError('Update ID is not set on request.')
      checks.length(req.request.meta.updateId, errUpdateIdTooLong)
      if (!req.request.input?.name)
        throw new InvalidArgumentError('Update name is not set on request.')
      checks.blob(payloadsSize(req.request.input.args), {
        namespace: req.namespace!,
        workflowId: req.workflowExecution?.workflowId ?? '',
        operation: 'UpdateWorkflowExecution',
      })
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
      validateStart(ns, { ...start, namespace: req.namespace }, 'ExecuteMultiOperation')
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
      checks.length(update.request.meta.updateId, errUpdateIdTooLong)
      if (!update.request.input?.name)
        throw new InvalidArgumentError('Update name is not set on request.')
      checks.blob(payloadsSize(update.request.input.args), {
        namespace: req.namespace!,
        workflowId: start.workflowId ?? '',
        operation: 'ExecuteMultiOperation',
      })
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
      checkWorkflowId(req.updateRef?.workflowExecution?.workflowId, maxIdLength)
      if (!req.updateRef?.updateId)
        throw new InvalidArgumentError('Update ID is not set on request.')
      return updateWorkflowExecution.poll(history, ns, req, {
        signal: ctx.signal,
        longPollMs: longPollFor(ctx.deadline, limits.historyLongPollMs),
      })
    },

    async resetWorkflowExecution(req) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.workflowExecution?.workflowId, maxIdLength)
      checks.length(req.requestId, errRequestIdTooLong)
      return resetWorkflowExecution.invoke(history, ns, req)
    },

    async deleteWorkflowExecution(req) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.workflowExecution?.workflowId, maxIdLength)
      return deleteWorkflowExecution.invoke(history, ns, req)
    },

    async requestCancelWorkflowExecution(req) {
      const ns = await namespaceId(req.namespace)
      checkWorkflowId(req.workflowExecution?.workflowId, maxIdLength)
      checks.length(req.requestId, errRequestIdTooLong)
      return requestCancelWorkflowExecution.invoke(history, ns, req)
    },
  })
}

type StartRequest = Parameters<typeof startWorkflowExecution.invoke>[2]

/**
 * How the start checks word a too-long field: StartWorkflowExecution's own messages
 * (workflow_handler.go, chasm/lib/workflow/validator.go ValidateWorkflowID), and
 * SignalWithStartWorkflowExecution's (validator.go ValidateSignalWithStartRequest).
 */
interface StartWords {
  workflowType: (length: number, max: number) => InvalidArgumentError
  requestId: (length: number, max: number) => InvalidArgumentError
}
const startWords: StartWords = {
  workflowType: () => errWorkflowTypeTooLong,
  requestId: () => errRequestIdTooLong,
}
const signalWithStartWords: StartWords = {
  workflowType: (n, max) =>
    new InvalidArgumentError(`workflow type name exceeds maximum allowed length (${n}/${max})`),
  requestId: (n, max) =>
    new InvalidArgumentError(`Request ID exceeds maximum allowed length (${n}/${max})`),
}

/** The field checks StartWorkflowExecution and SignalWithStartWorkflowExecution share. */
function validateStartRequest(req: StartRequest, checks: LimitChecks, words: StartWords): void {
  const max = checks.limits.maxIdLength
  if (!req.workflowId) throw new InvalidArgumentError('WorkflowId is not set on request.')
  if (req.workflowId.length > max) {
    throw new InvalidArgumentError(
      `WorkflowId exceeds maximum allowed length (${req.workflowId.length}/${max})`,
    )
  }
  if (!req.workflowType?.name) throw new InvalidArgumentError('WorkflowType is not set on request.')
  if (req.workflowType.name.length > max) {
    throw words.workflowType(req.workflowType.name.length, max)
  }
  if (!req.taskQueue?.name) throw new InvalidArgumentError('TaskQueue is not set on request.')
  checks.length(req.taskQueue.name, errTaskQueueTooLong)
  if ((req.requestId ?? '').length > max) throw words.requestId(req.requestId!.length, max)
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
}

function checkSignalName(name: string | null | undefined, checks: LimitChecks): void {
  if (!name) throw new InvalidArgumentError('SignalName is not set on request.')
  checks.length(name, errSignalNameTooLong)
}

/** A long poll ends a second before the caller's deadline, so the answer reaches it. */
function longPollFor(deadline: number, max: number): number {
  return Math.min(max, Math.max(0, deadline - Date.now() - 1000))
}

export function checkWorkflowId(
  id: string | null | undefined,
  maxIdLength = DEFAULT_MAX_ID_LENGTH,
): void {
  if (!id) throw new InvalidArgumentError('WorkflowId is not set on request.')
  if (id.length > maxIdLength) throw errWorkflowIdTooLong
}
