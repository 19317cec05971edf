/**
 * Executions, current-execution rows and history on PostgreSQL. Each `updateWorkflowExecutions`
 * call is one transaction on its own connection: PostgreSQL runs many at once and batches their
 * WAL flushes itself, so unlike SQLite there is no group commit here.
 *
 * Fencing: the write first reads the shard's range id with a share lock. A node acquiring the
 * shard updates that row, so it waits until writes fenced by the old range id have committed,
 * and every write that starts after it sees the new range id and fails.
 *
 * Concurrent writers of one run: the conditional UPDATE (`db_version = expected`) of the second
 * waits for the first's row lock, then finds the version moved and changes nothing.
 */
import {
  ConditionFailedError,
  CurrentWorkflowConditionFailedError,
  ShardOwnershipLostError,
} from '../errors.js'
import { postgresDialect } from '../sql/dialect.js'
import {
  checkLimit,
  historyPage,
  toCurrentRecord,
  toExecutionRecord,
  type CurrentRow,
  type ExecutionRow,
  type HistoryRow,
} from '../sql/rows.js'
import { statements } from '../sql/statements.js'
import { visibilityParams } from '../sql/visibility-queries.js'
import type {
  CurrentExecutionRecord,
  CurrentExecutionWrite,
  ExecutionRecord,
  ExecutionStore,
  HistoryBatch,
  RunKey,
  RunWrite,
  ShardFence,
} from '../store.js'
import type { PostgresDatabase, Tx } from './postgres-database.js'

export class PostgresExecutionStore implements ExecutionStore {
  readonly #db: PostgresDatabase
  readonly #s: ReturnType<typeof prepare>

  constructor(db: PostgresDatabase) {
    this.#db = db
    this.#s = prepare(db)
  }

  updateWorkflowExecutions(req: ShardFence & { writes: RunWrite[] }): Promise<void> {
    return this.#db.transaction(async (tx) => {
      await this.#checkFence(tx, req)
      for (const w of req.writes) await this.#applyRunWrite(tx, w)
    })
  }

  async getWorkflowExecution(req: {
    key: RunKey
  }): Promise<{ execution: ExecutionRecord | undefined }> {
    const { rows } = await this.#db.run(this.#s.getExecution, keyParams(req.key))
    const row = rows[0] as ExecutionRow | undefined
    return { execution: row && toExecutionRecord(req.key, row) }
  }

  deleteWorkflowExecution(
    req: ShardFence & { key: RunKey; expectedDbVersion: number },
  ): Promise<void> {
    const params = keyParams(req.key)
    return this.#db.transaction(async (tx) => {
      await this.#checkFence(tx, req)
      const deleted = await tx.run(this.#s.deleteExecution, {
        ...params,
        expected: req.expectedDbVersion,
      })
      if (deleted.rowCount === 0) throw new ConditionFailedError('run changed or is gone')
      await tx.run(this.#s.deleteHistory, params)
      await tx.run(this.#s.deleteVisibility, params)
      await tx.run(this.#s.deleteCurrent, params)
    })
  }

  async getCurrentExecution(req: {
    namespaceId: string
    workflowId: string
  }): Promise<{ current: CurrentExecutionRecord | undefined }> {
    const { rows } = await this.#db.run(this.#s.getCurrent, req)
    return { current: toCurrentRecord(req.namespaceId, req.workflowId, rows[0] as CurrentRow) }
  }

  async readHistory(req: {
    runId: string
    minEventId: number
    maxEventId: number
    maxBatches: number
  }): Promise<{ batches: HistoryBatch[]; more: boolean }> {
    checkLimit('maxBatches', req.maxBatches)
    const { rows } = await this.#db.run(this.#s.readHistory, {
      ...req,
      limit: req.maxBatches + 1,
    })
    return historyPage(rows as HistoryRow[], req.maxBatches)
  }

  /**
   * Inside the write's transaction: the shard is still held at the writer's range id. The same
   * read names the transaction's id, for settling a COMMIT whose reply is lost.
   */
  async #checkFence(tx: Tx, fence: ShardFence): Promise<void> {
    const { rows } = await tx.run(this.#s.shardRange, { shardId: fence.shardId })
    const row = rows[0] as { range_id: number; xid: string } | undefined
    if (row) tx.settleInDoubtBy(row.xid)
    const held = row?.range_id
    if (held !== fence.rangeId) {
      throw new ShardOwnershipLostError(
        `shard ${fence.shardId} is at range ${held ?? 'none'}, not ${fence.rangeId}`,
      )
    }
  }

  /** One run's changes, inside the call's transaction: a throw rolls back the whole call. */
  async #applyRunWrite(tx: Tx, w: RunWrite): Promise<void> {
    const key = w.record.key
    const run = `run ${key.runId} of workflow ${key.workflowId}`
    const row = {
      ...keyParams(key),
      dbVersion: w.record.dbVersion,
      status: w.record.status,
      nextEventId: w.record.nextEventId,
      state: w.record.state,
    }
    switch (w.mode) {
      case 'create':
        if ((await tx.run(this.#s.insertExecution, row)).rowCount === 0) {
          throw new ConditionFailedError(`${run} already exists`)
        }
        break
      case 'update': {
        const updated = await tx.run(this.#s.updateExecution, {
          ...row,
          expected: w.expectedDbVersion,
        })
        if (updated.rowCount === 0) {
          throw new ConditionFailedError(`${run} is not at dbVersion ${w.expectedDbVersion}`)
        }
        break
      }
    }
    if (w.current !== undefined) await this.#writeCurrent(tx, key, w.current)
    if (w.visibility !== undefined) {
      await tx.run(this.#s.upsertVisibility, visibilityParams(w.visibility))
    }
    for (const b of w.newHistory) {
      const params = { runId: key.runId, first: b.firstEventId, last: b.lastEventId, data: b.data }
      // A batch that exists means another writer appended to this run: the same conflict as a
      // moved dbVersion.
      if ((await tx.run(this.#s.insertHistory, params)).rowCount === 0) {
        throw new ConditionFailedError(`history batch ${b.firstEventId} of ${run} already exists`)
      }
    }
    for (const t of w.queueTasksToAdd) {
      if ((await tx.run(this.#s.insertQueueTask, t)).rowCount === 0) {
        throw new ConditionFailedError(`queue task ${t.taskId} of ${t.taskQueue} already exists`)
      }
    }
    for (const t of w.timerTasksToAdd) {
      if ((await tx.run(this.#s.insertTimerTask, t)).rowCount === 0) {
        throw new ConditionFailedError(`timer task ${t.fireTime}/${t.taskId} already exists`)
      }
    }
    for (const k of w.queueTasksToDelete) await tx.run(this.#s.deleteQueueTask, k)
    for (const k of w.timerTasksToDelete) await tx.run(this.#s.deleteTimerTask, k)
  }

  async #writeCurrent(tx: Tx, key: RunKey, c: CurrentExecutionWrite): Promise<void> {
    switch (c.kind) {
      case 'create':
        if ((await tx.run(this.#s.insertCurrent, c.record)).rowCount === 0) {
          await this.#currentConflict(tx, c.record, 'a current run exists')
        }
        return
      case 'replace': {
        const replaced = await tx.run(this.#s.replaceCurrent, {
          ...c.record,
          expected: c.expectedRunId,
        })
        if (replaced.rowCount === 0) {
          await this.#currentConflict(tx, c.record, `the current run is not ${c.expectedRunId}`)
        }
        return
      }
      case 'update-status':
        await tx.run(this.#s.updateCurrentStatus, {
          namespaceId: key.namespaceId,
          workflowId: key.workflowId,
          runId: c.runId,
          status: c.status,
        })
        return
    }
  }

  async #currentConflict(tx: Tx, want: CurrentExecutionRecord, why: string): Promise<never> {
    const { rows } = await tx.run(this.#s.getCurrent, want)
    const current = toCurrentRecord(want.namespaceId, want.workflowId, rows[0] as CurrentRow)
    throw new CurrentWorkflowConditionFailedError(
      `workflow ${want.workflowId}: ${why} (current run: ${current?.runId ?? 'none'})`,
      current?.runId,
      current,
    )
  }
}

function keyParams(key: RunKey) {
  return { namespaceId: key.namespaceId, workflowId: key.workflowId, runId: key.runId }
}

function prepare(db: PostgresDatabase) {
  const { executions, current, history, visibility, tasks } = statements(postgresDialect)
  return {
    getExecution: db.prepare(executions.get),
    insertExecution: db.prepare(executions.insert),
    updateExecution: db.prepare(executions.update),
    deleteExecution: db.prepare(executions.delete),
    shardRange: db.prepare(executions.shardRange),
    getCurrent: db.prepare(current.get),
    insertCurrent: db.prepare(current.insert),
    replaceCurrent: db.prepare(current.replace),
    updateCurrentStatus: db.prepare(current.updateStatus),
    deleteCurrent: db.prepare(current.delete),
    insertHistory: db.prepare(history.insert),
    readHistory: db.prepare(history.read),
    deleteHistory: db.prepare(history.delete),
    upsertVisibility: db.prepare(visibility.upsert),
    deleteVisibility: db.prepare(visibility.delete),
    insertQueueTask: db.prepare(tasks.insertQueueTask),
    deleteQueueTask: db.prepare(tasks.deleteQueueTask),
    insertTimerTask: db.prepare(tasks.insertTimerTask),
    deleteTimerTask: db.prepare(tasks.deleteTimerTask),
  }
}
