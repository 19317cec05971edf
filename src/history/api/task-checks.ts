/**
 * Checks that a task token still names the live task: the run is open and the workflow task or
 * activity attempt it was issued for is the one in flight. A stale or replayed token gets
 * NotFound, as Temporal answers, and never touches a newer attempt.
 */
import { InvalidArgumentError, NotFoundError } from '../../common/errors.js'
import type { TaskToken } from '../../common/task-token.js'
import type { RunKey } from '../../persistence/store.js'
import type { MutableState } from '../mutable-state/mutable-state.js'
import type { ActivityInfo, WorkflowTaskInfo } from '../mutable-state/state.js'

export function runKeyOf(token: TaskToken, namespaceId: string): RunKey {
  if (token.namespaceId !== namespaceId) {
    throw new InvalidArgumentError('Task token does not belong to this namespace.')
  }
  return { namespaceId, workflowId: token.workflowId, runId: token.runId }
}

export function checkRunning(ms: MutableState): void {
  if (!ms.isRunning()) throw new NotFoundError('workflow execution already completed')
}

export function startedWorkflowTask(ms: MutableState, token: TaskToken): WorkflowTaskInfo {
  checkRunning(ms)
  const wt = ms.data.workflowTask
  if (
    !wt ||
    wt.startedEventId === 0 ||
    wt.scheduledEventId !== token.scheduledEventId ||
    wt.attempt !== token.attempt
  ) {
    throw new NotFoundError('Workflow task not found.')
  }
  return wt
}

export function startedActivity(ms: MutableState, token: TaskToken): ActivityInfo {
  checkRunning(ms)
  const ai = ms.data.activities[token.scheduledEventId]
  if (!ai || ai.startedTime === 0 || ai.attempt !== token.attempt) {
    throw new NotFoundError('Activity task not found.')
  }
  return ai
}
