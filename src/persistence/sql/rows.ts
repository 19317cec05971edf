/** Small helpers both stores use to check arguments and shape rows. */
import type {
  CurrentExecutionRecord,
  ExecutionRecord,
  HistoryBatch,
  JobKind,
  JobRecord,
  MemberRecord,
  NamespaceRecord,
  QueueKind,
  QueueTask,
  RunKey,
  SearchAttributeRecord,
  ShardFence,
  ShardRecord,
  TimerTask,
} from '../store.js'

/** Checks a caller-supplied row limit (SQLite reads a negative LIMIT as "no limit"). */
export function checkLimit(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`)
  }
}

/**
 * A blob column as a plain Uint8Array view (no copy). The drivers hand out Buffers; exposing
 * only the interface's type keeps callers from depending on Buffer methods.
 */
export function bytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

// Rows as both drivers return them (column names as in statements.ts), and their records.

export interface NamespaceRow {
  id: string
  name: string
  notification_version: number
  data: string
}

export function toNamespaceRecord(row: NamespaceRow): NamespaceRecord {
  return {
    id: row.id,
    name: row.name,
    notificationVersion: row.notification_version,
    data: row.data,
  }
}

export interface ExecutionRow {
  db_version: number
  status: number
  next_event_id: number
  state: Uint8Array
}

export function toExecutionRecord(key: RunKey, row: ExecutionRow): ExecutionRecord {
  return {
    key: { ...key },
    state: bytes(row.state),
    dbVersion: row.db_version,
    status: row.status,
    nextEventId: row.next_event_id,
  }
}

export interface CurrentRow {
  run_id: string
  create_request_id: string
  status: number
  start_time: number
}

export function toCurrentRecord(
  namespaceId: string,
  workflowId: string,
  row: CurrentRow | undefined,
): CurrentExecutionRecord | undefined {
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

export interface HistoryRow {
  first_event_id: number
  last_event_id: number
  data: Uint8Array
}

/** Rows read with one extra beyond `max`: the page, and whether more remain. */
export function historyPage(
  rows: HistoryRow[],
  max: number,
): { batches: HistoryBatch[]; more: boolean } {
  const batches = rows.slice(0, max).map((r) => ({
    firstEventId: r.first_event_id,
    lastEventId: r.last_event_id,
    data: bytes(r.data),
  }))
  return { batches, more: rows.length > max }
}

export interface QueueTaskRow {
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

export function toQueueTask(r: QueueTaskRow): QueueTask {
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

export interface TimerTaskRow {
  fire_time: number
  task_id: number
  namespace_id: string
  workflow_id: string
  run_id: string
  data: string
}

export function toTimerTask(r: TimerTaskRow): TimerTask {
  return {
    fireTime: r.fire_time,
    taskId: r.task_id,
    namespaceId: r.namespace_id,
    workflowId: r.workflow_id,
    runId: r.run_id,
    data: r.data,
  }
}

export interface AttributeRow {
  namespace_id: string
  name: string
  type: number
}

export function toAttributeRecord(r: AttributeRow): SearchAttributeRecord {
  return { namespaceId: r.namespace_id, name: r.name, type: r.type }
}

/** A worker_jobs row as both drivers return it (PostgreSQL's BIGINTs come back as strings). */
export interface JobRow {
  namespace_id: string
  kind: string
  job_id: string
  version: number | string
  wake_time: number | string
  data: string
}

export function toJobRecord(row: JobRow): JobRecord {
  return {
    namespaceId: row.namespace_id,
    kind: row.kind as JobKind,
    jobId: row.job_id,
    version: Number(row.version),
    wakeTime: Number(row.wake_time),
    data: row.data,
  }
}

/** Statement parameters of a job write. */
export function jobParams(fence: ShardFence, job: JobRecord) {
  const { namespaceId, kind, jobId, version, wakeTime, data } = job
  return { namespaceId, kind, jobId, version, wakeTime, data, ...fence }
}

const jobTokenText = new TextDecoder('utf-8', { fatal: true })

/** A job list page token is the UTF-8 of the last id returned; '' starts at the first. */
export function jobPageAfter(token: Uint8Array | undefined): string {
  return token?.length ? jobTokenText.decode(token) : ''
}

/** The page of `rows` (fetched with limit pageSize + 1) and the token of the next one. */
export function jobPage(rows: JobRow[], pageSize: number) {
  const page = rows.slice(0, pageSize)
  const last = page.at(-1)
  const more = rows.length > pageSize && last !== undefined
  return {
    jobs: page.map(toJobRecord),
    nextPageToken: more ? new TextEncoder().encode(last.job_id) : new Uint8Array(0),
  }
}

/** A shards row as both drivers return it. */
export interface ShardRow {
  shard_id: number
  range_id: number | string
  owner: string
}

export function toShardRecord(r: ShardRow): ShardRecord {
  return { shardId: Number(r.shard_id), rangeId: Number(r.range_id), owner: r.owner }
}

/** A cluster_membership row as both drivers return it; `roles` is a JSON array. */
export interface MemberRow {
  host_id: string
  internal_address: string
  rpc_address: string
  roles: string
  session_start: number | string
  last_heartbeat: number | string
  record_expiry: number | string
}

export function toMemberRecord(r: MemberRow): MemberRecord {
  return {
    hostId: r.host_id,
    internalAddress: r.internal_address,
    rpcAddress: r.rpc_address,
    roles: JSON.parse(r.roles) as string[],
    sessionStart: Number(r.session_start),
    lastHeartbeat: Number(r.last_heartbeat),
    recordExpiry: Number(r.record_expiry),
  }
}

/** Statement parameters of a member's row. */
export function memberParams(m: MemberRecord) {
  return { ...m, roles: JSON.stringify(m.roles) }
}
