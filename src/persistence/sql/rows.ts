/** Small helpers both stores use to check arguments and shape rows. */
import type {
  CurrentExecutionRecord,
  ExecutionRecord,
  HistoryBatch,
  NamespaceRecord,
  QueueKind,
  QueueTask,
  RunKey,
  SearchAttributeRecord,
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
