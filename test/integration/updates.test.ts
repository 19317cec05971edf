/** Workflow updates: validators, rejection without history, id dedupe, waiting stages. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
} from '@temporalio/client'
import { EventType } from '../../src/common/proto.js'
import { startHarness, uid, type Harness } from './harness.js'
import { eventTypes } from './task-poller.js'
import type * as wf from './workflows.js'

let h: Harness
before(async () => {
  h = await startHarness()
})
after(async () => {
  await h.close()
})

test('accepted updates return results; rejected ones fail and leave no history events', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('counter')
  await h.withWorker(taskQueue, async () => {
    const handle = await h.client.workflow.start<typeof wf.counter>('counter', {
      taskQueue,
      workflowId,
    })
    assert.equal(await handle.executeUpdate<number, [number]>('addUpdate', { args: [5] }), 5)
    assert.equal(await handle.executeUpdate<number, [number]>('addUpdate', { args: [2] }), 7)
    const before = (await handle.fetchHistory()).events!.length
    await assert.rejects(
      handle.executeUpdate<number, [number]>('addUpdate', { args: [-1] }),
      WorkflowUpdateFailedError,
    )
    const after = (await handle.fetchHistory()).events!.length
    assert.equal(after, before, 'a rejected update wrote history events')
    await handle.signal('finish')
    assert.equal(await handle.result(), 7)
  })
  const { events } = await h.client.workflow.getHandle(workflowId).fetchHistory()
  const types = eventTypes(events!)
  assert.equal(
    types.filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED).length,
    2,
  )
  assert.equal(
    types.filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED).length,
    2,
  )
})

test('the same update id sent twice runs once', async () => {
  const taskQueue = uid('tq')
  await h.withWorker(taskQueue, async () => {
    const handle = await h.client.workflow.start<typeof wf.counter>('counter', {
      taskQueue,
      workflowId: uid('dedupe'),
    })
    const updateId = uid('update')
    const first = await handle.executeUpdate<number, [number]>('addUpdate', { args: [3], updateId })
    const second = await handle.executeUpdate<number, [number]>('addUpdate', {
      args: [3],
      updateId,
    })
    assert.equal(first, 3)
    assert.equal(second, 3)
    await handle.signal('finish')
    assert.equal(await handle.result(), 3)
  })
})

test('startUpdate waits for acceptance; the result comes from PollWorkflowExecutionUpdate', async () => {
  const taskQueue = uid('tq')
  await h.withWorker(taskQueue, async () => {
    const handle = await h.client.workflow.start<typeof wf.counter>('counter', {
      taskQueue,
      workflowId: uid('stages'),
    })
    const updateHandle = await handle.startUpdate<number, [number]>('addUpdate', {
      args: [4],
      waitForStage: 'ACCEPTED',
    })
    assert.equal(await updateHandle.result(), 4)
    await handle.signal('finish')
    assert.equal(await handle.result(), 4)
  })
})

test('update-with-start starts the workflow and runs the update; a second one reuses the run', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('uws')
  await h.withWorker(taskQueue, async () => {
    const op = () =>
      new WithStartWorkflowOperation<typeof wf.counter>('counter', {
        taskQueue,
        workflowId,
        workflowIdConflictPolicy: 'USE_EXISTING',
      })
    const first = op()
    assert.equal(
      await h.client.workflow.executeUpdateWithStart<typeof wf.counter, number, [number]>(
        'addUpdate',
        { args: [10], startWorkflowOperation: first },
      ),
      10,
    )
    const second = op()
    assert.equal(
      await h.client.workflow.executeUpdateWithStart<typeof wf.counter, number, [number]>(
        'addUpdate',
        { args: [1], startWorkflowOperation: second },
      ),
      11,
    )
    const handle = await first.workflowHandle()
    const [a, b] = await Promise.all([
      handle.describe(),
      (await second.workflowHandle()).describe(),
    ])
    assert.equal(a.runId, b.runId)
    await handle.signal('finish')
    assert.equal(await handle.result(), 11)
  })
})

test('update-with-start whose start fails reports the start error', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('uws-fail')
  await h.client.workflow.start('waitsLong', { taskQueue, workflowId })
  await assert.rejects(
    h.client.workflow.executeUpdateWithStart<typeof wf.counter, number, [number]>('addUpdate', {
      args: [1],
      startWorkflowOperation: new WithStartWorkflowOperation<typeof wf.counter>('counter', {
        taskQueue,
        workflowId,
        workflowIdConflictPolicy: 'FAIL',
      }),
    }),
    WorkflowExecutionAlreadyStartedError,
  )
  await h.client.workflow.getHandle(workflowId).terminate()
})
