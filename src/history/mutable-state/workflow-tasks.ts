/**
 * The workflow task of a run: scheduled, started, then completed, failed or timed out. A run has
 * at most one. Follows Temporal's workflowTaskStateMachine
 * (service/history/workflow/workflow_task_state_machine.go), including transient tasks: after a
 * failure or timeout the next attempts write no events until one of them completes.
 */
import {
  EventType,
  TaskQueueKind,
  TimeoutType,
  long,
  toNumber,
  type WorkflowTaskFailedCause,
  type pb,
} from '../../common/proto.js'
import { durationFromMs, timestampFromMs } from '../../common/time.js'
import { QueueKind } from '../../persistence/store.js'
import type { MutableState } from './mutable-state.js'
import type { WorkflowTaskInfo } from './state.js'

/** Scheduling a workflow task writes the events that waited for it first. */
export function scheduleWorkflowTask(ms: MutableState): void {
  if (ms.hasPendingWorkflowTask() || !ms.isRunning()) return
  ms.flushBufferedEvents()
  const info = ms.info
  const attempt = ms.data.workflowTaskAttempt
  let scheduledEventId = ms.data.nextEventId
  if (attempt === 1) {
    const event = ms.addEvent(
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      'workflowTaskScheduledEventAttributes',
      {
        taskQueue: normalTaskQueue(info.taskQueue),
        startToCloseTimeout: durationFromMs(info.taskTimeoutMs),
        attempt,
      },
    )
    scheduledEventId = toNumber(event.eventId)
  }
  ms.data.workflowTask = {
    scheduledEventId,
    startedEventId: 0,
    attempt,
    taskQueue: info.taskQueue,
    taskQueueKind: 'normal',
    timeoutMs: info.taskTimeoutMs,
    scheduledTime: ms.now(),
    startedTime: 0,
    requestId: '',
    identity: '',
    historySizeBytes: 0,
    timerKeys: [],
    queueTaskKeys: [],
  }
  ms.data.workflowTask.queueTaskKeys.push(
    ms.addQueueTask(QueueKind.Workflow, info.taskQueue, scheduledEventId),
  )
}

/**
 * Records the task as started by a poller. A transient task stays without events unless new
 * events arrived since it was scheduled; then it becomes a normal attempt-1 task whose
 * scheduled event is written now (AddWorkflowTaskStartedEvent).
 */
export function startWorkflowTask(
  ms: MutableState,
  args: { requestId: string; identity: string },
): WorkflowTaskInfo {
  const wt = ms.data.workflowTask!
  const now = ms.now()
  let written = wt.attempt === 1
  if (!written && wt.scheduledEventId !== ms.data.nextEventId) {
    wt.attempt = 1
    ms.data.workflowTaskAttempt = 1
    written = true
    const scheduled = ms.addEvent(
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      'workflowTaskScheduledEventAttributes',
      {
        taskQueue: normalTaskQueue(wt.taskQueue),
        startToCloseTimeout: durationFromMs(wt.timeoutMs),
        attempt: 1,
      },
      now,
    )
    wt.scheduledEventId = toNumber(scheduled.eventId)
  }
  wt.historySizeBytes = ms.data.historySizeBytes
  if (written) {
    const started = ms.addEvent(
      EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
      'workflowTaskStartedEventAttributes',
      {
        scheduledEventId: long(wt.scheduledEventId),
        identity: args.identity,
        requestId: args.requestId,
        historySizeBytes: long(wt.historySizeBytes),
      },
      now,
    )
    wt.startedEventId = toNumber(started.eventId)
    ms.newBatch()
  } else {
    wt.startedEventId = wt.scheduledEventId + 1
  }
  wt.startedTime = now
  wt.requestId = args.requestId
  wt.identity = args.identity
  ms.deleteQueueTasks(wt.queueTaskKeys)
  wt.queueTaskKeys = []
  wt.timerKeys.push(
    ms.addTimer(now + wt.timeoutMs, {
      kind: 'workflow-task-timeout',
      scheduledEventId: wt.scheduledEventId,
      attempt: wt.attempt,
      timeoutType: TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE,
    }),
  )
  return wt
}

/** The events a poller sees for a transient task, which history does not hold (yet). */
export function transientWorkflowTaskEvents(ms: MutableState): pb.HistoryEvent[] {
  const wt = ms.data.workflowTask
  if (!wt || wt.attempt === 1 || wt.startedEventId === 0) return []
  return transientEvents(wt)
}

function transientEvents(wt: WorkflowTaskInfo): pb.HistoryEvent[] {
  return [
    {
      eventId: long(wt.scheduledEventId),
      eventTime: timestampFromMs(wt.scheduledTime),
      eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      version: long(0),
      taskId: long(0),
      workflowTaskScheduledEventAttributes: {
        taskQueue: normalTaskQueue(wt.taskQueue),
        startToCloseTimeout: durationFromMs(wt.timeoutMs),
        attempt: wt.attempt,
      },
    },
    {
      eventId: long(wt.startedEventId),
      eventTime: timestampFromMs(wt.startedTime),
      eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
      version: long(0),
      taskId: long(0),
      workflowTaskStartedEventAttributes: {
        scheduledEventId: long(wt.scheduledEventId),
        identity: wt.identity,
        requestId: wt.requestId,
        historySizeBytes: long(wt.historySizeBytes),
      },
    },
  ]
}

/**
 * Writes the transient attempt's scheduled and started events, with the ids and times the worker
 * was shown, so that what it completes is in history (CreateTransientWorkflowTaskEvents).
 */
function materializeTransientTask(ms: MutableState, wt: WorkflowTaskInfo): void {
  if (wt.attempt === 1) return
  const [scheduled, started] = transientEvents(wt)
  ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    'workflowTaskScheduledEventAttributes',
    scheduled!.workflowTaskScheduledEventAttributes!,
    wt.scheduledTime,
  )
  ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    'workflowTaskStartedEventAttributes',
    started!.workflowTaskStartedEventAttributes!,
    wt.startedTime,
  )
}

/** Writes WorkflowTaskCompleted; the caller then turns the task's commands into events. */
export function completeWorkflowTask(
  ms: MutableState,
  req: Pick<
    pb.WorkflowTaskCompletedEventAttributes,
    'identity' | 'binaryChecksum' | 'sdkMetadata' | 'meteringMetadata' | 'workerVersion'
  >,
): number {
  const wt = ms.data.workflowTask!
  materializeTransientTask(ms, wt)
  const event = ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    'workflowTaskCompletedEventAttributes',
    {
      scheduledEventId: long(wt.scheduledEventId),
      startedEventId: long(wt.startedEventId),
      ...req,
    },
  )
  endWorkflowTask(ms, wt)
  ms.data.workflowTaskAttempt = 1
  ms.data.lastCompletedWorkflowTaskStartedEventId = wt.startedEventId
  return toNumber(event.eventId)
}

/**
 * Fails the started task (a worker's RespondWorkflowTaskFailed, a bad command, or a force-close)
 * and schedules the next attempt unless the run is closing. A transient attempt's failure writes
 * no event.
 */
export function failWorkflowTask(
  ms: MutableState,
  args: {
    cause: WorkflowTaskFailedCause
    failure?: pb.Failure | null
    identity: string
    /** False when the caller closes the run right after (terminate, timeout). */
    scheduleNext: boolean
  },
): void {
  const wt = ms.data.workflowTask
  if (!wt) return
  if (wt.attempt === 1 && wt.startedEventId > 0) {
    ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, 'workflowTaskFailedEventAttributes', {
      scheduledEventId: long(wt.scheduledEventId),
      startedEventId: long(wt.startedEventId),
      cause: args.cause,
      failure: args.failure ?? null,
      identity: args.identity,
    })
  }
  endWorkflowTask(ms, wt)
  ms.data.workflowTaskAttempt = wt.attempt + 1
  if (args.scheduleNext) scheduleWorkflowTask(ms)
}

/** The started task ran past its start-to-close timeout. */
export function timeoutWorkflowTask(ms: MutableState): void {
  const wt = ms.data.workflowTask!
  if (wt.attempt === 1) {
    ms.addEvent(
      EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
      'workflowTaskTimedOutEventAttributes',
      {
        scheduledEventId: long(wt.scheduledEventId),
        startedEventId: long(wt.startedEventId),
        timeoutType: TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE,
      },
    )
  }
  endWorkflowTask(ms, wt)
  ms.data.workflowTaskAttempt = wt.attempt + 1
  scheduleWorkflowTask(ms)
}

function endWorkflowTask(ms: MutableState, wt: WorkflowTaskInfo): void {
  ms.deleteTimers(wt.timerKeys)
  ms.deleteQueueTasks(wt.queueTaskKeys)
  ms.data.workflowTask = undefined
}

export function normalTaskQueue(name: string): pb.TaskQueue {
  return { name, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL }
}
