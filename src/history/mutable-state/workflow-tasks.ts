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
import { clearStickyTaskQueue, currentTaskQueue, isStickyTaskQueueSet } from './sticky.js'

/**
 * Schedules the run's next workflow task on its current queue: the sticky queue while one is set,
 * with a schedule-to-start timer that moves the task back to the normal queue if the sticky worker
 * does not take it in time (GenerateScheduleWorkflowTaskTasks in task_generator.go). Events that
 * waited for a task are written first; when there are any, the task cannot be transient.
 */
export function scheduleWorkflowTask(
  ms: MutableState,
  opts: {
    /**
     * A task only for delivering updates: its events are written only if it produces any, so a
     * rejected update leaves no trace in history (Temporal's speculative workflow task).
     */
    speculative?: boolean
  } = {},
): void {
  if (ms.hasPendingWorkflowTask() || !ms.isRunning()) return
  const speculative = opts.speculative === true && !ms.hasBufferedEvents()
  if (ms.hasBufferedEvents()) ms.data.workflowTaskAttempt = 1
  ms.flushBufferedEvents()
  const info = ms.info
  const attempt = ms.data.workflowTaskAttempt
  // A failure or timeout clears stickiness, so a transient attempt is always on the normal queue.
  const taskQueue = currentTaskQueue(info)
  const sticky = isStickyTaskQueueSet(info)
  let scheduledEventId = ms.data.nextEventId
  if (attempt === 1 && !speculative) {
    const event = ms.addEvent(
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      'workflowTaskScheduledEventAttributes',
      { taskQueue, startToCloseTimeout: durationFromMs(info.taskTimeoutMs), attempt },
    )
    scheduledEventId = toNumber(event.eventId)
  }
  const wt: WorkflowTaskInfo = {
    scheduledEventId,
    startedEventId: 0,
    attempt,
    taskQueue: taskQueue.name!,
    taskQueueKind: sticky ? 'sticky' : 'normal',
    timeoutMs: info.taskTimeoutMs,
    scheduledTime: ms.now(),
    startedTime: 0,
    requestId: '',
    identity: '',
    historySizeBytes: 0,
    timerKeys: [],
    queueTaskKeys: [],
    speculative: speculative && attempt === 1,
  }
  ms.data.workflowTask = wt
  if (sticky) {
    wt.timerKeys.push(
      ms.addTimer(wt.scheduledTime + info.stickyScheduleToStartTimeoutMs, {
        kind: 'workflow-task-timeout',
        scheduledEventId,
        attempt,
        timeoutType: TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START,
      }),
    )
  }
  wt.queueTaskKeys.push(
    ms.addQueueTask(
      QueueKind.Workflow,
      wt.taskQueue,
      scheduledEventId,
      sticky ? info.taskQueue : undefined,
    ),
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
  let written = !isUnwritten(wt)
  if (!written && wt.scheduledEventId !== ms.data.nextEventId) {
    wt.attempt = 1
    wt.speculative = false
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
  // The sticky schedule-to-start timer has done its job once the task is taken.
  ms.deleteTimers(wt.timerKeys)
  wt.timerKeys = []
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
  if (!wt || !isUnwritten(wt) || wt.startedEventId === 0) return []
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
  if (!isUnwritten(wt)) return
  wt.speculative = false
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

/**
 * Whether the task's scheduled and started events are not in history (yet): a transient retry
 * or a speculative task. Its poller is shown them; they are written if it completes.
 */
export function isUnwritten(wt: WorkflowTaskInfo): boolean {
  return wt.attempt > 1 || wt.speculative === true
}

/**
 * Drops a speculative task that produced nothing (only rejected updates): no events, and the
 * run is as if it never existed (workflow_task_state_machine.go skipWorkflowTaskCompletedEvent).
 */
export function discardSpeculativeWorkflowTask(ms: MutableState): void {
  const wt = ms.data.workflowTask!
  endWorkflowTask(ms, wt)
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
    /** For RESET_WORKFLOW: the run reset from and the run created. */
    reset?: { baseRunId: string; newRunId: string }
  },
): void {
  const wt = ms.data.workflowTask
  if (!wt) return
  // A failed speculative task becomes a normal one: its events are written with the failure.
  if (wt.speculative && wt.startedEventId > 0) materializeTransientTask(ms, wt)
  if (wt.attempt === 1 && wt.startedEventId > 0) {
    ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, 'workflowTaskFailedEventAttributes', {
      scheduledEventId: long(wt.scheduledEventId),
      startedEventId: long(wt.startedEventId),
      cause: args.cause,
      failure: args.failure ?? null,
      identity: args.identity,
      baseRunId: args.reset?.baseRunId ?? '',
      newRunId: args.reset?.newRunId ?? '',
    })
  }
  endWorkflowTask(ms, wt)
  setAttemptAfterFailure(ms, wt, true)
  // A reset starts over with a normal task (workflow_task_state_machine.go AddWorkflowTaskFailedEvent).
  if (args.reset) ms.data.workflowTaskAttempt = 1
  if (args.scheduleNext) scheduleWorkflowTask(ms)
}

/** The started task ran past its start-to-close timeout. */
export function timeoutWorkflowTask(ms: MutableState): void {
  const wt = ms.data.workflowTask!
  if (wt.speculative) materializeTransientTask(ms, wt)
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
  setAttemptAfterFailure(ms, wt, true)
  scheduleWorkflowTask(ms)
}

/**
 * Nobody took the task from the sticky queue within the sticky schedule-to-start timeout (the
 * worker is gone or busy): WorkflowTaskTimedOut(SCHEDULE_TO_START) with no started event, and a
 * fresh attempt-1 task on the normal queue, where any worker can take it with the full history
 * (AddWorkflowTaskScheduleToStartTimeoutEvent in workflow_task_state_machine.go).
 */
export function timeoutWorkflowTaskScheduleToStart(ms: MutableState): void {
  const wt = ms.data.workflowTask!
  ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, 'workflowTaskTimedOutEventAttributes', {
    scheduledEventId: long(wt.scheduledEventId),
    startedEventId: long(0),
    timeoutType: TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START,
  })
  endWorkflowTask(ms, wt)
  setAttemptAfterFailure(ms, wt, false)
  scheduleWorkflowTask(ms)
}

/**
 * The attempt of the task after a failed or timed-out one. A sticky run first loses its
 * stickiness and retries as a fresh attempt on the normal queue (with the full history) before
 * retries become transient; a schedule-to-start timeout never counts as a failed attempt
 * (failWorkflowTask and ApplyWorkflowTaskTimedOutEvent in workflow_task_state_machine.go).
 */
function setAttemptAfterFailure(
  ms: MutableState,
  wt: WorkflowTaskInfo,
  incrementAttempt: boolean,
): void {
  if (isStickyTaskQueueSet(ms.info)) {
    clearStickyTaskQueue(ms.info)
    incrementAttempt = false
  }
  ms.data.workflowTaskAttempt = incrementAttempt ? wt.attempt + 1 : 1
}

function endWorkflowTask(ms: MutableState, wt: WorkflowTaskInfo): void {
  ms.deleteTimers(wt.timerKeys)
  ms.deleteQueueTasks(wt.queueTaskKeys)
  ms.data.workflowTask = undefined
}

export function normalTaskQueue(name: string): pb.TaskQueue {
  return { name, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL }
}
