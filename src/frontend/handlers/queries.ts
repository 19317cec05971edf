/**
 * Query RPCs: QueryWorkflow from clients and RespondQueryTaskCompleted from workers
 * (workflow_handler.go). History decides how the query reaches a worker; matching carries query
 * tasks and their answers.
 */
import { InvalidArgumentError } from '../../common/errors.js'
import { QueryRejectCondition, QueryResultType } from '../../common/proto.js'
import * as queryWorkflow from '../../history/api/query-workflow.js'
import type { HistoryEngine } from '../../history/history-engine.js'
import type { MatchingEngine } from '../../matching/matching-engine.js'
import { payloadsSize } from '../../common/proto-size.js'
import { errBlobSizeExceedsLimit } from '../errors.js'
import type { NamespaceRegistry } from '../namespace-registry.js'
import type { WorkflowServiceHandlers } from '../rpc-types.js'
import { LimitChecks, withIdentityCheck, type FrontendLimits } from '../limits.js'
import { checkWorkflowId } from './workflows.js'

export interface QueryHandlersDeps {
  history: HistoryEngine
  matching: MatchingEngine
  namespaces: NamespaceRegistry
  limits: FrontendLimits
}

/**
 * The longest a query waits for a worker, whatever the caller's deadline: Temporal's frontend
 * calls history with its client's 30 s default timeout (client/history/client.go).
 */
export const maxQueryWaitMs = 30_000

const errQueryNotSet = new InvalidArgumentError('WorkflowQuery is not set on request.')
const errQueryTypeNotSet = new InvalidArgumentError('QueryType is not set on request.')
const errInvalidTaskToken = new InvalidArgumentError('Invalid TaskToken.')

export function createQueryHandlers(deps: QueryHandlersDeps): WorkflowServiceHandlers {
  const { history, matching, limits } = deps
  const checks = new LimitChecks(limits, history.deps.logger)
  const namespaceId = async (name: string | null | undefined): Promise<string> => {
    if (!name) throw new InvalidArgumentError('Namespace is not set on request.')
    return (await deps.namespaces.getByName(name)).id
  }
  return withIdentityCheck(checks, {
    async queryWorkflow(req, ctx) {
      checkWorkflowId(req.execution?.workflowId, limits.maxIdLength)
      if (!req.query) throw errQueryNotSet
      if (!req.query.queryType) throw errQueryTypeNotSet
      const ns = await namespaceId(req.namespace)
      checks.blob(payloadsSize(req.query.queryArgs), {
        namespace: req.namespace!,
        workflowId: req.execution!.workflowId!,
        operation: 'QueryWorkflow',
      })
      const key = await history.resolveRun(ns, req.execution!.workflowId!, req.execution?.runId)
      const queryRejectCondition =
        req.queryRejectCondition || QueryRejectCondition.QUERY_REJECT_CONDITION_NONE
      return queryWorkflow.invoke(
        history,
        matching,
        key,
        { ...req, queryRejectCondition },
        {
          signal: ctx.signal,
          timeoutMs: Math.max(0, Math.min(maxQueryWaitMs, ctx.deadline - Date.now())),
        },
      )
    },

    async respondQueryTaskCompleted(req) {
      const ns = await namespaceId(req.namespace)
      const token = history.tokens.verify(req.taskToken)
      if (!token.queryTaskId || token.namespaceId !== ns) throw errInvalidTaskToken
      // An answer over the blob limit reaches the caller as a failed query, as in Temporal.
      const tooLarge = checks.blobTooLarge(payloadsSize(req.queryResult), {
        namespace: req.namespace!,
        operation: 'RespondQueryTaskCompleted',
      })
      matching.respondQueryTaskCompleted(
        token.queryTaskId,
        tooLarge
          ? {
              completedType: QueryResultType.QUERY_RESULT_TYPE_FAILED,
              errorMessage: errBlobSizeExceedsLimit.message,
            }
          : {
              completedType: req.completedType,
              queryResult: req.queryResult,
              errorMessage: req.errorMessage,
              failure: req.failure,
            },
      )
      return {}
    },
  })
}
