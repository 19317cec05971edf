/**
 * DeleteWorkflowExecution: terminates the run if it is still running, then deletes it and its
 * history (deleteworkflow/api.go; Temporal does the delete asynchronously, here it is done
 * before the call returns).
 */
import type { temporal } from '../../common/proto.js'
import type { HistoryEngine } from '../history-engine.js'
import { terminateWorkflow } from '../mutable-state/execution.js'

type Request = temporal.api.workflowservice.v1.IDeleteWorkflowExecutionRequest

export async function invoke(
  engine: HistoryEngine,
  namespaceId: string,
  req: Request,
): Promise<object> {
  const e = req.workflowExecution
  const key = await engine.resolveRun(namespaceId, e?.workflowId ?? '', e?.runId)
  await engine.withWorkflowLock(key.namespaceId, key.workflowId, async () => {
    await engine.updateLocked(key, (ms) => {
      if (ms.isRunning()) {
        terminateWorkflow(ms, { reason: 'Delete workflow execution', details: null, identity: '' })
      }
    })
    await engine.deleteLocked(key)
  })
  return {}
}
