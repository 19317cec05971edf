/**
 * RequestCancelWorkflowExecution: records the request and gives the workflow a task to act on it;
 * repeating a request (same request id, or any once one is recorded) changes nothing
 * (requestcancelworkflow/api.go).
 */
import type { temporal } from '../../common/proto.js'
import type { HistoryEngine } from '../history-engine.js'
import { requestCancelWorkflow } from '../mutable-state/execution.js'
import { checkRunning } from './task-checks.js'

type Request = temporal.api.workflowservice.v1.IRequestCancelWorkflowExecutionRequest

export async function invoke(
  engine: HistoryEngine,
  namespaceId: string,
  req: Request,
): Promise<object> {
  const e = req.workflowExecution
  const key = await engine.resolveRun(namespaceId, e?.workflowId ?? '', e?.runId)
  await engine.updateWorkflow(key, (ms) => {
    checkRunning(ms)
    if (ms.data.cancelRequested) return
    requestCancelWorkflow(ms, {
      reason: req.reason ?? '',
      identity: req.identity ?? '',
      requestId: req.requestId ?? '',
    })
  })
  return {}
}
