/**
 * The persistence interface. History, matching and the frontend talk to storage only through
 * these groups; SQLite and PostgreSQL each implement them and both must pass the same contract
 * suite. Every method takes one request object and returns one response object, with no driver
 * types crossing the boundary.
 *
 * Writes that touch a workflow run are made by `ExecutionStore.updateWorkflowExecutions`, which
 * appends history, replaces the run's mutable state and adds/removes its tasks in one
 * transaction, conditioned on the run's `dbVersion` (see errors.ts for the conflict errors).
 */

/** Identifies one run of one workflow. */
export interface RunKey {
  namespaceId: string
  workflowId: string
  runId: string
}

// ---------------------------------------------------------------------------------------------
// Namespaces

export interface NamespaceRecord {
  id: string
  name: string
  /** Incremented on every update; updates are conditioned on it. */
  notificationVersion: number
  /** JSON document of the namespace's info and config (see frontend/namespaces). */
  data: string
}

export interface NamespaceStore {
  /** Throws NamespaceAlreadyExistsConflictError when the name or id is taken. */
  createNamespace(req: { namespace: NamespaceRecord }): Promise<void>
  getNamespace(req: {
    name?: string
    id?: string
  }): Promise<{ namespace: NamespaceRecord | undefined }>
  /** Ordered by name; `nextPageToken` is opaque (empty when there are no more). */
  listNamespaces(req: { pageSize: number; pageToken?: Uint8Array }): Promise<{
    namespaces: NamespaceRecord[]
    nextPageToken: Uint8Array
  }>
  /**
   * Conditioned on `expectedNotificationVersion`; throws ConditionFailedError when it moved. May
   * rename (NamespaceAlreadyExistsConflictError when the new name is taken).
   */
  updateNamespace(req: {
    namespace: NamespaceRecord
    expectedNotificationVersion: number
  }): Promise<void>
  /**
   * Deletes a namespace and its custom search attributes, the last step of DeleteNamespace once
   * its runs are gone. Deleting an unknown id does nothing.
   */
  deleteNamespace(req: { id: string }): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Executions and history

/** The row that names the current (latest) run of a workflow id. */
export interface CurrentExecutionRecord {
  namespaceId: string
  workflowId: string
  runId: string
  /** The start request that created this run, for request-id idempotency. */
  createRequestId: string
  /** WorkflowExecutionStatus of that run, kept in step with the run itself. */
  status: number
  /** Milliseconds since the epoch. */
  startTime: number
}

export interface ExecutionRecord {
  key: RunKey
  /** Serialized mutable state (opaque to the store). */
  state: Uint8Array
  /** Incremented by every write of the run; writes are conditioned on it. */
  dbVersion: number
  /** WorkflowExecutionStatus, duplicated out of `state` for queries. */
  status: number
  /** The next event id after this write: history holds events [1, nextEventId). */
  nextEventId: number
}

/** One batch of events appended together: an encoded `temporal.api.history.v1.History`. */
export interface HistoryBatch {
  firstEventId: number
  /** Id of the batch's last event (inclusive). */
  lastEventId: number
  data: Uint8Array
}

/**
 * A task for a task queue. The row is written in the same transaction as the event that needs it
 * (so a dispatch is never lost) and deleted in the transaction that records the task as started.
 */
export interface QueueTask {
  namespaceId: string
  taskQueue: string
  /** 0 = workflow task, 1 = activity task (matches TaskQueueType - 1). */
  kind: QueueKind
  taskId: number
  workflowId: string
  runId: string
  scheduledEventId: number
  /** Milliseconds since the epoch at which the task was created. */
  createdTime: number
  /** Milliseconds since the epoch after which the task is stale (0 = never). */
  expiryTime: number
  /**
   * Routing hint, not persisted: set on a workflow task for a worker's sticky queue to the run's
   * normal queue, where matching sends it while the sticky worker is away. After a restart the
   * hint is gone and the task's sticky schedule-to-start timer moves it instead.
   */
  stickyNormalName?: string
}

export const QueueKind = { Workflow: 0, Activity: 1 } as const
export type QueueKind = (typeof QueueKind)[keyof typeof QueueKind]

export interface QueueTaskKey {
  namespaceId: string
  taskQueue: string
  kind: QueueKind
  taskId: number
}

/** A durable timer: something history must do at `fireTime` (user timers, timeouts, retries). */
export interface TimerTask {
  /** Milliseconds since the epoch. */
  fireTime: number
  taskId: number
  namespaceId: string
  workflowId: string
  runId: string
  /** JSON document describing what to do (see history/queues/timer-task.ts). */
  data: string
}

export interface TimerTaskKey {
  fireTime: number
  taskId: number
}

/** How a write changes the current-execution row of its workflow id. */
export type CurrentExecutionWrite =
  /** Insert; fails with CurrentWorkflowConditionFailedError if a row exists. */
  | { kind: 'create'; record: CurrentExecutionRecord }
  /** Replace; fails unless the row currently names `expectedRunId`. */
  | { kind: 'replace'; expectedRunId: string; record: CurrentExecutionRecord }
  /** Update status of the row naming this run (no-op if the row names another run). */
  | { kind: 'update-status'; runId: string; status: number }

export interface RunWrite {
  /** `create`: the run must not exist yet. `update`: dbVersion must equal `expectedDbVersion`. */
  mode: 'create' | 'update'
  expectedDbVersion: number
  record: ExecutionRecord
  current?: CurrentExecutionWrite
  /** The run's visibility row, replaced in the same transaction (only when a listed field moved). */
  visibility?: VisibilityRecord
  newHistory: HistoryBatch[]
  queueTasksToAdd: QueueTask[]
  queueTasksToDelete: QueueTaskKey[]
  timerTasksToAdd: TimerTask[]
  timerTasksToDelete: TimerTaskKey[]
}

/**
 * The shard a write is made for and the range id its writer acquired it with. A write commits
 * only while the shard's stored range id is still that one, so a node that lost the shard to
 * another (which acquired it again and moved the range id) cannot commit anything more.
 */
export interface ShardFence {
  shardId: number
  rangeId: number
}

export interface ExecutionStore {
  /**
   * Applies all `writes` in one transaction, or none of them. Throws ShardOwnershipLostError
   * when the shard's range id moved, ConditionFailedError when a run's dbVersion is not the
   * expected one (or a created run exists), and CurrentWorkflowConditionFailedError when the
   * current-execution condition fails.
   * Implementations may group concurrent calls into one database commit, but each call resolves
   * only after its own changes are durable.
   */
  updateWorkflowExecutions(req: ShardFence & { writes: RunWrite[] }): Promise<void>
  getWorkflowExecution(req: { key: RunKey }): Promise<{ execution: ExecutionRecord | undefined }>
  /**
   * Deletes a run: its row, its history, its visibility row, and the current-execution row if it
   * names this run.
   * Conditioned on the shard's range id (ShardOwnershipLostError) and on `expectedDbVersion`
   * (ConditionFailedError when the run moved or is gone).
   * Its queue and timer rows are left to be dropped when they come due (they no longer match).
   */
  deleteWorkflowExecution(
    req: ShardFence & { key: RunKey; expectedDbVersion: number },
  ): Promise<void>
  getCurrentExecution(req: {
    namespaceId: string
    workflowId: string
  }): Promise<{ current: CurrentExecutionRecord | undefined }>
  /**
   * History batches of one run whose events fall in [minEventId, maxEventId), in order. Returns at
   * most `maxBatches` batches; `more` is true when the range holds further batches.
   */
  readHistory(req: {
    runId: string
    minEventId: number
    maxEventId: number
    maxBatches: number
  }): Promise<{ batches: HistoryBatch[]; more: boolean }>
}

// ---------------------------------------------------------------------------------------------
// Visibility: one row per run, what list and count queries filter on (Temporal's
// executions_visibility). Written by run writes, in the same transaction as the run.

export interface VisibilityRecord {
  namespaceId: string
  runId: string
  workflowId: string
  workflowType: string
  taskQueue: string
  /** WorkflowExecutionStatus. */
  status: number
  /** Milliseconds since the epoch. */
  startTime: number
  executionTime: number
  /** 0 while the run is open. */
  closeTime: number
  historyLength: number
  historySizeBytes: number
  stateTransitionCount: number
  parentWorkflowId?: string
  parentRunId?: string
  rootWorkflowId: string
  rootRunId: string
  /**
   * Custom search attributes as values (see visibility/search-attributes): JSON object text. A
   * store may return it re-serialised (spacing, key order); read it with JSON.parse.
   */
  searchAttributes: string
  /** The run's `SearchAttributes` as the client sent them (encoded protobuf), for list results. */
  searchAttributePayloads?: Uint8Array
  /** The run's `Memo`, encoded. */
  memo?: Uint8Array
}

/** A custom search attribute registered in a namespace (OperatorService.AddSearchAttributes). */
export interface SearchAttributeRecord {
  namespaceId: string
  name: string
  /** IndexedValueType. */
  type: number
}

export interface VisibilityPage {
  records: VisibilityRecord[]
  /** Opaque; empty when there are no more. */
  nextPageToken: Uint8Array
}

export interface CountWorkflowExecutionsRequest {
  namespaceId: string
  /** Temporal's list filter language. */
  query: string
  /** The namespace's custom search attributes: name to IndexedValueType. */
  customAttributes: ReadonlyMap<string, number>
}

export interface ListWorkflowExecutionsRequest extends CountWorkflowExecutionsRequest {
  pageSize: number
  pageToken?: Uint8Array
}

export interface VisibilityStore {
  /**
   * Runs of a namespace matching `query`, in its ORDER BY or Temporal's default order. Throws
   * InvalidArgumentError for a query that does not parse or names unknown attributes.
   */
  listWorkflowExecutions(req: ListWorkflowExecutionsRequest): Promise<VisibilityPage>
  /** `groupByStatus` counts per ExecutionStatus (the query's `GROUP BY ExecutionStatus`). */
  countWorkflowExecutions(
    req: CountWorkflowExecutionsRequest,
  ): Promise<{ count: number; groups?: { status: number; count: number }[] }>
  /** One namespace's attributes, or every namespace's when `namespaceId` is unset. */
  listSearchAttributes(req: { namespaceId?: string }): Promise<{
    attributes: SearchAttributeRecord[]
  }>
  /** Adds attributes not yet registered; an existing name keeps its type (the caller checks). */
  addSearchAttributes(req: { attributes: SearchAttributeRecord[] }): Promise<void>
  removeSearchAttributes(req: { namespaceId: string; names: string[] }): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Task queues and timers (reads and clean-up; adds happen through RunWrite)

export interface TaskStore {
  /** Queue tasks in taskId order, after `afterTaskId`, for loading backlogs at start. */
  listQueueTasks(req: { afterTaskId: number; limit: number }): Promise<{ tasks: QueueTask[] }>
  deleteQueueTasks(req: { keys: QueueTaskKey[] }): Promise<void>
  /** Timers with fireTime < `fireBefore`, ordered by (fireTime, taskId), after the given key. */
  listTimerTasks(req: {
    fireBefore: number
    after?: TimerTaskKey
    limit: number
  }): Promise<{ tasks: TimerTask[] }>
  deleteTimerTasks(req: { keys: TimerTaskKey[] }): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Cluster metadata: per-store facts such as the task-token key, and shard ownership.

/**
 * One node of a cluster as it advertises itself (Temporal's cluster_membership row). A node
 * writes its row at start and on every heartbeat; a row whose `recordExpiry` has passed is a
 * node that is gone.
 */
export interface MemberRecord {
  /** Unique per process start. */
  hostId: string
  /** `host:port` of the node's internal gRPC service, where other nodes call it. */
  internalAddress: string
  /** `host:port` of the node's frontend, where clients call it; empty without the frontend. */
  rpcAddress: string
  /** The roles the node runs: `frontend`, `history`, `matching`, `worker`. */
  roles: string[]
  /** Milliseconds since the epoch at which the node started. */
  sessionStart: number
  /** Milliseconds since the epoch of the node's last heartbeat. */
  lastHeartbeat: number
  /** Milliseconds since the epoch after which the node counts as gone without a heartbeat. */
  recordExpiry: number
}

/** A history shard's lease: the range id it was last acquired with, and by whom. */
export interface ShardRecord {
  shardId: number
  rangeId: number
  /** The `hostId` of the node that acquired it last; empty when released. */
  owner: string
}

export interface ClusterStore {
  /** Returns the stored value, or stores `value` and returns it if there was none. */
  getOrInitMetadata(req: { key: string; value: string }): Promise<{ value: string }>
  /**
   * Takes ownership of the shard by moving its range id, and records `owner` as its holder. The
   * new range id is greater than every range id any shard of the store has had, so task ids
   * (`rangeId * 2^32 + n`) stay unique across shards and increasing across restarts. Writes
   * fenced by the shard's previous range id fail from then on.
   */
  acquireShard(req: { shardId: number; owner?: string }): Promise<{ rangeId: number }>
  /**
   * Clears the owner of a shard still held at `rangeId` by `owner` (a graceful hand-off), so
   * that the next node takes it without waiting; does nothing when the shard moved on.
   */
  releaseShard(req: { shardId: number; rangeId: number; owner: string }): Promise<void>
  /** Every shard acquired so far, by shard id. */
  listShards(): Promise<{ shards: ShardRecord[] }>
  /** Inserts or replaces the member's row (by `hostId`). */
  upsertMember(req: { member: MemberRecord }): Promise<void>
  /** Members whose `recordExpiry` is after `aliveAt`, by `hostId`. */
  listMembers(req: { aliveAt: number }): Promise<{ members: MemberRecord[] }>
  /** Removes a member's row (a node leaving); nothing when it is gone. */
  deleteMember(req: { hostId: string }): Promise<void>
  /** Removes the rows of members expired before `expiredBefore` (housekeeping). */
  pruneMembers(req: { expiredBefore: number }): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// The internal worker's jobs: schedules and batch operations. Each is one row of durable state
// owned by a shard, like a run, and written under the same shard fence.

/** What a job is; its id is unique within a namespace and kind. */
export type JobKind = 'schedule' | 'batch'

export interface JobKey {
  namespaceId: string
  kind: JobKind
  jobId: string
}

export interface JobRecord extends JobKey {
  /** Incremented by every write; updates are conditioned on it. */
  version: number
  /**
   * When the job next needs the worker (ms since the epoch); 0 when only a request can wake it
   * (a paused schedule, a finished batch), so an idle job costs nothing.
   */
  wakeTime: number
  /** JSON document of the job's state (opaque to the store). */
  data: string
}

export interface JobStore {
  /**
   * Inserts a job at version 1. Throws ConditionFailedError when the key exists and
   * ShardOwnershipLostError when the shard moved past `rangeId`.
   */
  createJob(req: ShardFence & { job: JobRecord }): Promise<void>
  getJob(req: JobKey): Promise<{ job: JobRecord | undefined }>
  /**
   * Replaces a job, conditioned on its version (ConditionFailedError when it moved or the job is
   * gone) and on the shard fence (ShardOwnershipLostError).
   */
  updateJob(req: ShardFence & { job: JobRecord; expectedVersion: number }): Promise<void>
  /** Deletes a job (nothing when it is gone), under the shard fence. */
  deleteJob(req: ShardFence & JobKey): Promise<void>
  /** One namespace's jobs of a kind, ordered by id; `nextPageToken` is empty after the last. */
  listJobs(req: {
    namespaceId: string
    kind: JobKind
    pageSize: number
    pageToken?: Uint8Array
  }): Promise<{ jobs: JobRecord[]; nextPageToken: Uint8Array }>
  /** Jobs with a wake time (any namespace and kind), in key order after `after`, for loading. */
  listWakingJobs(req: { after?: JobKey; limit: number }): Promise<{ jobs: JobRecord[] }>
}

export interface Store {
  readonly namespaces: NamespaceStore
  readonly executions: ExecutionStore
  readonly visibility: VisibilityStore
  readonly tasks: TaskStore
  readonly cluster: ClusterStore
  readonly jobs: JobStore
  close(): Promise<void>
}
