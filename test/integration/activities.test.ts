import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { WorkflowFailedError } from '@temporalio/client'
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  TimeoutType,
} from '@temporalio/common'
import { startHarness, uid, type Harness, eventually } from './harness.js'
import type * as wf from './workflows.js'

let h: Harness
before(async () => {
  h = await startHarness()
})
after(async () => {
  await h.close()
})

async function failureOf(taskQueue: string, run: () => Promise<unknown>): Promise<unknown> {
  return h.withWorker(taskQueue, () =>
    run().then(
      () => undefined,
      (e: unknown) => e,
    ),
  )
}

test('a start-to-close timeout reaches the client as TimeoutFailure START_TO_CLOSE', async () => {
  const taskQueue = uid('tq')
  const err = await failureOf(taskQueue, () =>
    h.client.workflow.execute('startToCloseTimeout', { taskQueue, workflowId: uid('stc') }),
  )
  assert.ok(err instanceof WorkflowFailedError)
  assert.ok(err.cause instanceof ActivityFailure)
  assert.ok(err.cause.cause instanceof TimeoutFailure, String(err.cause.cause))
  assert.equal(err.cause.cause.timeoutType, TimeoutType.START_TO_CLOSE)
  assert.equal(err.cause.cause.message, 'activity StartToClose timeout')
})

test('a heartbeat timeout reaches the client as TimeoutFailure HEARTBEAT', async () => {
  const taskQueue = uid('tq')
  const err = await failureOf(taskQueue, () =>
    h.client.workflow.execute('heartbeatTimeoutFinal', {
      taskQueue,
      workflowId: uid('hb'),
      args: ['x'],
    }),
  )
  assert.ok(err instanceof WorkflowFailedError)
  assert.ok(err.cause instanceof ActivityFailure)
  assert.ok(err.cause.cause instanceof TimeoutFailure, String(err.cause.cause))
  assert.equal(err.cause.cause.timeoutType, TimeoutType.HEARTBEAT)
})

test('heartbeat details of a timed-out attempt are visible to the next attempt', async () => {
  const taskQueue = uid('tq')
  const result = await h.withWorker(taskQueue, () =>
    h.client.workflow.execute<typeof wf.heartbeatTimeout>('heartbeatTimeout', {
      taskQueue,
      workflowId: uid('hb'),
      args: ['k1'],
    }),
  )
  assert.equal(result, 'attempt 2 saw progress-k1')
})

test('describe shows a pending activity with its attempt and last failure', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('describe')
  await h.withWorker(taskQueue, async () => {
    const handle = await h.client.workflow.start('retriesForever', { taskQueue, workflowId })
    const pending = await eventually(async () => {
      const d = await handle.describe()
      const a = d.raw.pendingActivities?.[0]
      assert.ok(a && (a.attempt ?? 0) >= 2, 'not retried yet')
      return { a, d }
    })
    assert.equal(pending.a.activityType?.name, 'alwaysFails')
    assert.equal(pending.a.lastFailure?.message, 'always fails')
    assert.ok(Number(pending.d.raw.workflowExecutionInfo?.historyLength) >= 5)
    assert.ok(Number(pending.d.raw.workflowExecutionInfo?.stateTransitionCount) > 1)
    // Caught between attempts (the backoff is 100 ms; an attempt fails at once): when the next
    // attempt runs, the wait before it, and when the last one ended, as Temporal reports them.
    const waiting = await eventually(async () => {
      const a = (await handle.describe()).raw.pendingActivities?.[0]
      assert.ok(a?.nextAttemptScheduleTime, 'not in backoff now')
      return a
    })
    assert.equal(Number(waiting.currentRetryInterval?.nanos ?? 0) / 1e6, 100)
    assert.ok(waiting.lastAttemptCompleteTime)
    await handle.terminate('done looking')
  })
})

test('an activity completed by id from outside the worker (async completion)', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('async')
  const result = await h.withWorker(taskQueue, async () => {
    const handle = await h.client.workflow.start<typeof wf.asyncCompletion>('asyncCompletion', {
      taskQueue,
      workflowId,
    })
    await eventually(async () => {
      const d = await handle.describe()
      assert.equal(d.raw.pendingActivities?.[0]?.state, 2, 'activity not started yet')
    })
    await h.client.activity.heartbeat({ workflowId, activityId: '1' }, 'halfway')
    await h.client.activity.complete({ workflowId, activityId: '1' }, 'done elsewhere')
    return handle.result()
  })
  assert.equal(result, 'done elsewhere')
})

test('async completion by id can also fail an activity', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('async-fail')
  const err = await h.withWorker(taskQueue, async () => {
    const handle = await h.client.workflow.start<typeof wf.asyncCompletion>('asyncCompletion', {
      taskQueue,
      workflowId,
      retry: { maximumAttempts: 1 },
    })
    await eventually(async () => {
      const d = await handle.describe()
      assert.equal(d.raw.pendingActivities?.[0]?.state, 2, 'activity not started yet')
    })
    await h.client.activity.fail(
      { workflowId, activityId: '1' },
      ApplicationFailure.nonRetryable('failed elsewhere', 'Elsewhere'),
    )
    return handle.result().then(
      () => undefined,
      (e: unknown) => e,
    )
  })
  assert.ok(err instanceof WorkflowFailedError)
  assert.ok(err.cause instanceof ActivityFailure)
  assert.equal((err.cause.cause as ApplicationFailure).type, 'Elsewhere')
})
