/** ResetWorkflowExecution: a new run from a prefix of the base run's history. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Worker } from '@temporalio/worker'
import { EventType, WorkflowTaskFailedCause, long } from '../../src/common/proto.js'
import { eventually, startHarness, uid, workflowBundle, type Harness } from './harness.js'
import { eventTypes } from './task-poller.js'
import type * as wf from './workflows.js'

let h: Harness
before(async () => {
  h = await startHarness()
})
after(async () => {
  await h.close()
})

test('reset to the first workflow task re-runs the workflow', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('reset')
  await h.withWorker(taskQueue, async () => {
    const first = await h.client.workflow.execute<typeof wf.greeting>('greeting', {
      taskQueue,
      workflowId,
      args: ['again'],
    })
    assert.equal(first, 'Hello, again!')
    const base = await h.client.workflow.getHandle(workflowId).describe()
    const { runId } = await h.connection.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId, runId: base.runId },
      reason: 'try again',
      workflowTaskFinishEventId: long(4),
      requestId: uid('reset-req'),
    })
    assert.ok(runId && runId !== base.runId)
    const result = await h.client.workflow.getHandle<typeof wf.greeting>(workflowId, runId).result()
    assert.equal(result, 'Hello, again!')
    const current = await h.client.workflow.getHandle(workflowId).describe()
    assert.equal(current.runId, runId)
    const { events } = await h.client.workflow.getHandle(workflowId, runId).fetchHistory()
    assert.deepEqual(eventTypes(events!).slice(0, 5), [
      EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    ])
    const failed = events![3]!.workflowTaskFailedEventAttributes!
    assert.equal(failed.cause, WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW)
    assert.equal(failed.baseRunId, base.runId)
    assert.equal(failed.newRunId, runId)
    for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, [
      { workflowId, history: { events } },
    ])) {
      assert.equal(r.error, undefined, String(r.error))
    }
  })
})

test('reset of a running workflow terminates it and reapplies its signals', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('reset-running')
  await h.withWorker(taskQueue, async () => {
    const handle = await h.client.workflow.start<typeof wf.collector>('collector', {
      taskQueue,
      workflowId,
    })
    // The signals come after the first task has completed, so that they lie after the reset
    // point and must be reapplied (signals that came before would be part of the kept prefix).
    const firstCompleted = await eventually(async () => {
      const { events } = await handle.fetchHistory()
      const found = events!.find(
        (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
      )
      assert.ok(found, 'the first workflow task has not completed yet')
      return found
    })
    await handle.signal<[number]>('add', 1)
    await handle.signal<[number]>('add', 2)
    await eventually(async () => {
      const { events } = await handle.fetchHistory()
      const signals = events!.filter(
        (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
      )
      assert.equal(signals.length, 2)
      assert.equal((await handle.describe()).raw.pendingWorkflowTask, null)
    })
    const { runId } = await h.connection.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId, runId: handle.firstExecutionRunId },
      reason: 'reset while running',
      workflowTaskFinishEventId: firstCompleted.eventId,
      requestId: uid('reset-req'),
    })
    const old = await h.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).describe()
    assert.equal(old.status.name, 'TERMINATED')
    const fresh = h.client.workflow.getHandle<typeof wf.collector>(workflowId, runId)
    await fresh.signal('done')
    assert.deepEqual(await fresh.result(), [1, 2])
  })
})
