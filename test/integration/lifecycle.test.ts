import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
} from '@temporalio/client'
import { CancelledFailure, TerminatedFailure } from '@temporalio/common'
import { EventType } from '../../src/common/proto.js'
import { cancelled } from './activities.js'
import type * as wf from './workflows.js'
import { eventually, startHarness, uid, type Harness } from './harness.js'

let h: Harness
before(async () => {
  h = await startHarness()
})
after(async () => {
  await h.close()
})

describe('workflow id policies', () => {
  test('a duplicate id of a running workflow raises WorkflowExecutionAlreadyStartedError', async () => {
    const taskQueue = uid('tq')
    const workflowId = uid('dup')
    await h.client.workflow.start('waitsLong', { taskQueue, workflowId })
    await assert.rejects(
      h.client.workflow.start('waitsLong', { taskQueue, workflowId }),
      WorkflowExecutionAlreadyStartedError,
    )
    await h.client.workflow.getHandle(workflowId).terminate()
  })

  test('conflict policy USE_EXISTING returns the running run, TERMINATE_EXISTING replaces it', async () => {
    const taskQueue = uid('tq')
    const workflowId = uid('conflict')
    const first = await h.client.workflow.start('waitsLong', { taskQueue, workflowId })
    const same = await h.client.workflow.start('waitsLong', {
      taskQueue,
      workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
    })
    assert.equal(same.firstExecutionRunId, first.firstExecutionRunId)
    const replaced = await h.client.workflow.start('waitsLong', {
      taskQueue,
      workflowId,
      workflowIdConflictPolicy: 'TERMINATE_EXISTING',
    })
    assert.notEqual(replaced.firstExecutionRunId, first.firstExecutionRunId)
    const old = await h.client.workflow.getHandle(workflowId, first.firstExecutionRunId).describe()
    assert.equal(old.status.name, 'TERMINATED')
    const current = await h.client.workflow.getHandle(workflowId).describe()
    assert.equal(current.runId, replaced.firstExecutionRunId)
    assert.equal(current.status.name, 'RUNNING')
    await replaced.terminate()
  })

  test('reuse policies after a run closed', async () => {
    const taskQueue = uid('tq')
    await h.withWorker(taskQueue, async () => {
      const ok = uid('reuse-ok')
      await h.client.workflow.execute<typeof wf.sleeper>('sleeper', {
        taskQueue,
        workflowId: ok,
        args: [1],
      })
      await assert.rejects(
        h.client.workflow.start('sleeper', {
          taskQueue,
          workflowId: ok,
          args: [1],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
        WorkflowExecutionAlreadyStartedError,
      )
      await assert.rejects(
        h.client.workflow.start('sleeper', {
          taskQueue,
          workflowId: ok,
          args: [1],
          workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        }),
        WorkflowExecutionAlreadyStartedError,
      )
      const again = await h.client.workflow.execute<typeof wf.sleeper>('sleeper', {
        taskQueue,
        workflowId: ok,
        args: [1],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      })
      assert.equal(again, 'woke')

      const failed = uid('reuse-failed')
      await assert.rejects(
        h.client.workflow.execute('failing', { taskQueue, workflowId: failed }),
        WorkflowFailedError,
      )
      const retried = await h.client.workflow.execute<typeof wf.sleeper>('sleeper', {
        taskQueue,
        workflowId: failed,
        args: [1],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      })
      assert.equal(retried, 'woke')
    })
  })

  test('a repeated request id returns the same run', async () => {
    const req = {
      namespace: 'default',
      workflowId: uid('reqid'),
      workflowType: { name: 'waitsLong' },
      taskQueue: { name: uid('tq') },
      requestId: uid('request'),
    }
    const a = await h.connection.workflowService.startWorkflowExecution(req)
    const b = await h.connection.workflowService.startWorkflowExecution(req)
    assert.equal(a.runId, b.runId)
    await h.client.workflow.getHandle(req.workflowId).terminate()
  })
})

describe('cancel and terminate', () => {
  test('cancel reaches the workflow as CancelledFailure and cancels its running activity', async () => {
    const taskQueue = uid('tq')
    const workflowId = uid('cancel')
    await h.withWorker(taskQueue, async () => {
      const handle = await h.client.workflow.start('cancellable', {
        taskQueue,
        workflowId,
        args: [workflowId],
      })
      await eventually(async () => {
        const d = await handle.describe()
        assert.equal(d.raw.pendingActivities?.[0]?.state, 2, 'activity not started yet')
      })
      await handle.cancel()
      const err = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      )
      assert.ok(err instanceof WorkflowFailedError, String(err))
      assert.ok(err.cause instanceof CancelledFailure, String(err.cause))
      await eventually(() => Promise.resolve(assert.ok(cancelled.has(workflowId))))
    })
    const { events } = await h.client.workflow.getHandle(workflowId).fetchHistory()
    const types = events!.map((e) => e.eventType)
    assert.ok(types.includes(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED))
    assert.ok(types.includes(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED))
    assert.ok(types.includes(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED))
    assert.equal(types.at(-1), EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED)
  })

  test('terminate closes the workflow at once', async () => {
    const taskQueue = uid('tq')
    const workflowId = uid('terminate')
    await h.withWorker(taskQueue, async () => {
      const handle = await h.client.workflow.start('waitsLong', { taskQueue, workflowId })
      await eventually(async () => {
        const { events } = await handle.fetchHistory()
        assert.ok(events!.some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED))
      })
      await handle.terminate('enough')
      const err = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      )
      assert.ok(err instanceof WorkflowFailedError)
      assert.ok(err.cause instanceof TerminatedFailure)
      const d = await handle.describe()
      assert.equal(d.status.name, 'TERMINATED')
    })
  })
})

test('delete removes a workflow from describe and history', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('delete')
  const handle = await h.client.workflow.start('waitsLong', { taskQueue, workflowId })
  await h.connection.workflowService.deleteWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId, runId: handle.firstExecutionRunId },
  })
  await assert.rejects(handle.describe(), WorkflowNotFoundError)
  await assert.rejects(handle.fetchHistory(), (e: unknown) => /not found/i.test(String(e)))
})
