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
  RunKey,
  RunWrite,
  ShardFence,
  VisibilityRecord,
} from '../store.js'
import { SqliteGroupCommit } from './sqlite-group-commit.js'
import { bytes, checkLimit, settle } from './settle.js'

interface ExecutionRow {
  db_version: number
  status: number
  next_event_id: number
  state: Buffer
}

interface CurrentRow {
  run_id: string
  create_request_id: string
  status: number
  start_time: number
}

interface HistoryRow {
  first_event_id: number
  last_event_id: number
  data: Buffer
}

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
      if (row === undefined) return { execution: undefined }
      return {
        execution: {
          key: { ...req.key },
          state: bytes(row.state),
          dbVersion: row.db_version,
          status: row.status,
          nextEventId: row.next_event_id,
        },
      }
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
      const more = rows.length > req.maxBatches
      const batches = rows.slice(0, req.maxBatches).map((r) => ({
        firstEventId: r.first_event_id,
        lastEventId: r.last_event_id,
        data: bytes(r.data),
      }))
      return { batches, more }
    })
  }

  /** Commits any queued writes, then refuses new ones. Synchronous; call before closing the db. */
  close(): void {
    this.#groupCommit.close()
  }

  /** Inside the write's transaction: the shard is still held at the writer's range id. */
  #checkFence(fence: ShardFence): void {
    const held = this.#s.shardRange.get(fence.shardId)
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
    const row = this.#s.getCurrent.get({ namespaceId, workflowId })
    if (row === undefined) return undefined
    return {
      namespaceId,
      workflowId,
      runId: row.run_id,
      createRequestId: row.create_request_id,
      status: row.status,
      startTime: row.start_time,
    }
  }
}

type VisibilityParams = Omit<
  VisibilityRecord,
  'closeTime' | 'parentWorkflowId' | 'parentRunId' | 'searchAttributePayloads' | 'memo'
> & {
  closeTime: number | null
  executionDuration: number | null
  parentWorkflowId: string | null
  parentRunId: string | null
  searchAttributePayloads: Uint8Array | null
  memo: Uint8Array | null
}

/** Row values: NULL close time and duration while open; the duration in nanoseconds. */
function visibilityParams(v: VisibilityRecord): VisibilityParams {
  const closed = v.closeTime > 0
  return {
    ...v,
    closeTime: closed ? v.closeTime : null,
    executionDuration: closed ? Math.max(0, v.closeTime - v.executionTime) * 1_000_000 : null,
    parentWorkflowId: v.parentWorkflowId ?? null,
    parentRunId: v.parentRunId ?? null,
    searchAttributePayloads: v.searchAttributePayloads ?? null,
    memo: v.memo ?? null,
  }
}

function keyParams(key: RunKey): KeyParams {
  return { namespaceId: key.namespaceId, workflowId: key.workflowId, runId: key.runId }
}

const whereRun = 'namespace_id = @namespaceId AND workflow_id = @workflowId AND run_id = @runId'
const whereCurrent = 'namespace_id = @namespaceId AND workflow_id = @workflowId'

function prepare(db: Database.Database) {
  return {
    getExecution: db.prepare<KeyParams, ExecutionRow>(
      `SELECT db_version, status, next_event_id, state FROM executions WHERE ${whereRun}`,
    ),
    insertExecution: db.prepare<ExecutionParams, void>(
      `INSERT INTO executions
         (namespace_id, workflow_id, run_id, db_version, status, next_event_id, state)
       VALUES (@namespaceId, @workflowId, @runId, @dbVersion, @status, @nextEventId, @state)
       ON CONFLICT DO NOTHING`,
    ),
    updateExecution: db.prepare<ExecutionParams & { expected: number }, void>(
      `UPDATE executions
       SET db_version = @dbVersion, status = @status, next_event_id = @nextEventId, state = @state
       WHERE ${whereRun} AND db_version = @expected`,
    ),
    deleteExecution: db.prepare<KeyParams & { expected: number }, void>(
      `DELETE FROM executions WHERE ${whereRun} AND db_version = @expected`,
    ),
    deleteHistory: db.prepare<{ runId: string }, void>(
      'DELETE FROM history_batches WHERE run_id = @runId',
    ),
    deleteCurrent: db.prepare<KeyParams, void>(`DELETE FROM current_executions WHERE ${whereRun}`),
    // An update in place touches only the indexes over changed columns (status, close time);
    // INSERT OR REPLACE would delete and re-insert the row in every index.
    upsertVisibility: db.prepare<VisibilityParams, void>(
      `INSERT INTO executions_visibility
         (namespace_id, run_id, workflow_id, workflow_type, task_queue, status, start_time,
          execution_time, close_time, execution_duration, history_length, history_size_bytes,
          state_transition_count, parent_workflow_id, parent_run_id, root_workflow_id,
          root_run_id, search_attributes, search_attribute_payloads, memo)
       VALUES (@namespaceId, @runId, @workflowId, @workflowType, @taskQueue, @status, @startTime,
          @executionTime, @closeTime, @executionDuration, @historyLength, @historySizeBytes,
          @stateTransitionCount, @parentWorkflowId, @parentRunId, @rootWorkflowId,
          @rootRunId, @searchAttributes, @searchAttributePayloads, @memo)
       ON CONFLICT (namespace_id, run_id) DO UPDATE SET
         status = excluded.status, close_time = excluded.close_time,
         execution_duration = excluded.execution_duration,
         history_length = excluded.history_length,
         history_size_bytes = excluded.history_size_bytes,
         state_transition_count = excluded.state_transition_count,
         search_attributes = excluded.search_attributes,
         search_attribute_payloads = excluded.search_attribute_payloads, memo = excluded.memo`,
    ),
    shardRange: db.prepare<[number], { range_id: number }>(
      'SELECT range_id FROM shards WHERE shard_id = ?',
    ),
    deleteVisibility: db.prepare<KeyParams, void>(
      'DELETE FROM executions_visibility WHERE namespace_id = @namespaceId AND run_id = @runId',
    ),
    getCurrent: db.prepare<{ namespaceId: string; workflowId: string }, CurrentRow>(
      `SELECT run_id, create_request_id, status, start_time
       FROM current_executions WHERE ${whereCurrent}`,
    ),
    insertCurrent: db.prepare<CurrentParams, void>(
      `INSERT INTO current_executions
         (namespace_id, workflow_id, run_id, create_request_id, status, start_time)
       VALUES (@namespaceId, @workflowId, @runId, @createRequestId, @status, @startTime)
       ON CONFLICT DO NOTHING`,
    ),
    replaceCurrent: db.prepare<CurrentParams & { expected: string }, void>(
      `UPDATE current_executions
       SET run_id = @runId, create_request_id = @createRequestId, status = @status,
           start_time = @startTime
       WHERE ${whereCurrent} AND run_id = @expected`,
    ),
    updateCurrentStatus: db.prepare<KeyParams & { status: number }, void>(
      `UPDATE current_executions SET status = @status WHERE ${whereRun}`,
    ),
    insertHistory: db.prepare<
      { runId: string; first: number; last: number; data: Uint8Array },
      void
    >(
      `INSERT INTO history_batches (run_id, first_event_id, last_event_id, data)
       VALUES (@runId, @first, @last, @data)
       ON CONFLICT DO NOTHING`,
    ),
    // Batches are contiguous, so the first one overlapping the range is the last batch starting
    // at or before minEventId; seeking to it through the primary key keeps reading page n of a
    // long history from scanning pages 1..n-1. `last_event_id >= @minEventId` still guards
    // against a gap before minEventId.
    readHistory: db.prepare<
      { runId: string; minEventId: number; maxEventId: number; limit: number },
      HistoryRow
    >(
      `SELECT first_event_id, last_event_id, data FROM history_batches
       WHERE run_id = @runId
         AND first_event_id >= coalesce(
           (SELECT max(first_event_id) FROM history_batches
            WHERE run_id = @runId AND first_event_id <= @minEventId), @minEventId)
         AND first_event_id < @maxEventId
         AND last_event_id >= @minEventId
       ORDER BY first_event_id
       LIMIT @limit`,
    ),
    insertQueueTask: db.prepare<
      {
        namespaceId: string
        taskQueue: string
        kind: number
        taskId: number
        workflowId: string
        runId: string
        scheduledEventId: number
        createdTime: number
        expiryTime: number
      },
      void
    >(
      `INSERT INTO queue_tasks
         (namespace_id, task_queue, kind, task_id, workflow_id, run_id, scheduled_event_id,
          created_time, expiry_time)
       VALUES (@namespaceId, @taskQueue, @kind, @taskId, @workflowId, @runId, @scheduledEventId,
               @createdTime, @expiryTime)
       ON CONFLICT DO NOTHING`,
    ),
    deleteQueueTask: db.prepare<
      { namespaceId: string; taskQueue: string; kind: number; taskId: number },
      void
    >(
      `DELETE FROM queue_tasks WHERE namespace_id = @namespaceId AND task_queue = @taskQueue
         AND kind = @kind AND task_id = @taskId`,
    ),
    insertTimerTask: db.prepare<
      {
        fireTime: number
        taskId: number
        namespaceId: string
        workflowId: string
        runId: string
        data: string
      },
      void
    >(
      `INSERT INTO timer_tasks (fire_time, task_id, namespace_id, workflow_id, run_id, data)
       VALUES (@fireTime, @taskId, @namespaceId, @workflowId, @runId, @data)
       ON CONFLICT DO NOTHING`,
    ),
    deleteTimerTask: db.prepare<{ fireTime: number; taskId: number }, void>(
      'DELETE FROM timer_tasks WHERE fire_time = @fireTime AND task_id = @taskId',
    ),
  }
}
