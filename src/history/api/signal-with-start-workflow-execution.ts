/**
 * SignalWithStartWorkflowExecution: signals the running run of the workflow id, or starts a new
 * run whose history holds the signal right after WorkflowExecutionStarted
 * (signalwithstartworkflow/api.go). A running workflow is signalled unless the conflict policy
 * says otherwise; a closed one is replaced subject to the reuse policy.
 */
import { randomUUID } from 'node:crypto'
import { WorkflowExecutionAlreadyStartedError } from '../../common/errors.js'
import {
  WorkflowExecutionStatus,
  WorkflowIdConflictPolicy,
  type temporal,
} from '../../common/proto.js'
import type { HistoryEngine } from '../history-engine.js'
import { addWorkflowExecutionSignaled } from '../mutable-state/signals.js'
import { createRun, onExisting } from './start-workflow-execution.js'

type Request = temporal.api.workflowservice.v1.ISignalWithStartWorkflowExecutionRequest
type Response = temporal.api.workflowservice.v1.ISignalWithStartWorkflowExecutionResponse

export async function invoke(
  engine: HistoryEngine,
  namespaceId: string,
  req: Request,
): Promise<Response> {
  const workflowId = req.workflowId ?? ''
  const requestId = req.requestId || randomUUID()
  const signal = {
    signalName: req.signalName ?? '',
    input: req.signalInput,
    identity: req.identity ?? '',
    header: req.header,
    requestId,
  }
  return engine.withWorkflowLock(namespaceId, workflowId, async () => {
    const { current } = await engine.deps.store.executions.getCurrentExecution({
      namespaceId,
      workflowId,
    })
    let terminateRunId: string | undefined
    if (current?.status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      const conflict = req.workflowIdConflictPolicy ?? 0
      if (conflict === WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL) {
        throw new WorkflowExecutionAlreadyStartedError(
          `Workflow execution is already running. WorkflowId: ${workflowId}, RunId: ${current.runId}.`,
          current.createRequestId,
          current.runId,
        )
      }
      if (conflict !== WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING) {
        const key = { namespaceId, workflowId, runId: current.runId }
        await engine.updateLocked(key, (ms) => addWorkflowExecutionSignaled(ms, signal))
        return { runId: current.runId, started: false }
      }
      terminateRunId = current.runId
    } else if (current) {
      onExisting(req, current)
    }
    const runId = await createRun(engine, namespaceId, req, {
      requestId,
      current,
      terminateRunId,
      beforeFirstTask: (ms) => addWorkflowExecutionSignaled(ms, signal),
    })
    return { runId, started: true }
  })
}
