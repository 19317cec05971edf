/** Builders and helpers shared by the store contract cases (see contract.case.test.ts). */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type {
  CurrentExecutionRecord,
  ExecutionRecord,
  QueueTask,
  RunKey,
  RunWrite,
  ShardFence,
  Store,
  TimerTask,
} from '../store.js'

/**
 * Registers one contract test: it gets a fresh store, which is closed afterwards (whatever the
 * test did to it already, so `close` must be idempotent).
 */
export type ContractTest = (title: string, fn: (store: Store) => Promise<void>) => void

const utf8 = new TextEncoder()

export function bytes(s: string): Uint8Array {
  return utf8.encode(s)
}

/**
 * Copies into a plain Uint8Array: drivers return Buffers (a Uint8Array subclass), which
 * `deepStrictEqual` would not consider equal to the Uint8Array that was written.
 */
export function plain(b: Uint8Array): Uint8Array {
  return Uint8Array.from(b)
}

export function newRunKey(workflowId?: string): RunKey {
  const id = randomUUID()
  return { namespaceId: 'ns-contract', workflowId: workflowId ?? `wf-${id}`, runId: `run-${id}` }
}

export function currentRecord(
  key: RunKey,
  over: Partial<CurrentExecutionRecord> = {},
): CurrentExecutionRecord {
  return {
    namespaceId: key.namespaceId,
    workflowId: key.workflowId,
    runId: key.runId,
    createRequestId: `request-for-${key.runId}`,
    status: 1,
    startTime: 1_700_000_000_000,
    ...over,
  }
}

const noTasks = {
  queueTasksToAdd: [],
  queueTasksToDelete: [],
  timerTasksToAdd: [],
  timerTasksToDelete: [],
} satisfies Partial<RunWrite>

/** Starts a run: dbVersion 1, events 1-3, and a current row naming it. */
export function createRun(key: RunKey, over: Partial<RunWrite> = {}): RunWrite {
  return {
    mode: 'create',
    expectedDbVersion: 0,
    record: { key, state: bytes(`${key.runId} v1`), dbVersion: 1, status: 1, nextEventId: 4 },
    current: { kind: 'create', record: currentRecord(key) },
    newHistory: [{ firstEventId: 1, lastEventId: 3, data: bytes(`${key.runId} events 1-3`) }],
    ...noTasks,
    ...over,
  }
}

/** Moves a run from dbVersion `from` to `from + 1`, touching nothing else unless told. */
export function updateRun(key: RunKey, from: number, over: Partial<RunWrite> = {}): RunWrite {
  const version = from + 1
  return {
    mode: 'update',
    expectedDbVersion: from,
    record: {
      key,
      state: bytes(`${key.runId} v${version}`),
      dbVersion: version,
      status: 1,
      nextEventId: 4,
    },
    newHistory: [],
    ...noTasks,
    ...over,
  }
}

export function historyBatch(key: RunKey, first: number, last: number) {
  return {
    firstEventId: first,
    lastEventId: last,
    data: bytes(`${key.runId} events ${first}-${last}`),
  }
}

export function queueTask(key: RunKey, taskId: number, over: Partial<QueueTask> = {}): QueueTask {
  return {
    namespaceId: key.namespaceId,
    taskQueue: 'tq-contract',
    kind: 0,
    taskId,
    workflowId: key.workflowId,
    runId: key.runId,
    scheduledEventId: 2,
    createdTime: 1_700_000_000_000,
    expiryTime: 0,
    ...over,
  }
}

export function timerTask(key: RunKey, fireTime: number, taskId: number): TimerTask {
  return {
    fireTime,
    taskId,
    namespaceId: key.namespaceId,
    workflowId: key.workflowId,
    runId: key.runId,
    data: JSON.stringify({ kind: 'user-timer', id: taskId }),
  }
}

const fences = new WeakMap<Store, Promise<ShardFence>>()

/** Shard 1 as this test's writer holds it: acquired once per store. */
export function fence(store: Store): Promise<ShardFence> {
  let held = fences.get(store)
  if (!held) {
    held = store.cluster
      .acquireShard({ shardId: 1 })
      .then(({ rangeId }) => ({ shardId: 1, rangeId }))
    fences.set(store, held)
  }
  return held
}

export async function write(store: Store, ...writes: RunWrite[]): Promise<void> {
  await store.executions.updateWorkflowExecutions({ ...(await fence(store)), writes })
}

export async function remove(store: Store, key: RunKey, expectedDbVersion: number): Promise<void> {
  await store.executions.deleteWorkflowExecution({
    ...(await fence(store)),
    key,
    expectedDbVersion,
  })
}

/** The stored run with its state as a plain Uint8Array, or undefined. */
export async function readRun(store: Store, key: RunKey): Promise<ExecutionRecord | undefined> {
  const { execution } = await store.executions.getWorkflowExecution({ key })
  return execution && { ...execution, state: plain(execution.state) }
}

/** The record a write stored, as readRun returns it. */
export function written(w: RunWrite): ExecutionRecord {
  return { ...w.record, state: plain(w.record.state) }
}

/** `[firstEventId, lastEventId]` of every batch of the run in [min, max), checking the data. */
export async function batchRanges(
  store: Store,
  key: RunKey,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): Promise<[number, number][]> {
  const { batches, more } = await store.executions.readHistory({
    runId: key.runId,
    minEventId: min,
    maxEventId: max,
    maxBatches: 1000,
  })
  if (more) throw new Error('unexpected: more than 1000 batches')
  return batches.map((b) => {
    const want = historyBatch(key, b.firstEventId, b.lastEventId).data
    if (!Buffer.from(b.data).equals(want)) throw new Error(`batch ${b.firstEventId} data differs`)
    return [b.firstEventId, b.lastEventId]
  })
}

export async function timerIds(store: Store): Promise<number[]> {
  const { tasks } = await store.tasks.listTimerTasks({
    fireBefore: Number.MAX_SAFE_INTEGER,
    limit: 1000,
  })
  return tasks.map((t) => t.taskId)
}

export async function queueTaskIds(store: Store): Promise<number[]> {
  const { tasks } = await store.tasks.listQueueTasks({ afterTaskId: 0, limit: 1000 })
  return tasks.map((t) => t.taskId)
}

/**
 * After the upgrade to version 4 of a store whose shards 1 and 2 were at range ids 5 and 7 (each
 * shard counted its own until then): the ids are kept, and new ones start above all of them.
 */
export async function checkRangeIdsAfterUpgrade(store: Store): Promise<void> {
  assert.deepEqual(await store.cluster.listShards(), {
    shards: [
      { shardId: 1, rangeId: 5, owner: '' },
      { shardId: 2, rangeId: 7, owner: '' },
    ],
  })
  assert.equal((await store.cluster.acquireShard({ shardId: 1 })).rangeId, 8)
  assert.equal((await store.cluster.acquireShard({ shardId: 3 })).rangeId, 9)
}
