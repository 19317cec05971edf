/** Child workflows and requests to other workflows. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { EventType } from '../../src/common/proto.js'
import { eventually, startHarness, uid, type Harness } from './harness.js'
import { eventTypes } from './task-poller.js'
import type * as wf from './workflows.js'

let h: Harness
before(async () => {
  h = await startHarness()
})
after(async () => {
  await h.close()
})

test('a parent gets its child’s result through the child events', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('parent')
  const result = await h.withWorker(taskQueue, () =>
    h.client.workflow.execute<typeof wf.parentOfOne>('parentOfOne', {
      taskQueue,
      workflowId,
      args: ['kid'],
    }),
  )
  assert.equal(result, 'Hello, kid!')
  const { events } = await h.client.workflow.getHandle(workflowId).fetchHistory()
  const types = eventTypes(events!)
  assert.ok(types.includes(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED))
  assert.ok(types.includes(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED))
  assert.ok(types.includes(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED))
  const child = await h.client.workflow.getHandle(`${workflowId}-child`).describe()
  assert.equal(child.status.name, 'COMPLETED')
  const parentRunId = (await h.client.workflow.getHandle(workflowId).describe()).runId
  assert.deepEqual(
    { ...child.raw.workflowExecutionInfo?.parentExecution },
    { workflowId, runId: parentRunId },
  )
  assert.equal(child.raw.workflowExecutionInfo?.rootExecution?.workflowId, workflowId)
})

test('a running parent describes its pending child', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('parent-pending')
  await h.withWorker(taskQueue, async () => {
    const parent = await h.client.workflow.start<typeof wf.parentOfLongChild>('parentOfLongChild', {
      taskQueue,
      workflowId,
    })
    const pending = await eventually(async () => {
      const d = await parent.describe()
      const [child] = d.raw.pendingChildren ?? []
      assert.ok(child?.runId, 'the child has started')
      return child
    })
    assert.equal(pending.workflowId, `${workflowId}-child`)
    assert.equal(pending.workflowTypeName, 'waitsLong')
    assert.ok(Number(pending.initiatedId) > 0)
    await parent.terminate()
  })
})

test('a child’s failure reaches the parent as ChildWorkflowFailure', async () => {
  const taskQueue = uid('tq')
  const result = await h.withWorker(taskQueue, () =>
    h.client.workflow.execute<typeof wf.parentOfFailing>('parentOfFailing', {
      taskQueue,
      workflowId: uid('parent-f'),
    }),
  )
  assert.equal(result, 'ChildWorkflowFailure: workflow failed on purpose')
})

for (const policy of ['TERMINATE', 'REQUEST_CANCEL', 'ABANDON'] as const) {
  test(`parent-close policy ${policy}`, async () => {
    const taskQueue = uid('tq')
    const childId = await h.withWorker(taskQueue, async () => {
      const id = await h.client.workflow.execute<typeof wf.parentThatLeaves>('parentThatLeaves', {
        taskQueue,
        workflowId: uid(`parent-${policy}`),
        args: [policy],
      })
      const expected = { TERMINATE: 'TERMINATED', REQUEST_CANCEL: 'CANCELLED', ABANDON: 'RUNNING' }[
        policy
      ]
      await eventually(async () => {
        const d = await h.client.workflow.getHandle(id).describe()
        assert.equal(d.status.name, expected)
      })
      return id
    })
    if (policy === 'ABANDON') await h.client.workflow.getHandle(childId).terminate()
  })
}

test('starting a child with the id of a running workflow fails as in Temporal', async () => {
  const taskQueue = uid('tq')
  const takenId = uid('taken')
  await h.client.workflow.start('waitsLong', { taskQueue, workflowId: takenId })
  const result = await h.withWorker(taskQueue, () =>
    h.client.workflow.execute<typeof wf.parentWithTakenId>('parentWithTakenId', {
      taskQueue,
      workflowId: uid('parent-taken'),
      args: [takenId],
    }),
  )
  assert.equal(result, 'WorkflowExecutionAlreadyStartedError')
  await h.client.workflow.getHandle(takenId).terminate()
})

test('signal external: delivered to the target, failure for a missing one', async () => {
  const taskQueue = uid('tq')
  const targetId = uid('target')
  const [messengerResult, collected] = await h.withWorker(taskQueue, async () => {
    const target = await h.client.workflow.start<typeof wf.collector>('collector', {
      taskQueue,
      workflowId: targetId,
    })
    const m = await h.client.workflow.execute<typeof wf.messenger>('messenger', {
      taskQueue,
      workflowId: uid('messenger'),
      args: [targetId],
    })
    return [m, await target.result()] as const
  })
  // sdk-core turns SignalExternalWorkflowExecutionFailed into an ApplicationFailure.
  assert.equal(messengerResult, 'missing: ApplicationFailure')
  assert.deepEqual(collected, [42])
})
