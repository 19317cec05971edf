/**
 * Stickiness of a run: the worker that completed its last workflow task asked (through
 * `stickyAttributes`) for the next one on its own queue, where it keeps the run cached and needs
 * only the events it has not seen. Follows Temporal's SetStickyTaskQueue, ClearStickyTaskQueue
 * and CurrentTaskQueue (service/history/workflow/mutable_state_impl.go).
 */
import { TaskQueueKind, type pb } from '../../common/proto.js'
import type { ExecutionInfo } from './state.js'

export function isStickyTaskQueueSet(info: ExecutionInfo): boolean {
  return info.stickyTaskQueue !== ''
}

export function setStickyTaskQueue(info: ExecutionInfo, name: string, timeoutMs: number): void {
  info.stickyTaskQueue = name
  info.stickyScheduleToStartTimeoutMs = timeoutMs
}

export function clearStickyTaskQueue(info: ExecutionInfo): void {
  info.stickyTaskQueue = ''
  info.stickyScheduleToStartTimeoutMs = 0
}

/**
 * The queue the next workflow task goes to, as its WorkflowTaskScheduled event names it: the
 * sticky queue (kind STICKY, with the normal name) while one is set, else the normal queue.
 */
export function currentTaskQueue(info: ExecutionInfo): pb.TaskQueue {
  if (isStickyTaskQueueSet(info)) {
    return {
      name: info.stickyTaskQueue,
      kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY,
      normalName: info.taskQueue,
    }
  }
  return { name: info.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL }
}
