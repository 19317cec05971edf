/**
 * ResetWorkflowExecution: a new run whose history is the base run's up to the chosen workflow
 * task (its scheduled and started events), followed by WorkflowTaskFailed(RESET_WORKFLOW), the
 * base run's later signals reapplied (Temporal's default reapply type), and a new workflow task.
 * The current run is terminated if it is still running, in the same transaction that makes the
 * new run current (resetworkflow/api.go, ndc/workflow_resetter.go).
 */
import { randomUUID } from 'node:crypto'
import { InvalidArgumentError } from '../../common/errors.js'
import {
  WorkflowExecutionStatus,
  WorkflowTaskFailedCause,
  api,
  toNumber,
  type temporal,
} from '../../common/proto.js'
import type { HistoryEngine } from '../history-engine.js'
import { dispatchActivity } from '../mutable-state/activities.js'
import { terminateWorkflow } from '../mutable-state/execution.js'
import { rebuildRunState } from '../mutable-state/rebuild.js'
import { addWorkflowExecutionSignaled } from '../mutable-state/signals.js'
import { failWorkflowTask, scheduleWorkflowTask } from '../mutable-state/workflow-tasks.js'

type Request = temporal.api.workflowservice.v1.IResetWorkflowExecutionRequest

const ResetReapplyType = api.enums.v1.ResetReapplyType

export async function invoke(
  engine: HistoryEngine,
  namespaceId: string,
  req: Request,
): Promise<{ runId: string }> {
  const e = req.workflowExecution
  const base = await engine.resolveRun(namespaceId, e?.workflowId ?? '', e?.runId)
  const finishId = toNumber(req.workflowTaskFinishEventId)
  const baseData = await engine.getRun(base)
  if (finishId <= 1 || finishId >= baseData.nextEventId) {
    throw new InvalidArgumentError('Invalid WorkflowTaskFinishEventId.')
  }
  const { events } = await engine.readEvents(base.runId, 1, baseData.nextEventId)
  const finish = events[finishId - 1]
  const startedId = toNumber(
    (
      finish?.workflowTaskCompletedEventAttributes ??
      finish?.workflowTaskFailedEventAttributes ??
      finish?.workflowTaskTimedOutEventAttributes
    )?.startedEventId,
  )
  if (!startedId) {
    throw new InvalidArgumentError(
      'WorkflowTaskFinishEventId must be a WorkflowTaskCompleted, Failed or TimedOut event.',
    )
  }
  const prefix = events.slice(0, startedId)
  const signals =
    req.resetReapplyType === ResetReapplyType.RESET_REAPPLY_TYPE_NONE
      ? []
      : events.slice(startedId).filter((ev) => ev.workflowExecutionSignaledEventAttributes)
  const newRunId = randomUUID()
  const identity = req.identity ?? ''

  await engine.withWorkflowLock(namespaceId, base.workflowId, async () => {
    const { current } = await engine.deps.store.executions.getCurrentExecution({
      namespaceId,
      workflowId: base.workflowId,
    })
    if (!current) throw new InvalidArgumentError('The workflow has no current run to replace.')
    const data = rebuildRunState(prefix, { ...base, runId: newRunId })
    // The reset point's task is failed as a written attempt, whatever attempt it was.
    if (data.workflowTask) data.workflowTask.attempt = 1
    const record = {
      namespaceId,
      workflowId: base.workflowId,
      runId: newRunId,
      createRequestId: req.requestId || data.executionInfo.createRequestId,
      status: WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
      startTime: data.executionInfo.startTime,
    }
    await engine.createLocked(
      { data, current: { kind: 'replace', expectedRunId: current.runId, record } },
      (ms) => {
        ms.appendCopiedEvents(prefix)
        failWorkflowTask(ms, {
          cause: WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
          failure: { message: req.reason ?? '', source: 'History', applicationFailureInfo: {} },
          identity,
          scheduleNext: false,
          reset: { baseRunId: base.runId, newRunId },
        })
        for (const s of signals) {
          const a = s.workflowExecutionSignaledEventAttributes!
          addWorkflowExecutionSignaled(ms, {
            signalName: a.signalName ?? '',
            input: a.input,
            identity: a.identity ?? '',
            header: a.header,
            requestId: '',
          })
        }
        scheduleWorkflowTask(ms)
        // Work pending at the reset point is dispatched again in the new run.
        for (const ai of Object.values(ms.data.activities)) {
          ai.scheduledTime = ms.now()
          dispatchActivity(ms, ai)
        }
        for (const c of Object.values(ms.data.children ?? {})) {
          if (c.startedEventId === 0) {
            ms.addTimer(ms.now(), { kind: 'start-child', initiatedEventId: c.initiatedEventId })
          }
        }
        for (const x of Object.values(ms.data.externalSignals ?? {})) {
          ms.addTimer(ms.now(), { kind: 'signal-external', initiatedEventId: x.initiatedEventId })
        }
        for (const x of Object.values(ms.data.externalCancels ?? {})) {
          ms.addTimer(ms.now(), { kind: 'cancel-external', initiatedEventId: x.initiatedEventId })
        }
        for (const t of Object.values(ms.data.timers)) {
          t.timerKey = ms.addTimer(t.expiryTime, {
            kind: 'user-timer',
            timerId: t.timerId,
            startedEventId: t.startedEventId,
          })
        }
      },
      current.status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
        ? {
            key: { namespaceId, workflowId: base.workflowId, runId: current.runId },
            fn: (old) =>
              terminateWorkflow(old, { reason: 'resetting workflow', details: null, identity }),
          }
        : undefined,
    )
  })
  return { runId: newRunId }
}
