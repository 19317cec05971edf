/**
 * Reads and clean-up of queue and timer tasks on PostgreSQL (tasks are added by run writes, see
 * PostgresExecutionStore). Deletes of one call share a transaction: all-or-nothing, one commit.
 */
import { postgresDialect } from '../sql/dialect.js'
import {
  checkLimit,
  toQueueTask,
  toTimerTask,
  type QueueTaskRow,
  type TimerTaskRow,
} from '../sql/rows.js'
import { statements } from '../sql/statements.js'
import type { QueueTask, QueueTaskKey, TaskStore, TimerTask, TimerTaskKey } from '../store.js'
import type { PostgresDatabase } from './postgres-database.js'

export class PostgresTaskStore implements TaskStore {
  readonly #db: PostgresDatabase
  readonly #s: ReturnType<typeof prepare>

  constructor(db: PostgresDatabase) {
    this.#db = db
    this.#s = prepare(db)
  }

  async listQueueTasks(req: {
    afterTaskId: number
    limit: number
  }): Promise<{ tasks: QueueTask[] }> {
    checkLimit('limit', req.limit)
    const { rows } = await this.#db.run(this.#s.listQueueTasks, req)
    return { tasks: (rows as QueueTaskRow[]).map(toQueueTask) }
  }

  async deleteQueueTasks(req: { keys: QueueTaskKey[] }): Promise<void> {
    if (req.keys.length === 0) return
    await this.#db.transaction(async (tx) => {
      for (const k of req.keys) await tx.run(this.#s.deleteQueueTask, k)
    })
  }

  async listTimerTasks(req: {
    fireBefore: number
    after?: TimerTaskKey
    limit: number
  }): Promise<{ tasks: TimerTask[] }> {
    checkLimit('limit', req.limit)
    const { rows } =
      req.after === undefined
        ? await this.#db.run(this.#s.listTimers, req)
        : await this.#db.run(this.#s.listTimersAfter, {
            fireBefore: req.fireBefore,
            afterFireTime: req.after.fireTime,
            afterTaskId: req.after.taskId,
            limit: req.limit,
          })
    return { tasks: (rows as TimerTaskRow[]).map(toTimerTask) }
  }

  async deleteTimerTasks(req: { keys: TimerTaskKey[] }): Promise<void> {
    if (req.keys.length === 0) return
    await this.#db.transaction(async (tx) => {
      for (const k of req.keys) await tx.run(this.#s.deleteTimerTask, k)
    })
  }
}

function prepare(db: PostgresDatabase) {
  const { tasks } = statements(postgresDialect)
  return {
    listQueueTasks: db.prepare(tasks.listQueueTasks),
    deleteQueueTask: db.prepare(tasks.deleteQueueTask),
    listTimers: db.prepare(tasks.listTimers),
    listTimersAfter: db.prepare(tasks.listTimersAfter),
    deleteTimerTask: db.prepare(tasks.deleteTimerTask),
  }
}
