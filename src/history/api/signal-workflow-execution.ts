/**
 * SignalWorkflowExecution: appends WorkflowExecutionSignaled (buffered while a workflow task is in
 * flight) and schedules a workflow task (signalworkflow/api.go).
 */
import type { temporal } from '../../common/proto.js'
import type { HistoryEngine } from '../history-engine.js'
import { addWorkflowExecutionSignaled } from '../mutable-state/signals.js'
import { checkRunning } from './task-checks.js'

type Request = temporal.api.workflowservice.v1.ISignalWorkflowExecutionRequest

export async function invoke(
  engine: HistoryEngine,
  namespaceId: string,
  req: Request,
): Promise<object> {
  const e = req.workflowExecution
  const key = await engine.resolveRun(namespaceId, e?.workflowId ?? '', e?.runId)
  await engine.updateWorkflow(key, (ms) => {
    checkRunning(ms)
    addWorkflowExecutionSignaled(ms, {
      signalName: req.signalName ?? '',
      input: req.input,
      identity: req.identity ?? '',
      header: req.header,
      requestId: req.requestId ?? '',
    })
  })
  return {}
}
