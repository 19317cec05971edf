/**
 * Runs a fired timer against its run. Each kind first checks that the timer still applies (the
 * entity and attempt it was armed for are still there), since a timer can outlive its purpose or
 * fire twice after a crash (timer_queue_active_task_executor.go).
 */
import { NotFoundError } from '../../common/errors.js'
import { TimeoutType } from '../../common/proto.js'
import type { TimerTask } from '../../persistence/store.js'
import { deleteClosedRun } from '../api/delete-workflow-execution.js'
import type { HistoryEngine } from '../history-engine.js'
import { dispatchActivity, timeoutActivity } from '../mutable-state/activities.js'
import { timeoutWorkflow } from '../mutable-state/execution.js'
import type { MutableState } from '../mutable-state/mutable-state.js'
import { fireTimer } from '../mutable-state/timers.js'
import {
  scheduleWorkflowTask,
  timeoutWorkflowTask,
  timeoutWorkflowTaskScheduleToStart,
} from '../mutable-state/workflow-tasks.js'
import { parseTimerTaskData, type TimerTaskData } from './timer-task.js'
import { executeTransfer, isTransferTask } from './transfer-executor.js'

export async function executeTimer(engine: HistoryEngine, task: TimerTask): Promise<void> {
  const key = { namespaceId: task.namespaceId, workflowId: task.workflowId, runId: task.runId }
  const data = parseTimerTaskData(task.data)
  if (isTransferTask(data)) return executeTransfer(engine, task, data)
  try {
    if (data.kind === 'delete-history-event') {
      await deleteClosedRun(engine, key)
      return
    }
    await engine.updateWorkflow(key, (ms) => {
      if (ms.isRunning()) apply(ms, data)
    })
  } catch (e: unknown) {
    // The run is gone (e.g. deleted by retention): nothing left to do.
    if (!(e instanceof NotFoundError)) throw e
  }
}

function apply(ms: MutableState, data: TimerTaskData): void {
  switch (data.kind) {
    case 'user-timer': {
      const timer = ms.data.timers[data.timerId]
      if (timer?.startedEventId === data.startedEventId) fireTimer(ms, timer)
      return
    }
    case 'workflow-task-timeout': {
      const wt = ms.data.workflowTask
      if (!wt || wt.scheduledEventId !== data.scheduledEventId || wt.attempt !== data.attempt) {
        return
      }
      // Schedule-to-start applies to a task still waiting on a sticky queue, start-to-close to
      // a started one (executeWorkflowTaskTimeoutTask in timer_queue_active_task_executor.go).
      if (data.timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START) {
        if (wt.startedEventId === 0) timeoutWorkflowTaskScheduleToStart(ms)
      } else if (wt.startedEventId > 0) {
        timeoutWorkflowTask(ms)
      }
      return
    }
    case 'activity-timeout': {
      const ai = ms.data.activities[data.scheduledEventId]
      if (!ai) return
      const scheduleToClose = data.timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE
      if (!scheduleToClose && ai.attempt !== data.attempt) return
      if (data.timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START && ai.startedTime !== 0)
        return
      if (
        (data.timeoutType === TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE ||
          data.timeoutType === TimeoutType.TIMEOUT_TYPE_HEARTBEAT) &&
        ai.startedTime === 0
      ) {
        return
      }
      if (data.timeoutType === TimeoutType.TIMEOUT_TYPE_HEARTBEAT) {
        // Heartbeats do not move the timer row; re-arm it if one arrived in time.
        const deadline = Math.max(ai.lastHeartbeatTime, ai.startedTime) + ai.heartbeatTimeoutMs
        if (deadline > ms.now()) {
          ai.attemptTimerKeys.push(ms.addTimer(deadline, data))
          return
        }
      }
      timeoutActivity(ms, ai, data.timeoutType)
      return
    }
    case 'activity-retry': {
      const ai = ms.data.activities[data.scheduledEventId]
      if (ai && ai.attempt === data.attempt && ai.retryTimerKey) dispatchActivity(ms, ai)
      return
    }
    case 'workflow-timeout':
      timeoutWorkflow(ms)
      return
    case 'workflow-backoff':
      scheduleWorkflowTask(ms)
      return
    case 'delete-history-event':
    case 'start-child':
    case 'report-child-closed':
    case 'parent-close-policy':
    case 'signal-external':
    case 'cancel-external':
      return
  }
}
