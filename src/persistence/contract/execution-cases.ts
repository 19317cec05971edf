/** Contract cases for ExecutionStore writes: conditions, atomicity and concurrent calls. */
import assert from 'node:assert/strict'
import {
  ConditionFailedError,
  CurrentWorkflowConditionFailedError,
  ShardOwnershipLostError,
} from '../errors.js'
import {
  type ContractTest,
  batchRanges,
  createRun,
  currentRecord,
  fence,
  historyBatch,
  newRunKey,
  queueTask,
  queueTaskIds,
  readRun,
  remove,
  timerIds,
  timerTask,
  updateRun,
  write,
  written,
} from './fixtures.js'

export function executionCases(it: ContractTest): void {
  it('a created run reads back with its current row, history and tasks', async (store) => {
    const key = newRunKey()
    const create = createRun(key, {
      queueTasksToAdd: [queueTask(key, 11)],
      timerTasksToAdd: [timerTask(key, 5000, 12)],
    })
    await write(store, create)

    assert.deepEqual(await readRun(store, key), written(create))
    const { current } = await store.executions.getCurrentExecution(key)
    assert.deepEqual(current, currentRecord(key))
    assert.deepEqual(await batchRanges(store, key), [[1, 3]])
    const { tasks } = await store.tasks.listQueueTasks({ afterTaskId: 0, limit: 10 })
    assert.deepEqual(tasks, [queueTask(key, 11)])
    const timers = await store.tasks.listTimerTasks({ fireBefore: 6000, limit: 10 })
    assert.deepEqual(timers.tasks, [timerTask(key, 5000, 12)])
  })

  it('deleting a run removes its row, history and current row, conditioned on its version', async (store) => {
    const key = newRunKey()
    const create = createRun(key)
    await write(store, create)
    const version = create.record.dbVersion
    await assert.rejects(remove(store, key, version + 1), ConditionFailedError)
    await remove(store, key, version)
    assert.equal(await readRun(store, key), undefined)
    assert.deepEqual(await store.executions.getCurrentExecution(key), { current: undefined })
    assert.deepEqual(await batchRanges(store, key), [])
    await assert.rejects(remove(store, key, version), ConditionFailedError)
  })

  it('writes and deletes at a range id the shard has moved past fail with ShardOwnershipLostError', async (store) => {
    const key = newRunKey()
    const stale = await fence(store)
    await write(store, createRun(key))
    // Another node acquires the shard: the old holder's range id no longer matches.
    const { rangeId } = await store.cluster.acquireShard({ shardId: stale.shardId })
    assert.ok(rangeId > stale.rangeId)
    const next = updateRun(key, 1)
    await assert.rejects(
      store.executions.updateWorkflowExecutions({ ...stale, writes: [next] }),
      ShardOwnershipLostError,
    )
    await assert.rejects(
      store.executions.deleteWorkflowExecution({ ...stale, key, expectedDbVersion: 1 }),
      ShardOwnershipLostError,
    )
    assert.deepEqual(await readRun(store, key), written(createRun(key)))
    // The new holder writes.
    await store.executions.updateWorkflowExecutions({ shardId: 1, rangeId, writes: [next] })
    assert.equal((await readRun(store, key))?.dbVersion, 2)
    // A shard nobody acquired takes no writes either.
    await assert.rejects(
      store.executions.updateWorkflowExecutions({ shardId: 7, rangeId: 1, writes: [] }),
      ShardOwnershipLostError,
    )
  })

  it('unknown runs and workflow ids read as undefined', async (store) => {
    const key = newRunKey()
    assert.equal(await readRun(store, key), undefined)
    assert.deepEqual(await store.executions.getCurrentExecution(key), { current: undefined })
  })

  it('creating an existing run fails with ConditionFailedError and applies nothing', async (store) => {
    const key = newRunKey()
    const first = createRun(key)
    await write(store, first)
    const again = createRun(key, {
      current: undefined,
      newHistory: [historyBatch(key, 4, 5)],
      queueTasksToAdd: [queueTask(key, 21)],
    })
    await assert.rejects(write(store, again), ConditionFailedError)
    assert.deepEqual(await readRun(store, key), written(first))
    assert.deepEqual(await batchRanges(store, key), [[1, 3]])
    assert.deepEqual(await queueTaskIds(store), [])
  })

  it('an update at the expected dbVersion replaces the run and appends history', async (store) => {
    const key = newRunKey()
    await write(store, createRun(key))
    const update = updateRun(key, 1, { newHistory: [historyBatch(key, 4, 6)] })
    update.record.nextEventId = 7
    update.record.status = 2
    await write(store, update)
    assert.deepEqual(await readRun(store, key), written(update))
    assert.deepEqual(await batchRanges(store, key), [
      [1, 3],
      [4, 6],
    ])
  })

  it('an update at a stale dbVersion fails with ConditionFailedError and applies nothing', async (store) => {
    const key = newRunKey()
    await write(store, createRun(key))
    const v2 = updateRun(key, 1)
    await write(store, v2)
    const stale = updateRun(key, 1, {
      newHistory: [historyBatch(key, 4, 4)],
      timerTasksToAdd: [timerTask(key, 100, 31)],
      current: { kind: 'update-status', runId: key.runId, status: 3 },
    })
    await assert.rejects(write(store, stale), ConditionFailedError)
    assert.deepEqual(await readRun(store, key), written(v2))
    assert.deepEqual(await batchRanges(store, key), [[1, 3]])
    assert.deepEqual(await timerIds(store), [])
    assert.equal((await store.executions.getCurrentExecution(key)).current?.status, 1)
  })

  it('an update of a missing run fails with ConditionFailedError', async (store) => {
    await assert.rejects(write(store, updateRun(newRunKey(), 1)), ConditionFailedError)
  })

  it('a second current create fails and reports the current row', async (store) => {
    const a = newRunKey()
    const b = newRunKey(a.workflowId)
    await write(store, createRun(a))
    const err = await write(store, createRun(b)).then(
      () => assert.fail('expected CurrentWorkflowConditionFailedError'),
      (e: unknown) => e,
    )
    assert.ok(err instanceof CurrentWorkflowConditionFailedError, String(err))
    assert.equal(err.currentRunId, a.runId)
    assert.deepEqual(err.current, currentRecord(a))
    assert.equal(await readRun(store, b), undefined, 'the run of the failed write must not exist')
  })

  it('current replace succeeds only while the row names the expected run', async (store) => {
    const a = newRunKey()
    const b = newRunKey(a.workflowId)
    const c = newRunKey(a.workflowId)
    await write(store, createRun(a))
    const replaceA = { kind: 'replace', expectedRunId: a.runId, record: currentRecord(b) } as const
    await write(store, createRun(b, { current: replaceA }))
    assert.deepEqual((await store.executions.getCurrentExecution(a)).current, currentRecord(b))

    const stale = { kind: 'replace', expectedRunId: a.runId, record: currentRecord(c) } as const
    const err = await write(store, createRun(c, { current: stale })).then(
      () => assert.fail('expected CurrentWorkflowConditionFailedError'),
      (e: unknown) => e,
    )
    assert.ok(err instanceof CurrentWorkflowConditionFailedError, String(err))
    assert.equal(err.currentRunId, b.runId)
    assert.equal(await readRun(store, c), undefined)
  })

  it('current replace of a workflow id without a row fails with no current run', async (store) => {
    const a = newRunKey()
    const replace = {
      kind: 'replace',
      expectedRunId: 'run-gone',
      record: currentRecord(a),
    } as const
    const err = await write(store, createRun(a, { current: replace })).then(
      () => assert.fail('expected CurrentWorkflowConditionFailedError'),
      (e: unknown) => e,
    )
    assert.ok(err instanceof CurrentWorkflowConditionFailedError, String(err))
    assert.equal(err.currentRunId, undefined)
    assert.equal(await readRun(store, a), undefined)
  })

  it('current update-status changes only the row naming that run', async (store) => {
    const a = newRunKey()
    await write(store, createRun(a))
    await write(
      store,
      updateRun(a, 1, { current: { kind: 'update-status', runId: a.runId, status: 2 } }),
    )
    assert.equal((await store.executions.getCurrentExecution(a)).current?.status, 2)
    const other = { kind: 'update-status', runId: 'run-other', status: 5 } as const
    await write(store, updateRun(a, 2, { current: other }))
    assert.deepEqual(
      (await store.executions.getCurrentExecution(a)).current,
      currentRecord(a, { status: 2 }),
    )
    assert.equal((await readRun(store, a))?.dbVersion, 3)
  })

  it('a duplicate history batch fails the whole write with ConditionFailedError', async (store) => {
    const key = newRunKey()
    await write(store, createRun(key))
    const dup = updateRun(key, 1, {
      newHistory: [historyBatch(key, 4, 5), historyBatch(key, 1, 3)],
      timerTasksToAdd: [timerTask(key, 100, 41)],
    })
    await assert.rejects(write(store, dup), ConditionFailedError)
    assert.equal((await readRun(store, key))?.dbVersion, 1)
    assert.deepEqual(await batchRanges(store, key), [[1, 3]])
    assert.deepEqual(await timerIds(store), [])
  })

  it('a duplicate queue or timer task fails the whole write', async (store) => {
    const key = newRunKey()
    await write(store, createRun(key, { queueTasksToAdd: [queueTask(key, 51)] }))
    await write(store, updateRun(key, 1, { timerTasksToAdd: [timerTask(key, 100, 52)] }))
    const dupQueue = updateRun(key, 2, {
      newHistory: [historyBatch(key, 4, 4)],
      queueTasksToAdd: [queueTask(key, 51)],
    })
    await assert.rejects(write(store, dupQueue), ConditionFailedError)
    const dupTimer = updateRun(key, 2, {
      newHistory: [historyBatch(key, 4, 4)],
      timerTasksToAdd: [timerTask(key, 100, 52)],
    })
    await assert.rejects(write(store, dupTimer), ConditionFailedError)
    assert.equal((await readRun(store, key))?.dbVersion, 2)
    assert.deepEqual(await batchRanges(store, key), [[1, 3]])
  })

  it('a write deletes the given queue and timer tasks', async (store) => {
    const key = newRunKey()
    const q = [queueTask(key, 61), queueTask(key, 62)]
    const t = [timerTask(key, 100, 63), timerTask(key, 200, 64)]
    await write(store, createRun(key, { queueTasksToAdd: q, timerTasksToAdd: t }))
    await write(
      store,
      updateRun(key, 1, {
        queueTasksToDelete: [
          { namespaceId: key.namespaceId, taskQueue: 'tq-contract', kind: 0, taskId: 61 },
        ],
        timerTasksToDelete: [{ fireTime: 200, taskId: 64 }],
      }),
    )
    assert.deepEqual(await queueTaskIds(store), [62])
    assert.deepEqual(await timerIds(store), [63])
  })

  it('all writes of one call commit together or not at all', async (store) => {
    const a = newRunKey()
    const b = newRunKey()
    await write(store, createRun(a))
    await assert.rejects(write(store, createRun(b), updateRun(a, 7)), ConditionFailedError)
    assert.equal(await readRun(store, b), undefined)
    assert.equal((await store.executions.getCurrentExecution(b)).current, undefined)
    assert.deepEqual(await batchRanges(store, b), [])

    const updateA = updateRun(a, 1)
    await write(store, createRun(b), updateA)
    assert.deepEqual(await readRun(store, a), written(updateA))
    assert.equal((await readRun(store, b))?.dbVersion, 1)
  })

  it('concurrent calls: a failing call is rolled back alone, the others commit', async (store) => {
    const keys = [newRunKey(), newRunKey(), newRunKey(), newRunKey()] as const
    await Promise.all(keys.map((k) => write(store, createRun(k))))
    const fresh = newRunKey()
    const calls = [
      updateRun(keys[0], 1, { newHistory: [historyBatch(keys[0], 4, 4)] }),
      // Fails late, on its second batch, after its run row and first batch were written.
      updateRun(keys[1], 1, {
        newHistory: [historyBatch(keys[1], 4, 4), historyBatch(keys[1], 1, 3)],
      }),
      updateRun(keys[2], 1, { timerTasksToAdd: [timerTask(keys[2], 10, 71)] }),
      createRun(keys[3]),
      createRun(fresh),
    ]
    const results = await Promise.allSettled(calls.map((w) => write(store, w)))
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'],
    )
    for (const i of [1, 3]) {
      const r = results[i]
      assert.ok(r?.status === 'rejected' && r.reason instanceof ConditionFailedError)
    }
    assert.deepEqual(await readRun(store, keys[0]), written(calls[0]!))
    assert.deepEqual(await batchRanges(store, keys[0]), [
      [1, 3],
      [4, 4],
    ])
    assert.equal((await readRun(store, keys[1]))?.dbVersion, 1)
    assert.deepEqual(await batchRanges(store, keys[1]), [[1, 3]])
    assert.deepEqual(await timerIds(store), [71])
    assert.equal((await readRun(store, fresh))?.dbVersion, 1)
  })

  it('concurrent updates from the same dbVersion: exactly one wins', async (store) => {
    const key = newRunKey()
    await write(store, createRun(key))
    const contenders = [1, 2, 3].map((n) => {
      const w = updateRun(key, 1)
      w.record.state = new TextEncoder().encode(`contender ${n}`)
      return w
    })
    const results = await Promise.allSettled(contenders.map((w) => write(store, w)))
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []))
    assert.equal(winners.length, 1)
    for (const r of results) {
      if (r.status === 'rejected') assert.ok(r.reason instanceof ConditionFailedError)
    }
    assert.deepEqual(await readRun(store, key), written(contenders[winners[0]!]!))
  })

  it('close commits writes still pending, and closing twice is harmless', async (store) => {
    const held = await fence(store)
    const writes = [createRun(newRunKey())]
    const pending = Promise.allSettled([
      store.executions.updateWorkflowExecutions({ ...held, writes }),
    ])
    await store.close()
    const [result] = await pending
    assert.equal(result?.status, 'fulfilled')
  })
}
