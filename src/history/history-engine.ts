/**
 * The history service's core: loads, locks, mutates and commits runs. Every change to a run goes
 * through `updateWorkflow` (or `createWorkflow` for a new run), which
 *   1. takes the workflow id's lock,
 *   2. copies the cached mutable state (or loads it),
 *   3. lets the caller mutate the copy through the mutable-state entity functions,
 *   4. commits events, state and tasks in one store transaction conditioned on the run's version,
 *   5. and only then publishes the new state and hands tasks to matching and the timer queue.
 * A failed commit throws away the copy and evicts the cache entry, so memory never runs ahead of
 * the store (Temporal's workflow context + transaction, service/history/workflow/context.go).
 */
import type { Logger } from 'pino'
import type { Clock } from '../common/clock.js'
import type { MetricsRun, ServerMetrics } from '../common/server-metrics.js'
import { NotFoundError, UnavailableError, ensureError } from '../common/errors.js'
import { WorkflowExecutionStatus, api, toNumber, type pb } from '../common/proto.js'
import type { TaskTokenSigner } from '../common/task-token.js'
import { ConditionFailedError, ShardOwnershipLostError } from '../persistence/errors.js'
import type {
  CurrentExecutionWrite,
  QueueTask,
  RunKey,
  RunWrite,
  ShardFence,
  Store,
  TimerTask,
  TimerTaskKey,
} from '../persistence/store.js'
import { HistoryCache } from './history-cache.js'
import { RunCache, type RunCacheLimits } from './run-cache.js'
import { visibilityChanged, visibilityRecord } from './visibility-record.js'
import { KeyedMutex } from './keyed-mutex.js'
import { UpdateRegistry } from './update-registry.js'
import { MutableState, type MutableStateChanges } from './mutable-state/mutable-state.js'
import { addWorkflowExecutionStartedEvent, terminateWorkflow } from './mutable-state/execution.js'
import {
  DEFAULT_HISTORY_LIMITS,
  HISTORY_SERVICE,
  HistoryLimitExceededError,
  overHistoryLimit,
  warnHistorySize,
  type HistoryLimits,
} from './history-limits.js'
import type { PreparedRun } from './mutable-state/new-run.js'
import type { MutableStateData } from './mutable-state/state.js'
import { QueryRegistry } from './query-registry.js'
import type { ShardDirectory } from './shard-directory.js'

/** Where committed tasks go: matching for queue tasks, the timer queue for timers. */
export interface TaskSinks {
  addQueueTasks(tasks: QueueTask[]): void
  addTimers(timers: TimerTask[]): void
  removeTimers(keys: TimerTaskKey[]): void
}

/**
 * Sees every committed run state and every wait for an update's outcome. The time-skipping test
 * server uses it to know when no work is outstanding (src/server/time-skipper.ts). Must not throw.
 */
export interface HistoryObserver {
  runCommitted(key: RunKey, data: MutableStateData): void
  /** A client started (+1) or stopped (-1) waiting for an update to complete. */
  outcomeWaiters(delta: 1 | -1): void
}

export interface HistoryEngineDeps {
  store: Store
  clock: Clock
  tokens: TaskTokenSigner
  logger: Logger
  /**
   * The shards this engine writes: each run's writes carry its shard's fence, and its tasks take
   * ids from that shard's range.
   */
  shards: ShardDirectory
  /** Runs kept in memory (count and committed-JSON bytes); the least recently used go first. */
  runCacheLimits?: RunCacheLimits
  /**
   * How long a namespace keeps closed runs (ms); each closing run arms a timer that deletes it
   * then. Undefined (unknown namespace) or 0 keeps runs until deleted explicitly.
   */
  namespaceRetentionMs?: (namespaceId: string) => number | undefined
  /** A namespace's custom search attributes (name to IndexedValueType), to index values by. */
  searchAttributeTypes?: (namespaceId: string) => ReadonlyMap<string, number> | undefined
  observer?: HistoryObserver
  /** Counts runs started and closed (Temporal's workflow_* counters); none by default. */
  metrics?: ServerMetrics
  /** limit.historyCount.* and limit.historySize.*; Temporal's defaults without it. */
  historyLimits?: HistoryLimits
  /**
   * Called when a write finds that another server acquired the shard: this engine can never
   * commit again, and the server must stop serving. Must not throw.
   */
  onShardLost?: (error: ShardOwnershipLostError) => void
  /**
   * Runs each commit (the store transaction and what is published after it) as `commit()`, for
   * tracing: the hook must call it once and return its promise.
   */
  traceCommit?: (runs: readonly RunKey[], commit: () => Promise<void>) => Promise<void>
}

interface CachedRun {
  data: MutableStateData
  dbVersion: number
  /**
   * `data` as JSON, as committed. Each transaction starts from `JSON.parse` of it: a deep copy
   * cheaper than structuredClone, and the same text a reload from the store would give.
   */
  json: string
}

/** A run's write and what is published (cache, tasks, waiters) once it has committed. */
interface StagedWrite {
  write: RunWrite
  key: RunKey
  data: MutableStateData
  changes: MutableStateChanges
  /** `data` as JSON, the text in `write.record.state`. */
  json: string
  /** The committed status this write changes; undefined for a run it creates. */
  previousStatus?: number
}

/** A new run to create, and what happens to the workflow id's current run. */
export interface NewRun {
  data: MutableStateData
  current: CurrentExecutionWrite
}

const HistoryType = api.history.v1.History

export class HistoryEngine {
  private readonly locks = new KeyedMutex()
  private readonly cache: RunCache<CachedRun>
  /** Recent runs' committed history, so hot-path reads skip the store. */
  private readonly histories = new HistoryCache()
  private readonly waiters = new Map<string, Set<() => void>>()
  private sinks: TaskSinks | undefined
  /** Consistent queries waiting for a run's next workflow task (in memory, as in Temporal). */
  readonly queries = new QueryRegistry()
  /** Workflow updates in flight (in memory, as in Temporal; accepted ones are in history too). */
  readonly updates = new UpdateRegistry()

  constructor(readonly deps: HistoryEngineDeps) {
    this.cache = new RunCache(deps.runCacheLimits)
  }

  /** Connects matching and the timer queue; tasks committed before this are loaded from the store. */
  setTaskSinks(sinks: TaskSinks): void {
    this.sinks = sinks
  }

  get clock(): Clock {
    return this.deps.clock
  }

  get tokens(): TaskTokenSigner {
    return this.deps.tokens
  }

  /** Runs `fn` holding the lock of one workflow id (for reads that must see a settled run). */
  withWorkflowLock<T>(namespaceId: string, workflowId: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(`${namespaceId}/${workflowId}`, fn)
  }

  /** The run named by `runId`, or the workflow id's current run when it is empty. */
  async resolveRun(
    namespaceId: string,
    workflowId: string,
    runId?: string | null,
  ): Promise<RunKey> {
    if (runId) return { namespaceId, workflowId, runId }
    const { current } = await this.deps.store.executions.getCurrentExecution({
      namespaceId,
      workflowId,
    })
    if (!current) throw workflowNotFound(workflowId, '')
    return { namespaceId, workflowId, runId: current.runId }
  }

  /** A read-only snapshot of a run's mutable state. */
  async getRun(key: RunKey): Promise<MutableStateData> {
    return (await this.load(key)).data
  }

  /**
   * Loads the run, lets `fn` mutate a copy, and commits what it changed. `fn` may throw a
   * ServiceError to abort without writing. Returns what `fn` returned.
   */
  updateWorkflow<T>(key: RunKey, fn: (ms: MutableState) => T): Promise<T> {
    return this.withWorkflowLock(key.namespaceId, key.workflowId, () => this.updateLocked(key, fn))
  }

  /**
   * Like updateWorkflow, for callers that already hold the workflow id's lock. A change that
   * leaves a running workflow over a history limit is discarded: the run is terminated instead
   * and HistoryLimitExceededError (InvalidArgument) thrown (Temporal's
   * UpdateWorkflowExecutionAsActive).
   */
  async updateLocked<T>(key: RunKey, fn: (ms: MutableState) => T): Promise<T> {
    const cached = await this.load(key)
    const ms = this.newMutableState(JSON.parse(cached.json) as MutableStateData)
    const result = fn(ms)
    if (!ms.isDirty()) return result
    const limits = this.deps.historyLimits ?? DEFAULT_HISTORY_LIMITS
    const over = overHistoryLimit(limits, this.deps.logger, key, cached.data, ms.data)
    if (over) {
      const terminated = this.newMutableState(JSON.parse(cached.json) as MutableStateData)
      terminateWorkflow(terminated, { reason: over, details: undefined, identity: HISTORY_SERVICE })
      await this.commitUpdate(key, cached, terminated)
      throw new HistoryLimitExceededError(over)
    }
    await this.commitUpdate(key, cached, ms)
    return result
  }

  private async commitUpdate(key: RunKey, cached: CachedRun, ms: MutableState): Promise<void> {
    const changes = ms.finish()
    const limits = this.deps.historyLimits ?? DEFAULT_HISTORY_LIMITS
    warnHistorySize(limits, this.deps.logger, key, cached.data, ms.data)
    const previousStatus = cached.data.status
    const staged = [this.stage(key, ms.data, changes, cached.dbVersion, cached.data)]
    if (ms.data.status !== previousStatus) {
      staged[0]!.write.current = {
        kind: 'update-status',
        runId: key.runId,
        status: ms.data.status,
      }
    }
    if (ms.newRun) staged.push(this.startRun(ms.newRun, key.runId))
    await this.commit(staged)
  }

  /** The write creating a run that replaces `previousRunId` as current (continue-as-new etc.). */
  private startRun(run: PreparedRun, previousRunId: string): StagedWrite {
    const info = run.data.executionInfo
    const key = { namespaceId: info.namespaceId, workflowId: info.workflowId, runId: info.runId }
    const ms = this.newMutableState(run.data)
    addWorkflowExecutionStartedEvent(ms, run.started, run.startDelayMs)
    const staged = this.stage(key, ms.data, ms.finish(), 0, undefined)
    staged.write.current = {
      kind: 'replace',
      expectedRunId: previousRunId,
      record: {
        namespaceId: key.namespaceId,
        workflowId: key.workflowId,
        runId: key.runId,
        createRequestId: info.createRequestId,
        status: ms.data.status,
        startTime: info.startTime,
      },
    }
    return staged
  }

  /**
   * Creates a run (and optionally updates another, e.g. terminating the current run) in one
   * transaction. The caller holds the workflow id's lock and has checked the current run.
   */
  async createLocked(
    run: NewRun,
    fn: (ms: MutableState) => void,
    alsoUpdate?: { key: RunKey; fn: (ms: MutableState) => void },
  ): Promise<void> {
    const staged: StagedWrite[] = []
    if (alsoUpdate) {
      const cached = await this.load(alsoUpdate.key)
      const other = this.newMutableState(JSON.parse(cached.json) as MutableStateData)
      alsoUpdate.fn(other)
      staged.push(
        this.stage(alsoUpdate.key, other.data, other.finish(), cached.dbVersion, cached.data),
      )
    }
    const info = run.data.executionInfo
    const key = { namespaceId: info.namespaceId, workflowId: info.workflowId, runId: info.runId }
    const ms = this.newMutableState(run.data)
    fn(ms)
    const created = this.stage(key, ms.data, ms.finish(), 0, undefined)
    created.write.current = run.current
    staged.push(created)
    await this.commit(staged)
  }

  /** Deletes a closed run and its history; the caller holds the workflow id's lock. */
  async deleteLocked(key: RunKey): Promise<void> {
    const cached = await this.load(key)
    this.cache.delete(runCacheKey(key))
    this.histories.forget(key.runId)
    try {
      await this.deps.store.executions.deleteWorkflowExecution({
        ...this.fence(key),
        key,
        expectedDbVersion: cached.dbVersion,
      })
    } catch (e: unknown) {
      throw this.writeError(e)
    }
  }

  /** History events of a run in [minEventId, maxEventId), in pages of `maxBatches` batches. */
  async readEvents(
    runId: string,
    minEventId: number,
    maxEventId: number,
    maxBatches = 1_000_000,
  ): Promise<{ events: pb.HistoryEvent[]; nextEventId: number }> {
    const { batches, more } =
      this.histories.read(runId, minEventId, maxEventId, maxBatches) ??
      (await this.deps.store.executions.readHistory({ runId, minEventId, maxEventId, maxBatches }))
    const events: pb.HistoryEvent[] = []
    for (const b of batches) {
      for (const e of HistoryType.decode(b.data).events) {
        const id = toNumber(e.eventId)
        if (id >= minEventId && id < maxEventId) events.push(e)
      }
    }
    const last = batches[batches.length - 1]
    return { events, nextEventId: more && last ? last.lastEventId + 1 : maxEventId }
  }

  /**
   * Resolves when the run commits a change or `signal` aborts. Callers re-check the state after
   * it resolves; the wait itself carries no data (a long poll's wake-up).
   */
  waitForChange(key: RunKey, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve()
      const id = runCacheKey(key)
      let set = this.waiters.get(id)
      if (!set) this.waiters.set(id, (set = new Set()))
      const done = (): void => {
        set.delete(done)
        if (set.size === 0) this.waiters.delete(id)
        signal.removeEventListener('abort', done)
        resolve()
      }
      set.add(done)
      signal.addEventListener('abort', done, { once: true })
    })
  }

  /**
   * The fence of a run's shard. Writes staged together are of one workflow id (a run and the run
   * that continues it), so one fence covers them.
   */
  private fence(key: { namespaceId: string; workflowId: string }): ShardFence {
    const { shardId, rangeId } = this.deps.shards.lease(key.namespaceId, key.workflowId)
    return { shardId, rangeId }
  }

  private newMutableState(data: MutableStateData): MutableState {
    const info = data.executionInfo
    const lease = this.deps.shards.lease(info.namespaceId, info.workflowId)
    return new MutableState(data, {
      clock: this.deps.clock,
      nextTaskId: () => lease.nextTaskId(),
      retentionMs: (namespaceId) => this.deps.namespaceRetentionMs?.(namespaceId),
    })
  }

  private async load(key: RunKey): Promise<CachedRun> {
    const id = runCacheKey(key)
    const hit = this.cache.get(id)
    if (hit) return hit
    const { execution } = await this.deps.store.executions.getWorkflowExecution({ key })
    if (!execution) throw workflowNotFound(key.workflowId, key.runId)
    const json = Buffer.from(execution.state).toString('utf8')
    const run: CachedRun = {
      data: JSON.parse(json) as MutableStateData,
      dbVersion: execution.dbVersion,
      json,
    }
    this.cache.set(id, run)
    return run
  }

  /**
   * One run's write, with what to publish once it has committed. `before` is the committed state
   * an update starts from; a run without one is created by this write.
   */
  private stage(
    key: RunKey,
    data: MutableStateData,
    changes: MutableStateChanges,
    dbVersion: number,
    before: MutableStateData | undefined,
  ): StagedWrite {
    const json = JSON.stringify(data)
    const write: RunWrite = {
      mode: before ? 'update' : 'create',
      expectedDbVersion: dbVersion,
      record: {
        key,
        state: Buffer.from(json),
        dbVersion: dbVersion + 1,
        status: data.status,
        nextEventId: data.nextEventId,
      },
      newHistory: changes.batches,
      queueTasksToAdd: changes.queueTasks,
      queueTasksToDelete: changes.queueTaskDeletes,
      timerTasksToAdd: changes.timers,
      timerTasksToDelete: changes.timerDeletes,
    }
    if (!before || visibilityChanged(before, data)) {
      write.visibility = visibilityRecord(data, this.deps.searchAttributeTypes?.(key.namespaceId))
    }
    return { write, key, data, changes, json, previousStatus: before?.status }
  }

  /** A store write's failure as the RPC reports it. */
  private writeError(e: unknown): Error {
    if (e instanceof ConditionFailedError) {
      return new UnavailableError('workflow was changed concurrently, please retry')
    }
    if (e instanceof ShardOwnershipLostError) {
      // Another server acquired the shard (the same store opened twice): it owns the runs now.
      this.deps.logger.error({ err: e }, 'shard ownership lost; this server can no longer write')
      this.cache.clear()
      this.deps.onShardLost?.(e)
      return new UnavailableError('shard ownership lost: another server owns this store')
    }
    return ensureError(e)
  }

  private commit(staged: StagedWrite[]): Promise<void> {
    const trace = this.deps.traceCommit
    if (!trace) return this.commitNow(staged)
    return trace(
      staged.map((s) => s.key),
      () => this.commitNow(staged),
    )
  }

  private async commitNow(staged: StagedWrite[]): Promise<void> {
    try {
      await this.deps.store.executions.updateWorkflowExecutions({
        ...this.fence(staged[0]!.key),
        writes: staged.map((s) => s.write),
      })
    } catch (e: unknown) {
      for (const p of staged) this.cache.delete(runCacheKey(p.key))
      throw this.writeError(e)
    }
    for (const p of staged) {
      this.cache.set(runCacheKey(p.key), {
        data: p.data,
        dbVersion: p.write.record.dbVersion,
        json: p.json,
      })
      this.histories.committed(p.key.runId, p.changes.batches)
      this.sinks?.addQueueTasks(p.changes.queueTasks)
      this.sinks?.addTimers(p.changes.timers)
      this.sinks?.removeTimers(p.changes.timerDeletes)
      if (p.data.state === 'completed') {
        this.updates.abortRun(p.key, 'workflow execution already completed')
      }
      this.deps.observer?.runCommitted(p.key, p.data)
      if (this.deps.metrics) countLifecycle(this.deps.metrics, p)
      const waiting = this.waiters.get(runCacheKey(p.key))
      if (waiting) for (const wake of [...waiting]) wake()
    }
  }
}

/** A created run counts as started; a run leaving Running counts as closed, once. */
function countLifecycle(metrics: ServerMetrics, p: StagedWrite): void {
  const running = WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
  const closed = p.previousStatus === running && p.data.status !== running
  if (p.previousStatus !== undefined && !closed) return
  const info = p.data.executionInfo
  const run: MetricsRun = {
    namespaceId: info.namespaceId,
    taskQueue: info.taskQueue,
    workflowType: info.workflowType,
    status: p.data.status,
  }
  if (closed) metrics.workflowClosed(run)
  else metrics.workflowStarted(run)
}

function runCacheKey(key: RunKey): string {
  return `${key.namespaceId}/${key.workflowId}/${key.runId}`
}

export function workflowNotFound(workflowId: string, runId: string): NotFoundError {
  return new NotFoundError(
    `workflow execution not found for workflow ID "${workflowId}"${runId ? ` and run ID "${runId}"` : ''}`,
  )
}

export function isRunning(data: MutableStateData): boolean {
  return data.status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
}
