/**
 * DeleteWorkflowExecution: terminates the run if it is still running, then deletes it and its
 * history (deleteworkflow/api.go; Temporal does the delete asynchronously, here it is done
 * before the call returns).
 */
import type { temporal } from '../../common/proto.js'
import type { RunKey } from '../../persistence/store.js'
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

/**
 * Retention: deletes a closed run with its history and visibility row. A run that is open again
 * (reset reopens none, but a timer may outlive anything) is left alone; NotFoundError when the
 * run is already gone.
 */
export async function deleteClosedRun(engine: HistoryEngine, key: RunKey): Promise<void> {
  await engine.withWorkflowLock(key.namespaceId, key.workflowId, async () => {
    const open = await engine.updateLocked(key, (ms) => ms.isRunning())
    if (!open) await engine.deleteLocked(key)
  })
}
