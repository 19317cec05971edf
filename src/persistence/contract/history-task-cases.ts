/** Contract cases for readHistory paging and the TaskStore. */
import assert from 'node:assert/strict'
import { QueueKind, type Store, type RunKey } from '../store.js'
import {
  type ContractTest,
  batchRanges,
  createRun,
  historyBatch,
  newRunKey,
  queueTask,
  queueTaskIds,
  readRun,
  timerIds,
  timerTask,
  updateRun,
  write,
} from './fixtures.js'

/** A run whose history is the batches 1-3, 4-4, 5-9 and 10-12. */
async function runWithFourBatches(store: Store): Promise<RunKey> {
  const key = newRunKey()
  await write(store, createRun(key))
  await write(store, updateRun(key, 1, { newHistory: [historyBatch(key, 4, 4)] }))
  await write(
    store,
    updateRun(key, 2, { newHistory: [historyBatch(key, 5, 9), historyBatch(key, 10, 12)] }),
  )
  return key
}

async function page(store: Store, key: RunKey, min: number, max: number, maxBatches: number) {
  const { batches, more } = await store.executions.readHistory({
    runId: key.runId,
    minEventId: min,
    maxEventId: max,
    maxBatches,
  })
  return { ranges: batches.map((b) => [b.firstEventId, b.lastEventId]), more }
}

export function historyTaskCases(it: ContractTest): void {
  it('readHistory returns the batches holding events in [min, max), in order', async (store) => {
    const key = await runWithFourBatches(store)
    const other = newRunKey()
    await write(store, createRun(other))
    assert.deepEqual(await batchRanges(store, key, 1, 13), [
      [1, 3],
      [4, 4],
      [5, 9],
      [10, 12],
    ])
    assert.deepEqual(await batchRanges(store, key, 4, 10), [
      [4, 4],
      [5, 9],
    ])
    assert.deepEqual(await batchRanges(store, key, 6, 7), [[5, 9]])
    assert.deepEqual(await batchRanges(store, key, 3, 5), [
      [1, 3],
      [4, 4],
    ])
    assert.deepEqual(await batchRanges(store, key, 13, 20), [])
    assert.deepEqual(await batchRanges(store, key, 10, 10), [])
    assert.deepEqual(await batchRanges(store, other), [[1, 3]])
  })

  it('readHistory returns at most maxBatches and tells whether more remain', async (store) => {
    const key = await runWithFourBatches(store)
    assert.deepEqual(await page(store, key, 1, 13, 2), {
      ranges: [
        [1, 3],
        [4, 4],
      ],
      more: true,
    })
    assert.deepEqual(await page(store, key, 5, 13, 2), {
      ranges: [
        [5, 9],
        [10, 12],
      ],
      more: false,
    })
    assert.deepEqual(await page(store, key, 1, 10, 2), {
      ranges: [
        [1, 3],
        [4, 4],
      ],
      more: true,
    })
    assert.deepEqual(await page(store, key, 1, 5, 2), {
      ranges: [
        [1, 3],
        [4, 4],
      ],
      more: false,
    })
    assert.deepEqual((await page(store, key, 1, 13, 4)).more, false)
  })

  it('a large run: 2,000 batches and a 4 MiB state round-trip, paged in order', async (store) => {
    const key = newRunKey()
    const state = new Uint8Array(4 * 1024 * 1024).map((_, i) => i % 251)
    await write(store, createRun(key, { record: { ...createRun(key).record, state } }))
    const payload = new Uint8Array(2048).fill(7)
    let version = 1
    // Events 4 onwards, two per batch, 100 batches per write.
    for (let w = 0; w < 20; w++) {
      const newHistory = Array.from({ length: 100 }, (_, b) => {
        const first = 4 + (w * 100 + b) * 2
        return { firstEventId: first, lastEventId: first + 1, data: payload }
      })
      await write(
        store,
        updateRun(key, version, {
          record: { ...updateRun(key, version).record, state },
          newHistory,
        }),
      )
      version++
    }
    const run = await readRun(store, key)
    assert.equal(run?.state.length, state.length)
    assert.deepEqual(run?.state.subarray(0, 600), state.subarray(0, 600))
    let next = 1
    let batches = 0
    for (;;) {
      const res = await store.executions.readHistory({
        runId: key.runId,
        minEventId: next,
        maxEventId: 1_000_000,
        maxBatches: 300,
      })
      for (const b of res.batches) {
        assert.equal(b.firstEventId, next)
        next = b.lastEventId + 1
        batches++
      }
      if (!res.more) break
    }
    assert.equal(batches, 2001)
    assert.equal(next, 4004)
  })

  it('readHistory of an unknown run returns nothing', async (store) => {
    assert.deepEqual(await page(store, newRunKey(), 1, 100, 10), { ranges: [], more: false })
  })

  it('listQueueTasks returns tasks in taskId order after afterTaskId, up to limit', async (store) => {
    const key = newRunKey()
    const tasks = [
      queueTask(key, 30),
      queueTask(key, 10, { taskQueue: 'tq-other', kind: QueueKind.Activity }),
      queueTask(key, 20),
      queueTask(key, 40, { namespaceId: 'ns-other' }),
    ]
    await write(store, createRun(key, { queueTasksToAdd: tasks }))
    const list = async (afterTaskId: number, limit: number) =>
      (await store.tasks.listQueueTasks({ afterTaskId, limit })).tasks
    assert.deepEqual(await list(0, 10), [tasks[1], tasks[2], tasks[0], tasks[3]])
    assert.deepEqual(await list(10, 2), [tasks[2], tasks[0]])
    assert.deepEqual(await list(40, 10), [])
  })

  it('deleteQueueTasks removes exactly the given keys', async (store) => {
    const key = newRunKey()
    const tasks = [queueTask(key, 1), queueTask(key, 2), queueTask(key, 3)]
    await write(store, createRun(key, { queueTasksToAdd: tasks }))
    const keyOf = (taskId: number, kind: QueueKind = QueueKind.Workflow) => ({
      namespaceId: key.namespaceId,
      taskQueue: 'tq-contract',
      kind,
      taskId,
    })
    // Same task id under another kind, and an id that never existed: both are no-ops.
    await store.tasks.deleteQueueTasks({ keys: [keyOf(1), keyOf(3), keyOf(2, 1), keyOf(99)] })
    assert.deepEqual(await queueTaskIds(store), [2])
    await store.tasks.deleteQueueTasks({ keys: [] })
    assert.deepEqual(await queueTaskIds(store), [2])
  })

  it('listTimerTasks orders by (fireTime, taskId) below fireBefore, up to limit', async (store) => {
    const key = newRunKey()
    const timers = [
      timerTask(key, 100, 3),
      timerTask(key, 100, 1),
      timerTask(key, 50, 9),
      timerTask(key, 200, 2),
    ]
    await write(store, createRun(key, { timerTasksToAdd: timers }))
    const list = async (fireBefore: number, limit: number) =>
      (await store.tasks.listTimerTasks({ fireBefore, limit })).tasks
    assert.deepEqual(await list(200, 10), [timers[2], timers[1], timers[0]])
    assert.deepEqual(await list(201, 2), [timers[2], timers[1]])
    assert.deepEqual(await list(50, 10), [])
  })

  it('listTimerTasks resumes strictly after the given key', async (store) => {
    const key = newRunKey()
    const timers = [
      timerTask(key, 50, 9),
      timerTask(key, 100, 1),
      timerTask(key, 100, 3),
      timerTask(key, 200, 2),
    ]
    await write(store, createRun(key, { timerTasksToAdd: timers }))
    const after = async (fireTime: number, taskId: number, fireBefore = 1000) =>
      (await store.tasks.listTimerTasks({ fireBefore, after: { fireTime, taskId }, limit: 10 }))
        .tasks
    assert.deepEqual(await after(50, 9), timers.slice(1))
    assert.deepEqual(await after(100, 1), timers.slice(2))
    assert.deepEqual(await after(100, 2), timers.slice(2))
    assert.deepEqual(await after(100, 3, 200), [])
    assert.deepEqual(await after(0, 0), timers)
  })

  it('deleteTimerTasks removes exactly the given keys', async (store) => {
    const key = newRunKey()
    const timers = [timerTask(key, 100, 1), timerTask(key, 100, 2), timerTask(key, 300, 3)]
    await write(store, createRun(key, { timerTasksToAdd: timers }))
    await store.tasks.deleteTimerTasks({
      keys: [
        { fireTime: 100, taskId: 2 },
        { fireTime: 300, taskId: 3 },
        { fireTime: 200, taskId: 1 },
      ],
    })
    assert.deepEqual(await timerIds(store), [1])
  })
}
