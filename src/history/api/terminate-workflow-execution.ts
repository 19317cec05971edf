/** TerminateWorkflowExecution: closes the run at once (terminateworkflow/api.go). */
import type { temporal } from '../../common/proto.js'
import type { HistoryEngine } from '../history-engine.js'
import { terminateWorkflow } from '../mutable-state/execution.js'
import { checkRunning } from './task-checks.js'

type Request = temporal.api.workflowservice.v1.ITerminateWorkflowExecutionRequest

export async function invoke(
  engine: HistoryEngine,
  namespaceId: string,
  req: Request,
): Promise<object> {
  const e = req.workflowExecution
  const key = await engine.resolveRun(namespaceId, e?.workflowId ?? '', e?.runId)
  await engine.updateWorkflow(key, (ms) => {
    checkRunning(ms)
    terminateWorkflow(ms, {
      reason: req.reason ?? '',
      details: req.details,
      identity: req.identity ?? '',
    })
  })
  return {}
}
