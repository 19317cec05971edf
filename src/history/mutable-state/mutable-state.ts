/**
 * One run's mutable state during one transaction: the persisted data plus the events, task-queue
 * tasks and timers the transaction produces. `updateWorkflow` (history/workflow-context.ts)
 * creates one from a copy of the cached state, lets an API mutate it through the `add*Event`
 * functions of the entity files beside this one, and commits what `finish()` returns.
 *
 * Event buffering follows Temporal's EventStore (service/history/historybuilder/event_store.go):
 * events that do not come from the in-flight workflow task's own commands are buffered while a
 * workflow task is started, and flushed (completions last, started ids wired) when it ends.
 */
import { EventType, api, long, toNumber, type pb } from '../../common/proto.js'
import type { Clock } from '../../common/clock.js'
import { timestampFromMs } from '../../common/time.js'
import {
  QueueKind,
  type HistoryBatch,
  type QueueTask,
  type QueueTaskKey,
  type TimerTask,
  type TimerTaskKey,
} from '../../persistence/store.js'
import { encodedEvent } from './encoded.js'
import type { PreparedRun } from './new-run.js'
import type { MutableStateData } from './state.js'
import type { TimerTaskData } from '../queues/timer-task.js'

/** Event types never buffered (event_store.go bufferEvent). */
const unbuffered = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
  EventType.EVENT_TYPE_TIMER_STARTED,
  EventType.EVENT_TYPE_TIMER_CANCELED,
  EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
  EventType.EVENT_TYPE_MARKER_RECORDED,
  EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
  EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
  EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
])

/** Completion events, which a flush moves behind the other buffered events (reorderBuffer). */
const completions = new Set<number>([
  EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
])

/** Attribute field names of the HistoryEvent oneof, e.g. `timerStartedEventAttributes`. */
export type EventAttributesField = Extract<keyof pb.HistoryEvent, `${string}EventAttributes`>

export interface MutableStateDeps {
  clock: Clock
  /** Allocates ids for task-queue tasks and timers, unique and increasing. */
  nextTaskId(): number
  /** The namespace's retention of closed runs in ms, if known. */
  retentionMs(namespaceId: string): number | undefined
}

/** What one transaction on a run writes, for the store and for post-commit notifications. */
export interface MutableStateChanges {
  batches: HistoryBatch[]
  queueTasks: QueueTask[]
  queueTaskDeletes: QueueTaskKey[]
  timers: TimerTask[]
  timerDeletes: TimerTaskKey[]
  /** The events written, for caches (in order). */
  events: pb.HistoryEvent[]
}

const HistoryType = api.history.v1.History

export class MutableState {
  private batches: pb.HistoryEvent[][] = []
  private batch: pb.HistoryEvent[] = []
  private readonly queueTasks: QueueTask[] = []
  private readonly queueTaskDeletes: QueueTaskKey[] = []
  private readonly timers: TimerTask[] = []
  private readonly timerDeletes: TimerTaskKey[] = []
  /** Set when anything changed, so a no-op transaction writes nothing. */
  private dirty = false
  /**
   * A run this transaction starts as the workflow id's new current run, after closing this one
   * (continue-as-new, retry, cron). Written in the same transaction.
   */
  newRun: PreparedRun | undefined

  constructor(
    readonly data: MutableStateData,
    readonly deps: MutableStateDeps,
  ) {}

  get info() {
    return this.data.executionInfo
  }

  now(): number {
    return this.deps.clock.now()
  }

  isRunning(): boolean {
    return this.data.state !== 'completed'
  }

  hasStartedWorkflowTask(): boolean {
    return (this.data.workflowTask?.startedEventId ?? 0) > 0
  }

  hasPendingWorkflowTask(): boolean {
    return this.data.workflowTask !== undefined
  }

  hasBufferedEvents(): boolean {
    return this.data.bufferedEvents.length > 0
  }

  /** A transient workflow task is a retry after a failure: its events are written only on success. */
  isTransientWorkflowTask(): boolean {
    return this.data.workflowTaskAttempt > 1
  }

  markDirty(): void {
    this.dirty = true
  }

  isDirty(): boolean {
    return this.dirty
  }

  /**
   * Adds an event: appended to the current batch with the next event id, or, if its type is
   * bufferable, put in the buffer (id 0 for now). The buffer is flushed before a workflow task is
   * scheduled and at the end of a transaction with no workflow task in flight; until then the
   * events wait for the in-flight task, and their presence asks for a new task (Temporal's
   * historyBuilder buffers the same way, see event_store.go).
   */
  addEvent<F extends EventAttributesField>(
    eventType: EventType,
    field: F,
    attributes: NonNullable<pb.HistoryEvent[F]>,
    eventTime = this.now(),
  ): pb.HistoryEvent {
    this.dirty = true
    const event: pb.HistoryEvent = {
      eventId: long(0),
      eventTime: timestampFromMs(eventTime),
      eventType,
      version: long(0),
      taskId: long(0),
      [field]: attributes,
    }
    if (unbuffered.has(eventType)) {
      this.append(event)
    } else {
      this.data.bufferedEvents.push(encodedEvent.encode(event)!)
    }
    return event
  }

  private append(event: pb.HistoryEvent): void {
    event.eventId = long(this.data.nextEventId++)
    this.batch.push(event)
  }

  /** Writes buffered events into history (Temporal's FlushBufferToCurrentBatch). */
  flushBufferedEvents(): void {
    if (this.data.bufferedEvents.length === 0) return
    this.dirty = true
    const buffered = this.data.bufferedEvents.map((b) => encodedEvent.decode(b)!)
    this.data.bufferedEvents = []
    if (!this.isRunning()) return
    const ordered = [
      ...buffered.filter((e) => !completions.has(e.eventType ?? 0)),
      ...buffered.filter((e) => completions.has(e.eventType ?? 0)),
    ]
    // Buffered events get their ids now; closing events point at started events by id, so wire
    // those that were buffered together (activities by scheduled id, children by initiated id).
    const activityStarted = new Map<number, number>()
    const childStarted = new Map<number, number>()
    for (const e of ordered) {
      this.append(e)
      const id = toNumber(e.eventId)
      const a = e.activityTaskStartedEventAttributes
      if (a) activityStarted.set(toNumber(a.scheduledEventId), id)
      const c = e.childWorkflowExecutionStartedEventAttributes
      if (c) {
        const initiated = toNumber(c.initiatedEventId)
        childStarted.set(initiated, id)
        const child = this.data.children?.[initiated]
        if (child) child.startedEventId = id
      }
    }
    for (const e of ordered) {
      const a =
        e.activityTaskCompletedEventAttributes ??
        e.activityTaskFailedEventAttributes ??
        e.activityTaskTimedOutEventAttributes ??
        e.activityTaskCanceledEventAttributes
      const startedId = a && activityStarted.get(toNumber(a.scheduledEventId))
      if (a && startedId) a.startedEventId = long(startedId)
      const c =
        e.childWorkflowExecutionCompletedEventAttributes ??
        e.childWorkflowExecutionFailedEventAttributes ??
        e.childWorkflowExecutionCanceledEventAttributes ??
        e.childWorkflowExecutionTimedOutEventAttributes ??
        e.childWorkflowExecutionTerminatedEventAttributes
      const childStartedId = c && childStarted.get(toNumber(c.initiatedEventId))
      if (c && childStartedId) c.startedEventId = long(childStartedId)
    }
  }

  /**
   * Writes events copied from another run's history with their ids unchanged, as this run's
   * first batch (a reset's prefix). `data.nextEventId` must already follow them.
   */
  appendCopiedEvents(events: pb.HistoryEvent[]): void {
    this.dirty = true
    this.newBatch()
    this.batches.push(events)
  }

  /** Ends the current batch, so that the next event starts a new one. */
  newBatch(): void {
    if (this.batch.length > 0) {
      this.batches.push(this.batch)
      this.batch = []
    }
  }

  /**
   * Schedules a task-queue task, written with this transaction; returns its key. A task for a
   * sticky queue names the normal queue too (`QueueTask.stickyNormalName`).
   */
  addQueueTask(
    kind: QueueKind,
    taskQueue: string,
    scheduledEventId: number,
    stickyNormalName?: string,
  ): QueueTaskKey {
    this.dirty = true
    const task: QueueTask = {
      namespaceId: this.info.namespaceId,
      taskQueue,
      kind,
      taskId: this.deps.nextTaskId(),
      workflowId: this.info.workflowId,
      runId: this.info.runId,
      scheduledEventId,
      createdTime: this.now(),
      expiryTime: 0,
    }
    if (stickyNormalName !== undefined) task.stickyNormalName = stickyNormalName
    this.queueTasks.push(task)
    return { namespaceId: task.namespaceId, taskQueue, kind, taskId: task.taskId }
  }

  /** Deletes queue rows; ones added by this same transaction are simply not written. */
  deleteQueueTasks(keys: QueueTaskKey[]): void {
    for (const key of keys) {
      this.dirty = true
      const i = this.queueTasks.findIndex((t) => t.taskId === key.taskId)
      if (i >= 0) this.queueTasks.splice(i, 1)
      else this.queueTaskDeletes.push(key)
    }
  }

  /** Adds a durable timer that fires `data` at `fireTime`; returns its key for later deletion. */
  addTimer(fireTime: number, data: TimerTaskData): TimerTaskKey {
    this.dirty = true
    const key = { fireTime, taskId: this.deps.nextTaskId() }
    this.timers.push({
      ...key,
      namespaceId: this.info.namespaceId,
      workflowId: this.info.workflowId,
      runId: this.info.runId,
      data: JSON.stringify(data),
    })
    return key
  }

  /** Deletes timer rows; ones added by this same transaction are simply not written. */
  deleteTimers(keys: (TimerTaskKey | undefined)[]): void {
    for (const key of keys) {
      if (!key) continue
      this.dirty = true
      const i = this.timers.findIndex((t) => t.taskId === key.taskId)
      if (i >= 0) this.timers.splice(i, 1)
      else this.timerDeletes.push(key)
    }
  }

  /**
   * Closes the transaction: flushes buffered events unless a workflow task is in flight, and
   * returns everything to write. The state itself is `this.data`.
   */
  finish(): MutableStateChanges {
    if (!this.hasStartedWorkflowTask()) this.flushBufferedEvents()
    this.newBatch()
    const events: pb.HistoryEvent[] = []
    const batches = this.batches.map((batch) => {
      events.push(...batch)
      const data = HistoryType.encode({ events: batch }).finish()
      this.data.historySizeBytes += data.length
      return {
        firstEventId: toNumber(batch[0]!.eventId),
        lastEventId: toNumber(batch[batch.length - 1]!.eventId),
        data,
      }
    })
    if (this.dirty) this.data.stateTransitionCount++
    return {
      batches,
      queueTasks: this.queueTasks,
      queueTaskDeletes: this.queueTaskDeletes,
      timers: this.timers,
      timerDeletes: this.timerDeletes,
      events,
    }
  }
}

export { QueueKind }
