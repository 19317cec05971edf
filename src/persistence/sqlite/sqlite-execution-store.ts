/**
 * Executions, current-execution rows and history on SQLite. Run writes go through a
 * {@link SqliteGroupCommit}; reads run inline, which is safe because nothing else can run while a
 * group's transaction is open (better-sqlite3 is synchronous and a group never awaits).
 *
 * Reads do not wait for writes still queued for the next group: a caller sees its own write once
 * that write's promise has resolved, as with any other store.
 */
import type Database from 'better-sqlite3'
import {
  ConditionFailedError,
  CurrentWorkflowConditionFailedError,
  ShardOwnershipLostError,
} from '../errors.js'
import type {
  CurrentExecutionRecord,
  CurrentExecutionWrite,
  ExecutionRecord,
  ExecutionStore,
  HistoryBatch,
  QueueTask,
  QueueTaskKey,
  RunKey,
  RunWrite,
  ShardFence,
  TimerTask,
  TimerTaskKey,
} from '../store.js'
import { sqliteDialect } from '../sql/dialect.js'
import { statements } from '../sql/statements.js'
import {
  checkLimit,
  historyPage,
  toCurrentRecord,
  toExecutionRecord,
  type CurrentRow,
  type ExecutionRow,
  type HistoryRow,
} from '../sql/rows.js'
import { visibilityParams } from '../sql/visibility-queries.js'
import { SqliteGroupCommit } from './sqlite-group-commit.js'
import { settle } from './settle.js'

type KeyParams = { namespaceId: string; workflowId: string; runId: string }
type ExecutionParams = KeyParams & {
  dbVersion: number
  status: number
  nextEventId: number
  state: Uint8Array
}
type CurrentParams = CurrentExecutionRecord

export interface SqliteExecutionStoreDeps {
  /** The connection shared with the other store groups. */
  db: Database.Database
  /** See SqliteStoreOptions.maxGroupSize. */
  maxGroupSize: number
  /** See SqliteStoreOptions.onGroupCommit. */
  onGroupCommit?: ((calls: number) => void) | undefined
}

export class SqliteExecutionStore implements ExecutionStore {
  readonly #db: Database.Database
  readonly #groupCommit: SqliteGroupCommit<ShardFence & { writes: RunWrite[] }>
  readonly #s: ReturnType<typeof prepare>

  constructor(deps: SqliteExecutionStoreDeps) {
    const db = deps.db
    this.#db = db
    this.#s = prepare(db)
    this.#groupCommit = new SqliteGroupCommit<ShardFence & { writes: RunWrite[] }>({
      db,
      apply: (req) => {
        this.#checkFence(req)
        req.writes.forEach((w) => this.#applyRunWrite(w))
      },
      maxGroupSize: deps.maxGroupSize,
      onGroupCommit: deps.onGroupCommit,
    })
  }

  updateWorkflowExecutions(req: ShardFence & { writes: RunWrite[] }): Promise<void> {
    return this.#groupCommit.submit(req)
  }

  getWorkflowExecution(req: { key: RunKey }): Promise<{ execution: ExecutionRecord | undefined }> {
    return settle(this.#db, () => {
      const row = this.#s.getExecution.get(keyParams(req.key))
      return { execution: row && toExecutionRecord(req.key, row) }
    })
  }

  deleteWorkflowExecution(
    req: ShardFence & { key: RunKey; expectedDbVersion: number },
  ): Promise<void> {
    return settle(this.#db, () => {
      const params = keyParams(req.key)
      this.#db
        .transaction(() => {
          this.#checkFence(req)
          const deleted = this.#s.deleteExecution.run({
            ...params,
            expected: req.expectedDbVersion,
          })
          if (deleted.changes === 0) throw new ConditionFailedError('run changed or is gone')
          this.#s.deleteHistory.run({ runId: req.key.runId })
          this.#s.deleteVisibility.run(params)
          this.#s.deleteCurrent.run(params)
        })
        .immediate()
    })
  }

  getCurrentExecution(req: {
    namespaceId: string
    workflowId: string
  }): Promise<{ current: CurrentExecutionRecord | undefined }> {
    return settle(this.#db, () => ({ current: this.#readCurrent(req.namespaceId, req.workflowId) }))
  }

  readHistory(req: {
    runId: string
    minEventId: number
    maxEventId: number
    maxBatches: number
  }): Promise<{ batches: HistoryBatch[]; more: boolean }> {
    return settle(this.#db, () => {
      checkLimit('maxBatches', req.maxBatches)
      const rows = this.#s.readHistory.all({
        runId: req.runId,
        minEventId: req.minEventId,
        maxEventId: req.maxEventId,
        limit: req.maxBatches + 1,
      })
      return historyPage(rows, req.maxBatches)
    })
  }

  /** Commits any queued writes, then refuses new ones. Synchronous; call before closing the db. */
  close(): void {
    this.#groupCommit.close()
  }

  /** Inside the write's transaction: the shard is still held at the writer's range id. */
  #checkFence(fence: ShardFence): void {
    const held = this.#s.shardRange.get({ shardId: fence.shardId })
    if (held?.range_id !== fence.rangeId) {
      throw new ShardOwnershipLostError(
        `shard ${fence.shardId} is at range ${held?.range_id ?? 'none'}, not ${fence.rangeId}`,
      )
    }
  }

  /** One run's changes; runs inside the caller's SAVEPOINT, so a throw undoes all of them. */
  #applyRunWrite(w: RunWrite): void {
    const key = w.record.key
    const run = `run ${key.runId} of workflow ${key.workflowId}`
    const row: ExecutionParams = {
      ...keyParams(key),
      dbVersion: w.record.dbVersion,
      status: w.record.status,
      nextEventId: w.record.nextEventId,
      state: w.record.state,
    }
    switch (w.mode) {
      case 'create':
        if (this.#s.insertExecution.run(row).changes === 0) {
          throw new ConditionFailedError(`${run} already exists`)
        }
        break
      case 'update':
        if (this.#s.updateExecution.run({ ...row, expected: w.expectedDbVersion }).changes === 0) {
          throw new ConditionFailedError(`${run} is not at dbVersion ${w.expectedDbVersion}`)
        }
        break
    }
    if (w.current !== undefined) this.#writeCurrent(key, w.current)
    if (w.visibility !== undefined) this.#s.upsertVisibility.run(visibilityParams(w.visibility))

    for (const b of w.newHistory) {
      const params = { runId: key.runId, first: b.firstEventId, last: b.lastEventId, data: b.data }
      // A batch that exists means another writer appended to this run: the same conflict as a
      // moved dbVersion (Temporal's AppendHistoryNodes reports it as ConditionFailedError too).
      if (this.#s.insertHistory.run(params).changes === 0) {
        throw new ConditionFailedError(`history batch ${b.firstEventId} of ${run} already exists`)
      }
    }
    for (const t of w.queueTasksToAdd) {
      if (this.#s.insertQueueTask.run(t).changes === 0) {
        throw new ConditionFailedError(`queue task ${t.taskId} of ${t.taskQueue} already exists`)
      }
    }
    for (const t of w.timerTasksToAdd) {
      if (this.#s.insertTimerTask.run(t).changes === 0) {
        throw new ConditionFailedError(`timer task ${t.fireTime}/${t.taskId} already exists`)
      }
    }
    for (const k of w.queueTasksToDelete) this.#s.deleteQueueTask.run(k)
    for (const k of w.timerTasksToDelete) this.#s.deleteTimerTask.run(k)
  }

  #writeCurrent(key: RunKey, c: CurrentExecutionWrite): void {
    switch (c.kind) {
      case 'create':
        if (this.#s.insertCurrent.run(c.record).changes === 0) {
          this.#currentConflict(c.record, 'a current run exists')
        }
        return
      case 'replace':
        if (this.#s.replaceCurrent.run({ ...c.record, expected: c.expectedRunId }).changes === 0) {
          this.#currentConflict(c.record, `the current run is not ${c.expectedRunId}`)
        }
        return
      case 'update-status':
        this.#s.updateCurrentStatus.run({
          namespaceId: key.namespaceId,
          workflowId: key.workflowId,
          runId: c.runId,
          status: c.status,
        })
        return
    }
  }

  #currentConflict(want: CurrentExecutionRecord, why: string): never {
    const current = this.#readCurrent(want.namespaceId, want.workflowId)
    throw new CurrentWorkflowConditionFailedError(
      `workflow ${want.workflowId}: ${why} (current run: ${current?.runId ?? 'none'})`,
      current?.runId,
      current,
    )
  }

  #readCurrent(namespaceId: string, workflowId: string): CurrentExecutionRecord | undefined {
    return toCurrentRecord(
      namespaceId,
      workflowId,
      this.#s.getCurrent.get({ namespaceId, workflowId }),
    )
  }
}

function keyParams(key: RunKey): KeyParams {
  return { namespaceId: key.namespaceId, workflowId: key.workflowId, runId: key.runId }
}

type VisibilityParams = ReturnType<typeof visibilityParams>

function prepare(db: Database.Database) {
  const { executions, current, history, visibility, tasks } = statements(sqliteDialect)
  return {
    getExecution: db.prepare<KeyParams, ExecutionRow>(executions.get),
    insertExecution: db.prepare<ExecutionParams, void>(executions.insert),
    updateExecution: db.prepare<ExecutionParams & { expected: number }, void>(executions.update),
    deleteExecution: db.prepare<KeyParams & { expected: number }, void>(executions.delete),
    shardRange: db.prepare<{ shardId: number }, { range_id: number }>(executions.shardRange),
    getCurrent: db.prepare<{ namespaceId: string; workflowId: string }, CurrentRow>(current.get),
    insertCurrent: db.prepare<CurrentParams, void>(current.insert),
    replaceCurrent: db.prepare<CurrentParams & { expected: string }, void>(current.replace),
    updateCurrentStatus: db.prepare<KeyParams & { status: number }, void>(current.updateStatus),
    deleteCurrent: db.prepare<KeyParams, void>(current.delete),
    insertHistory: db.prepare<
      { runId: string; first: number; last: number; data: Uint8Array },
      void
    >(history.insert),
    readHistory: db.prepare<
      { runId: string; minEventId: number; maxEventId: number; limit: number },
      HistoryRow
    >(history.read),
    deleteHistory: db.prepare<{ runId: string }, void>(history.delete),
    upsertVisibility: db.prepare<VisibilityParams, void>(visibility.upsert),
    deleteVisibility: db.prepare<KeyParams, void>(visibility.delete),
    insertQueueTask: db.prepare<QueueTask, void>(tasks.insertQueueTask),
    deleteQueueTask: db.prepare<QueueTaskKey, void>(tasks.deleteQueueTask),
    insertTimerTask: db.prepare<TimerTask, void>(tasks.insertTimerTask),
    deleteTimerTask: db.prepare<TimerTaskKey, void>(tasks.deleteTimerTask),
  }
}
