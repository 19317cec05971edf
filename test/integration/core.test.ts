import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { WorkflowFailedError } from '@temporalio/client'
import { ActivityFailure, ApplicationFailure } from '@temporalio/common'
import { startHarness, uid, type Harness } from './harness.js'
import type * as wf from './workflows.js'

let h: Harness
before(async () => {
  h = await startHarness()
})
after(async () => {
  await h.close()
})

describe('a workflow with one activity', () => {
  test('returns the result and writes Temporal’s 11 events', async () => {
    const taskQueue = uid('tq')
    const workflowId = uid('greeting')
    const result = await h.withWorker(taskQueue, () =>
      h.client.workflow.execute<typeof wf.greeting>('greeting', {
        taskQueue,
        workflowId,
        args: ['Sundial'],
      }),
    )
    assert.equal(result, 'Hello, Sundial!')
    const history = await h.client.workflow.getHandle(workflowId).fetchHistory()
    const types = history.events!.map((e) => e.eventType)
    assert.deepEqual(
      types.map((t) => String(t)),
      [1, 5, 6, 7, 10, 11, 12, 5, 6, 7, 2].map(String),
    )
    assert.deepEqual(
      history.events!.map((e) => Number(e.eventId)),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    )
  })
})

describe('activity retries', () => {
  test('fails twice then succeeds on attempt 3', async () => {
    const taskQueue = uid('tq')
    const result = await h.withWorker(taskQueue, () =>
      h.client.workflow.execute<typeof wf.retrying>('retrying', {
        taskQueue,
        workflowId: uid('retry'),
        args: [uid('k')],
      }),
    )
    assert.equal(result, 'succeeded on attempt 3')
  })

  test('a non-retryable failure fails the workflow with an ActivityFailure cause', async () => {
    const taskQueue = uid('tq')
    const err = await h.withWorker(taskQueue, () =>
      h.client.workflow.execute('nonRetryable', { taskQueue, workflowId: uid('nonretry') }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    )
    assert.ok(err instanceof WorkflowFailedError, String(err))
    assert.ok(err.cause instanceof ActivityFailure, String(err.cause))
    assert.ok(err.cause.cause instanceof ApplicationFailure)
    assert.equal(err.cause.cause.type, 'BadInput')
  })
})

describe('markers, timeouts and task queues', () => {
  test('local activities and patches record markers the worker replays', async () => {
    const taskQueue = uid('tq')
    const workflowId = uid('markers')
    const result = await h.withWorker(taskQueue, () =>
      h.client.workflow.execute<typeof wf.markers>('markers', {
        taskQueue,
        workflowId,
        args: ['local'],
      }),
    )
    assert.equal(result, 'Hello, local! (patched)')
    const { events } = await h.client.workflow.getHandle(workflowId).fetchHistory()
    const markers = events!.filter((e) => e.markerRecordedEventAttributes)
    assert.equal(markers.length, 2)
  })

  test('a schedule-to-start timeout is not retried and reaches the workflow', async () => {
    const taskQueue = uid('tq')
    const result = await h.withWorker(taskQueue, () =>
      h.client.workflow.execute<typeof wf.scheduleToStartTimeout>('scheduleToStartTimeout', {
        taskQueue,
        workflowId: uid('s2s'),
      }),
    )
    assert.equal(result, 'failed: TimeoutFailure SCHEDULE_TO_START')
  })

  test('DescribeTaskQueue lists the worker polling the queue', async () => {
    const taskQueue = uid('tq')
    await h.withWorker(taskQueue, async () => {
      await h.client.workflow.execute('greeting', { taskQueue, workflowId: uid('g'), args: ['x'] })
      const res = await h.connection.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue },
        taskQueueType: 1,
      })
      assert.ok((res.pollers ?? []).length >= 1)
      assert.ok(res.pollers[0]!.identity)
    })
  })
})

test('memo upserts (ModifyWorkflowProperties) change what describe shows', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('memo')
  await h.withWorker(taskQueue, () =>
    h.client.workflow.execute('memoUpdater', {
      taskQueue,
      workflowId,
      memo: { step: 'one', gone: 'soon' },
    }),
  )
  const d = await h.client.workflow.getHandle(workflowId).describe()
  assert.deepEqual(d.memo, { step: 'two' })
})
