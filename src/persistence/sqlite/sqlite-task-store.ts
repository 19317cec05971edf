/**
 * Reads and clean-up of queue and timer tasks on SQLite (tasks are added by run writes, see
 * SqliteExecutionStore). Deletes run inline in their own transaction, not through the group
 * commit: they are idempotent, so losing one to a crash only means the task is seen again.
 */
import type Database from 'better-sqlite3'
import type {
  QueueKind,
  QueueTask,
  QueueTaskKey,
  TaskStore,
  TimerTask,
  TimerTaskKey,
} from '../store.js'
import { checkLimit, settle } from './settle.js'

interface QueueTaskRow {
  namespace_id: string
  task_queue: string
  kind: QueueKind
  task_id: number
  workflow_id: string
  run_id: string
  scheduled_event_id: number
  created_time: number
  expiry_time: number
}

interface TimerTaskRow {
  fire_time: number
  task_id: number
  namespace_id: string
  workflow_id: string
  run_id: string
  data: string
}

export class SqliteTaskStore implements TaskStore {
  readonly #db: Database.Database
  readonly #s: ReturnType<typeof prepare>
  readonly #deleteQueueTasks: (keys: QueueTaskKey[]) => void
  readonly #deleteTimerTasks: (keys: TimerTaskKey[]) => void

  constructor(db: Database.Database) {
    this.#db = db
    const s = prepare(db)
    this.#s = s
    // One transaction per call: all-or-nothing, and one fsync however many keys.
    this.#deleteQueueTasks = db.transaction((keys: QueueTaskKey[]) => {
      for (const k of keys) s.deleteQueueTask.run(k)
    })
    this.#deleteTimerTasks = db.transaction((keys: TimerTaskKey[]) => {
      for (const k of keys) s.deleteTimerTask.run(k)
    })
  }

  listQueueTasks(req: { afterTaskId: number; limit: number }): Promise<{ tasks: QueueTask[] }> {
    return settle(this.#db, () => {
      checkLimit('limit', req.limit)
      return { tasks: this.#s.listQueueTasks.all(req.afterTaskId, req.limit).map(toQueueTask) }
    })
  }

  deleteQueueTasks(req: { keys: QueueTaskKey[] }): Promise<void> {
    return settle(this.#db, () => this.#deleteQueueTasks(req.keys))
  }

  listTimerTasks(req: {
    fireBefore: number
    after?: TimerTaskKey
    limit: number
  }): Promise<{ tasks: TimerTask[] }> {
    return settle(this.#db, () => {
      checkLimit('limit', req.limit)
      const rows =
        req.after === undefined
          ? this.#s.listTimers.all(req.fireBefore, req.limit)
          : this.#s.listTimersAfter.all(
              req.fireBefore,
              req.after.fireTime,
              req.after.taskId,
              req.limit,
            )
      return { tasks: rows.map(toTimerTask) }
    })
  }

  deleteTimerTasks(req: { keys: TimerTaskKey[] }): Promise<void> {
    return settle(this.#db, () => this.#deleteTimerTasks(req.keys))
  }
}

function toQueueTask(r: QueueTaskRow): QueueTask {
  return {
    namespaceId: r.namespace_id,
    taskQueue: r.task_queue,
    kind: r.kind,
    taskId: r.task_id,
    workflowId: r.workflow_id,
    runId: r.run_id,
    scheduledEventId: r.scheduled_event_id,
    createdTime: r.created_time,
    expiryTime: r.expiry_time,
  }
}

function toTimerTask(r: TimerTaskRow): TimerTask {
  return {
    fireTime: r.fire_time,
    taskId: r.task_id,
    namespaceId: r.namespace_id,
    workflowId: r.workflow_id,
    runId: r.run_id,
    data: r.data,
  }
}

const queueColumns = `namespace_id, task_queue, kind, task_id, workflow_id, run_id,
  scheduled_event_id, created_time, expiry_time`
const timerColumns = 'fire_time, task_id, namespace_id, workflow_id, run_id, data'

function prepare(db: Database.Database) {
  return {
    // Task ids come from shard range ids and so are unique across queues; the trailing key
    // columns only make the order total should that ever not hold.
    listQueueTasks: db.prepare<[number, number], QueueTaskRow>(
      `SELECT ${queueColumns} FROM queue_tasks WHERE task_id > ?
       ORDER BY task_id, namespace_id, task_queue, kind LIMIT ?`,
    ),
    deleteQueueTask: db.prepare<QueueTaskKey, void>(
      `DELETE FROM queue_tasks WHERE namespace_id = @namespaceId AND task_queue = @taskQueue
         AND kind = @kind AND task_id = @taskId`,
    ),
    listTimers: db.prepare<[number, number], TimerTaskRow>(
      `SELECT ${timerColumns} FROM timer_tasks WHERE fire_time < ?
       ORDER BY fire_time, task_id LIMIT ?`,
    ),
    // A row-value comparison, which SQLite answers with a seek on the primary key.
    listTimersAfter: db.prepare<[number, number, number, number], TimerTaskRow>(
      `SELECT ${timerColumns} FROM timer_tasks WHERE fire_time < ? AND (fire_time, task_id) > (?, ?)
       ORDER BY fire_time, task_id LIMIT ?`,
    ),
    deleteTimerTask: db.prepare<TimerTaskKey, void>(
      'DELETE FROM timer_tasks WHERE fire_time = @fireTime AND task_id = @taskId',
    ),
  }
}
