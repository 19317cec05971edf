/**
 * Transfer tasks: the work one run's transaction asks to be done on another run — start a child,
 * tell a parent its child closed, apply a parent-close policy, deliver a signal or cancel request
 * to another workflow. Each is retried until it succeeds and is idempotent: it re-checks the
 * source run's pending entry, and uses deterministic request ids on the target
 * (transfer_queue_active_task_executor.go).
 */
import {
  CancelExternalWorkflowExecutionFailedCause,
  ParentClosePolicy,
  SignalExternalWorkflowExecutionFailedCause,
  StartChildWorkflowExecutionFailedCause,
  WorkflowExecutionStatus,
  toNumber,
  type pb,
} from '../../common/proto.js'
import {
  NotFoundError,
  UnavailableError,
  WorkflowExecutionAlreadyStartedError,
} from '../../common/errors.js'
import type { RunKey, TimerTask } from '../../persistence/store.js'
import { createRun, onExisting } from '../api/start-workflow-execution.js'
import type { HistoryEngine } from '../history-engine.js'
import {
  recordChildClosed,
  recordChildStartFailed,
  recordChildStarted,
  recordExternalOutcome,
} from '../mutable-state/children.js'
import { requestCancelWorkflow, terminateWorkflow } from '../mutable-state/execution.js'
import { addWorkflowExecutionSignaled } from '../mutable-state/signals.js'
import type { TimerTaskData } from './timer-task.js'

export type TransferTaskData = Extract<
  TimerTaskData,
  {
    kind:
      | 'start-child'
      | 'report-child-closed'
      | 'parent-close-policy'
      | 'signal-external'
      | 'cancel-external'
  }
>

export function isTransferTask(data: TimerTaskData): data is TransferTaskData {
  return (
    data.kind === 'start-child' ||
    data.kind === 'report-child-closed' ||
    data.kind === 'parent-close-policy' ||
    data.kind === 'signal-external' ||
    data.kind === 'cancel-external'
  )
}

export async function executeTransfer(
  engine: HistoryEngine,
  task: TimerTask,
  data: TransferTaskData,
): Promise<void> {
  const source = { namespaceId: task.namespaceId, workflowId: task.workflowId, runId: task.runId }
  switch (data.kind) {
    case 'start-child':
      return startChild(engine, source, data.initiatedEventId)
    case 'report-child-closed':
      return reportChildClosed(engine, source)
    case 'parent-close-policy':
      return applyParentClosePolicy(engine, source, data)
    case 'signal-external':
      return signalExternal(engine, source, data.initiatedEventId)
    case 'cancel-external':
      return cancelExternal(engine, source, data.initiatedEventId)
  }
}

async function readEvent(
  engine: HistoryEngine,
  runId: string,
  eventId: number,
): Promise<pb.HistoryEvent> {
  const { events } = await engine.readEvents(runId, eventId, eventId + 1)
  const event = events.find((e) => toNumber(e.eventId) === eventId)
  if (!event) throw new UnavailableError(`event ${eventId} of run ${runId} is not readable yet`)
  return event
}

async function startChild(
  engine: HistoryEngine,
  parent: RunKey,
  initiatedEventId: number,
): Promise<void> {
  const snapshot = await engine.getRun(parent)
  const child = snapshot.children?.[initiatedEventId]
  if (snapshot.state === 'completed' || !child || child.startedEventId !== 0) return
  const initiated = await readEvent(engine, parent.runId, initiatedEventId)
  const a = initiated.startChildWorkflowExecutionInitiatedEventAttributes!
  const requestId = `${parent.runId}:${initiatedEventId}`
  const outcome = await engine.withWorkflowLock(parent.namespaceId, child.workflowId, async () => {
    const { current } = await engine.deps.store.executions.getCurrentExecution({
      namespaceId: parent.namespaceId,
      workflowId: child.workflowId,
    })
    if (current?.createRequestId === requestId) return { runId: current.runId }
    const req = { ...a, requestId, identity: '' }
    try {
      if (current?.status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        return { failed: true as const }
      }
      if (current) onExisting(req, current)
    } catch (e: unknown) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) return { failed: true as const }
      throw e
    }
    const runId = await createRun(engine, parent.namespaceId, req, {
      requestId,
      current,
      chain: {
        parentWorkflowNamespace: child.namespace,
        parentWorkflowNamespaceId: parent.namespaceId,
        parentWorkflowExecution: { workflowId: parent.workflowId, runId: parent.runId },
        parentInitiatedEventId: initiated.eventId,
        rootWorkflowExecution: snapshot.executionInfo.root ?? {
          workflowId: parent.workflowId,
          runId: parent.runId,
        },
      },
    })
    return { runId }
  })
  await engine.updateWorkflow(parent, (ms) => {
    const pending = ms.data.children?.[initiatedEventId]
    if (!ms.isRunning() || !pending || pending.startedEventId !== 0) return
    if ('failed' in outcome) {
      recordChildStartFailed(ms, pending, {
        cause:
          StartChildWorkflowExecutionFailedCause.START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS,
        control: a.control ?? '',
        workflowTaskCompletedEventId: toNumber(a.workflowTaskCompletedEventId),
      })
    } else {
      recordChildStarted(ms, pending, { runId: outcome.runId, header: a.header })
    }
  })
}

async function reportChildClosed(engine: HistoryEngine, childKey: RunKey): Promise<void> {
  const child = await engine.getRun(childKey)
  const parentInfo = child.executionInfo.parent
  if (!parentInfo) return
  const closeEvent = await readEvent(engine, childKey.runId, child.completionEventId)
  const parent = {
    namespaceId: parentInfo.namespaceId,
    workflowId: parentInfo.workflowId,
    runId: parentInfo.runId,
  }
  try {
    await engine.updateWorkflow(parent, (ms) => {
      const pending = ms.data.children?.[parentInfo.initiatedEventId]
      if (!ms.isRunning() || !pending) return
      // The parent has not recorded the start yet (its start task is still retrying): try later.
      if (pending.startedEventId === 0) throw new UnavailableError('child start not recorded yet')
      recordChildClosed(ms, pending, closeEvent, childKey.runId)
    })
  } catch (e: unknown) {
    if (!(e instanceof NotFoundError)) throw e
  }
}

async function applyParentClosePolicy(
  engine: HistoryEngine,
  parent: RunKey,
  data: Extract<TransferTaskData, { kind: 'parent-close-policy' }>,
): Promise<void> {
  if (!data.runId) return
  try {
    const key = await engine.resolveRun(parent.namespaceId, data.workflowId, '')
    await engine.updateWorkflow(key, (ms) => {
      // Only the chain this parent started, not a later workflow reusing the id.
      if (!ms.isRunning() || ms.info.firstRunId !== data.runId) return
      if (data.policy === ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE) {
        terminateWorkflow(ms, {
          reason: 'by parent close policy',
          details: null,
          identity: 'history-service',
        })
      } else if (!ms.data.cancelRequested) {
        requestCancelWorkflow(ms, {
          reason: 'by parent close policy',
          identity: 'history-service',
          requestId: '',
        })
      }
    })
  } catch (e: unknown) {
    if (!(e instanceof NotFoundError)) throw e
  }
}

/** Runs `apply` on the target run; false when the target does not exist or is closed. */
async function onTarget(
  engine: HistoryEngine,
  source: RunKey,
  target: { workflowId: string; runId: string; childWorkflowOnly: boolean },
  apply: (ms: Parameters<Parameters<HistoryEngine['updateWorkflow']>[1]>[0]) => void,
): Promise<boolean> {
  try {
    const key = await engine.resolveRun(source.namespaceId, target.workflowId, target.runId)
    return await engine.updateWorkflow(key, (ms) => {
      if (!ms.isRunning()) return false
      const parent = ms.info.parent
      if (
        target.childWorkflowOnly &&
        (parent?.workflowId !== source.workflowId || parent.runId !== source.runId)
      ) {
        return false
      }
      apply(ms)
      return true
    })
  } catch (e: unknown) {
    if (e instanceof NotFoundError) return false
    throw e
  }
}

async function signalExternal(
  engine: HistoryEngine,
  source: RunKey,
  initiatedEventId: number,
): Promise<void> {
  const snapshot = await engine.getRun(source)
  const info = snapshot.externalSignals?.[initiatedEventId]
  if (snapshot.state === 'completed' || !info) return
  const a = (await readEvent(engine, source.runId, initiatedEventId))
    .signalExternalWorkflowExecutionInitiatedEventAttributes!
  const delivered = await onTarget(engine, source, info, (ms) =>
    addWorkflowExecutionSignaled(ms, {
      signalName: a.signalName ?? '',
      input: a.input,
      identity: '',
      header: a.header,
      requestId: `${source.runId}:${initiatedEventId}`,
    }),
  )
  await engine.updateWorkflow(source, (ms) => {
    const pending = ms.data.externalSignals?.[initiatedEventId]
    if (!ms.isRunning() || !pending) return
    recordExternalOutcome(
      ms,
      'signal',
      pending,
      delivered
        ? undefined
        : SignalExternalWorkflowExecutionFailedCause.SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
    )
  })
}

async function cancelExternal(
  engine: HistoryEngine,
  source: RunKey,
  initiatedEventId: number,
): Promise<void> {
  const snapshot = await engine.getRun(source)
  const info = snapshot.externalCancels?.[initiatedEventId]
  if (snapshot.state === 'completed' || !info) return
  const a = (await readEvent(engine, source.runId, initiatedEventId))
    .requestCancelExternalWorkflowExecutionInitiatedEventAttributes!
  const delivered = await onTarget(engine, source, info, (ms) => {
    if (ms.data.cancelRequested) return
    requestCancelWorkflow(ms, {
      reason: a.reason ?? '',
      identity: '',
      requestId: `${source.runId}:${initiatedEventId}`,
      external: {
        initiatedEventId,
        execution: { workflowId: source.workflowId, runId: source.runId },
      },
    })
  })
  await engine.updateWorkflow(source, (ms) => {
    const pending = ms.data.externalCancels?.[initiatedEventId]
    if (!ms.isRunning() || !pending) return
    recordExternalOutcome(
      ms,
      'cancel',
      pending,
      delivered
        ? undefined
        : CancelExternalWorkflowExecutionFailedCause.CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
    )
  })
}
