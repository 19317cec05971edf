/**
 * Every history the server writes must replay in the SDK's worker with the same workflow code:
 * the Rust core rejects any event sequence a real Temporal server would not produce.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Worker } from '@temporalio/worker'
import { startHarness, uid, workflowBundle, type Harness } from './harness.js'
import type * as wf from './workflows.js'

let h: Harness
before(async () => {
  h = await startHarness()
})
after(async () => {
  await h.close()
})

test('histories of the test workflows replay without nondeterminism', async () => {
  const taskQueue = uid('tq')
  const ids: string[] = []
  const id = (name: string): string => {
    const workflowId = uid(name)
    ids.push(workflowId)
    return workflowId
  }
  await h.withWorker(taskQueue, async () => {
    const c = h.client.workflow
    await c.execute<typeof wf.greeting>('greeting', {
      taskQueue,
      workflowId: id('greeting'),
      args: ['r'],
    })
    await c.execute<typeof wf.threeActivities>('threeActivities', {
      taskQueue,
      workflowId: id('three'),
      args: ['r'],
    })
    await c.execute<typeof wf.retrying>('retrying', {
      taskQueue,
      workflowId: id('retrying'),
      args: [uid('k')],
    })
    await c.execute<typeof wf.cancelledTimer>('cancelledTimer', {
      taskQueue,
      workflowId: id('timer'),
    })
    await c.execute<typeof wf.markers>('markers', {
      taskQueue,
      workflowId: id('markers'),
      args: ['r'],
    })
    await c.execute<typeof wf.manySleeps>('manySleeps', {
      taskQueue,
      workflowId: id('sleeps'),
      args: [20],
    })
    await c.execute<typeof wf.parentOfOne>('parentOfOne', {
      taskQueue,
      workflowId: id('parent'),
      args: ['r'],
    })
    await c.execute<typeof wf.continuing>('continuing', {
      taskQueue,
      workflowId: id('can'),
      args: [3],
    })
    const collector = await c.start<typeof wf.collector>('collector', {
      taskQueue,
      workflowId: id('signals'),
    })
    for (let i = 0; i < 10; i++) await collector.signal<[number]>('add', i)
    await collector.signal('done')
    await collector.result()
    const counter = await c.start<typeof wf.counter>('counter', {
      taskQueue,
      workflowId: id('updates'),
    })
    await counter.executeUpdate<number, [number]>('addUpdate', { args: [2] })
    await counter
      .executeUpdate<number, [number]>('addUpdate', { args: [-1] })
      .catch(() => undefined)
    await counter.executeUpdate<number, [number]>('addUpdate', { args: [3] })
    await counter.signal('finish')
    await counter.result()
    await c.execute<typeof wf.parentOfFailing>('parentOfFailing', {
      taskQueue,
      workflowId: id('parent-f'),
    })
    const sws = await c.signalWithStart<typeof wf.collector, [number]>('collector', {
      taskQueue,
      workflowId: id('sws'),
      signal: 'add',
      signalArgs: [1],
    })
    await sws.signal('done')
    await sws.result()
    const cancelled = await c.start<typeof wf.cancellable>('cancellable', {
      taskQueue,
      workflowId: id('cancel'),
      args: ['x'],
    })
    await new Promise((r) => setTimeout(r, 300))
    await cancelled.cancel()
    await cancelled.result().catch(() => undefined)
  })
  const histories = ids.map((workflowId) => ({
    workflowId,
    history: h.client.workflow.getHandle(workflowId).fetchHistory(),
  }))
  const resolved = await Promise.all(
    histories.map(async (x) => ({ workflowId: x.workflowId, history: await x.history })),
  )
  const failures: string[] = []
  let replayed = 0
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: await workflowBundle() },
    resolved,
  )) {
    replayed++
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`)
  }
  assert.deepEqual(failures, [])
  assert.equal(replayed, ids.length)
})
