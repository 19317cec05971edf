import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { EventType } from '../../src/common/proto.js'
import { startHarness, uid, type Harness } from './harness.js'
import type * as wf from './workflows.js'

let h: Harness
before(async () => {
  h = await startHarness()
})
after(async () => {
  await h.close()
})

test('sleep(2s) completes no earlier than 2 s, through TimerStarted and TimerFired', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('sleep')
  const startedAt = Date.now()
  const result = await h.withWorker(taskQueue, () =>
    h.client.workflow.execute<typeof wf.sleeper>('sleeper', {
      taskQueue,
      workflowId,
      args: [2000],
    }),
  )
  assert.equal(result, 'woke')
  assert.ok(Date.now() - startedAt >= 2000, `finished after ${Date.now() - startedAt} ms`)
  const { events } = await h.client.workflow.getHandle(workflowId).fetchHistory()
  const types = events!.map((e) => e.eventType)
  assert.ok(types.includes(EventType.EVENT_TYPE_TIMER_STARTED))
  assert.ok(types.includes(EventType.EVENT_TYPE_TIMER_FIRED))
})

test('a cancelled timer never fires', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('cancel-timer')
  const result = await h.withWorker(taskQueue, () =>
    h.client.workflow.execute<typeof wf.cancelledTimer>('cancelledTimer', {
      taskQueue,
      workflowId,
    }),
  )
  assert.equal(result, 'done')
  const { events } = await h.client.workflow.getHandle(workflowId).fetchHistory()
  const started = events!.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED)
  const canceled = events!.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_CANCELED)
  const fired = events!.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED)
  assert.equal(started.length, 3)
  assert.equal(canceled.length, 1)
  assert.equal(fired.length, 2)
  const firedIds = fired.map((e) => e.timerFiredEventAttributes?.timerId)
  assert.ok(
    !firedIds.includes(started[0]!.timerStartedEventAttributes?.timerId),
    'the 1h timer fired',
  )
  assert.equal(
    canceled[0]!.timerCanceledEventAttributes?.timerId,
    started[0]!.timerStartedEventAttributes?.timerId,
  )
})

test('a long history is paged to the worker and replays', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('long')
  const result = await h.withWorker(taskQueue, () =>
    h.client.workflow.execute<typeof wf.manySleeps>('manySleeps', {
      taskQueue,
      workflowId,
      args: [120],
    }),
  )
  assert.equal(result, 120)
  const { events } = await h.client.workflow.getHandle(workflowId).fetchHistory()
  assert.ok(events!.length > 600, `history has ${events!.length} events`)
})
