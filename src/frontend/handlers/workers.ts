/**
 * Stickiness RPCs: ResetStickyTaskQueue (a run forgets its sticky worker) and ShutdownWorker
 * (a worker leaving unloads its sticky queue, so its runs go back to the normal queue at once
 * instead of after the sticky schedule-to-start timeout), as in workflow_handler.go.
 */
import { InvalidArgumentError } from '../../common/errors.js'
import * as resetStickyTaskQueue from '../../history/api/reset-sticky-task-queue.js'
import type { HistoryEngine } from '../../history/history-engine.js'
import type { MatchingEngine } from '../../matching/matching-engine.js'
import type { NamespaceRegistry } from '../namespace-registry.js'
import type { WorkflowServiceHandlers } from '../rpc-types.js'
import { checkWorkflowId } from './workflows.js'

export interface WorkerHandlersDeps {
  history: HistoryEngine
  matching: MatchingEngine
  namespaces: NamespaceRegistry
}

const errExecutionNotSet = new InvalidArgumentError('Execution is not set on request.')

export function createWorkerHandlers(deps: WorkerHandlersDeps): WorkflowServiceHandlers {
  const { history, matching } = deps
  const namespaceId = async (name: string | null | undefined): Promise<string> => {
    if (!name) throw new InvalidArgumentError('Namespace is not set on request.')
    return (await deps.namespaces.getByName(name)).id
  }
  return {
    async resetStickyTaskQueue(req) {
      if (!req.execution) throw errExecutionNotSet
      checkWorkflowId(req.execution.workflowId)
      const ns = await namespaceId(req.namespace)
      const key = await history.resolveRun(ns, req.execution.workflowId!, req.execution.runId)
      await resetStickyTaskQueue.invoke(history, key)
      return {}
    },

    async shutdownWorker(req) {
      const ns = await namespaceId(req.namespace)
      if (req.stickyTaskQueue) matching.unloadStickyQueue(ns, req.stickyTaskQueue)
      return {}
    },
  }
}
