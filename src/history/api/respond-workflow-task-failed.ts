/**
 * RespondWorkflowTaskFailed: the worker could not process the task. The failure is recorded
 * (only for a first attempt; retries are transient) and the next attempt is scheduled.
 */
import type { temporal } from '../../common/proto.js'
import type { HistoryEngine } from '../history-engine.js'
import { failWorkflowTask } from '../mutable-state/workflow-tasks.js'
import { runKeyOf, startedWorkflowTask } from './task-checks.js'

type Request = temporal.api.workflowservice.v1.IRespondWorkflowTaskFailedRequest

export async function invoke(
  engine: HistoryEngine,
  namespaceId: string,
  req: Request,
): Promise<object> {
  const token = engine.tokens.verify(req.taskToken)
  await engine.updateWorkflow(runKeyOf(token, namespaceId), (ms) => {
    startedWorkflowTask(ms, token)
    failWorkflowTask(ms, {
      cause: req.cause ?? 0,
      failure: req.failure,
      identity: req.identity ?? '',
      scheduleNext: true,
    })
  })
  return {}
}
