/**
 * Reports each fired timer (and transfer) task to the metrics under Temporal's task type names
 * (common/metrics/metric_defs.go `TaskTypeTimerActiveTask*`, `TaskTypeTransferActiveTask*`),
 * as `task_requests`, `task_errors` and `task_latency`.
 */
import type { ServerMetrics } from '../common/server-metrics.js'
import { parseTimerTaskData, type TimerTaskData } from '../history/queues/timer-task.js'
import type { TimerTask } from '../persistence/store.js'

const taskTypes: Record<TimerTaskData['kind'], string> = {
  'user-timer': 'TimerActiveTaskUserTimer',
  'workflow-task-timeout': 'TimerActiveTaskWorkflowTaskTimeout',
  'activity-timeout': 'TimerActiveTaskActivityTimeout',
  'activity-retry': 'TimerActiveTaskActivityRetryTimer',
  'workflow-timeout': 'TimerActiveTaskWorkflowRunTimeout',
  'workflow-backoff': 'TimerActiveTaskWorkflowBackoffTimer',
  'delete-history-event': 'TimerActiveTaskDeleteHistoryEvent',
  'start-child': 'TransferActiveTaskStartChildExecution',
  'report-child-closed': 'TransferActiveTaskCloseExecution',
  'parent-close-policy': 'TransferActiveTaskCloseExecution',
  'signal-external': 'TransferActiveTaskSignalExecution',
  'cancel-external': 'TransferActiveTaskCancelExecution',
}

/** Temporal's task type name of a timer row (`_unknown_` for data this version cannot read). */
export function timerTaskType(task: TimerTask): string {
  try {
    return taskTypes[parseTimerTaskData(task.data).kind] ?? '_unknown_'
  } catch {
    return '_unknown_'
  }
}

/** `execute`, with each run (and failure) reported to `metrics.historyTask`. */
export function meteredTimerExecutor(
  metrics: ServerMetrics,
  execute: (task: TimerTask) => Promise<void>,
  now: () => number = () => performance.now() / 1000,
): (task: TimerTask) => Promise<void> {
  return async (task) => {
    const start = now()
    try {
      await execute(task)
      metrics.historyTask(timerTaskType(task), task.namespaceId, now() - start, undefined)
    } catch (e: unknown) {
      metrics.historyTask(timerTaskType(task), task.namespaceId, now() - start, e)
      throw e
    }
  }
}
