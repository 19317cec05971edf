/**
 * Reads and clean-up of queue and timer tasks on SQLite (tasks are added by run writes, see
 * SqliteExecutionStore). Deletes run inline in their own transaction, not through the group
 * commit: they are idempotent, so losing one to a crash only means the task is seen again.
 */
import type Database from 'better-sqlite3'
import type { QueueTask, QueueTaskKey, TaskStore, TimerTask, TimerTaskKey } from '../store.js'
import { sqliteDialect } from '../sql/dialect.js'
import {
  checkLimit,
  toQueueTask,
  toTimerTask,
  type QueueTaskRow,
  type TimerTaskRow,
} from '../sql/rows.js'
import { statements } from '../sql/statements.js'
import { settle } from './settle.js'

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
      return { tasks: this.#s.listQueueTasks.all(req).map(toQueueTask) }
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
          ? this.#s.listTimers.all(req)
          : this.#s.listTimersAfter.all({
              fireBefore: req.fireBefore,
              afterFireTime: req.after.fireTime,
              afterTaskId: req.after.taskId,
              limit: req.limit,
            })
      return { tasks: rows.map(toTimerTask) }
    })
  }

  deleteTimerTasks(req: { keys: TimerTaskKey[] }): Promise<void> {
    return settle(this.#db, () => this.#deleteTimerTasks(req.keys))
  }
}

function prepare(db: Database.Database) {
  const { tasks } = statements(sqliteDialect)
  type Limit = { limit: number }
  return {
    listQueueTasks: db.prepare<{ afterTaskId: number } & Limit, QueueTaskRow>(tasks.listQueueTasks),
    deleteQueueTask: db.prepare<QueueTaskKey, void>(tasks.deleteQueueTask),
    listTimers: db.prepare<{ fireBefore: number } & Limit, TimerTaskRow>(tasks.listTimers),
    listTimersAfter: db.prepare<
      { fireBefore: number; afterFireTime: number; afterTaskId: number } & Limit,
      TimerTaskRow
    >(tasks.listTimersAfter),
    deleteTimerTask: db.prepare<TimerTaskKey, void>(tasks.deleteTimerTask),
  }
}
