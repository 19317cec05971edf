/**
 * Sticky task queues: the SDK worker's cache gets partial histories on its sticky queue, another
 * worker takes over with the full history, and (with a raw poller) the sticky schedule-to-start
 * timeout, ResetStickyTaskQueue, ShutdownWorker and failures all move a run back to its normal
 * queue the way Temporal does.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { NativeConnection, Worker } from '@temporalio/worker'
import type { temporal } from '@temporalio/proto'
import { CommandType, EventType, TaskQueueKind, TimeoutType, long } from '../../src/common/proto.js'
import * as activities from './activities.js'
import { eventually, startHarness, uid, workflowBundle, type Harness } from './harness.js'
import { TaskPoller, eventTypes } from './task-poller.js'

type PollRequest = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueRequest
type PollResponse = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse

const polls: { req: PollRequest; res: PollResponse }[] = []
let h: Harness
before(async () => {
  h = await startHarness({
    longPollMs: 3000,
    observeCalls(rpc, req, res) {
      if (rpc === 'pollWorkflowTaskQueue' && (res as PollResponse).taskToken?.length) {
        polls.push({ req: req as PollRequest, res: res as PollResponse })
      }
    },
  })
})
after(async () => {
  await h.close()
})

const E = EventType
const STICKY = TaskQueueKind.TASK_QUEUE_KIND_STICKY
const NORMAL = TaskQueueKind.TASK_QUEUE_KIND_NORMAL
const complete = {
  commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
  completeWorkflowExecutionCommandAttributes: {},
}
const timer = (ms: number) => ({
  commandType: CommandType.COMMAND_TYPE_START_TIMER,
  startTimerCommandAttributes: { timerId: 't', startToFireTimeout: { nanos: ms * 1_000_000 } },
})

function pollsOf(workflowId: string) {
  return polls.filter((p) => p.res.workflowExecution?.workflowId === workflowId)
}

function firstEventId(res: PollResponse): number {
  return Number(res.history?.events?.[0]?.eventId ?? 0)
}

function stickyAttributes(poller: TaskPoller, name: string, scheduleToStartMs = 5000) {
  return {
    stickyAttributes: {
      workerTaskQueue: { name, kind: STICKY, normalName: poller.taskQueue },
      scheduleToStartTimeout: {
        nanos: (scheduleToStartMs % 1000) * 1e6,
        seconds: long(Math.floor(scheduleToStartMs / 1000)),
      },
    },
  }
}

/** Waits until matching has a poller on `name` (so a task dispatched now goes there). */
async function pollerWaitingOn(name: string): Promise<void> {
  await eventually(async () => {
    const d = await h.connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name, kind: STICKY },
    })
    assert.ok((d.pollers ?? []).length > 0)
  })
}

test('with the cache on, sticky polls get only the new events and the workflow completes', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('sticky-sdk')
  const result = await h.withWorker(taskQueue, () =>
    h.client.workflow.execute<(n: number, ms: number) => Promise<number>>('sleepSteps', {
      taskQueue,
      workflowId,
      args: [8, 20],
    }),
  )
  assert.equal(result, 8)
  const sticky = pollsOf(workflowId).filter((p) => p.req.taskQueue?.kind === STICKY)
  assert.ok(sticky.length >= 6, `only ${sticky.length} sticky polls`)
  for (const { res } of sticky) {
    assert.equal(firstEventId(res), Number(res.previousStartedEventId) + 1)
    assert.equal(Number(res.history!.events!.at(-1)!.eventId), Number(res.startedEventId))
    assert.equal(res.attempt, 1)
  }
  const events = await new TaskPoller(h.connection, taskQueue).history(workflowId)
  assert.ok(!eventTypes(events).includes(E.EVENT_TYPE_WORKFLOW_TASK_FAILED))
  const scheduled = events.filter((e) => e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
  assert.equal(scheduled[0]!.workflowTaskScheduledEventAttributes!.taskQueue!.kind, NORMAL)
  // Temporal names the sticky queue in the events of tasks dispatched to it.
  const later = scheduled.slice(1).map((e) => e.workflowTaskScheduledEventAttributes!.taskQueue!)
  assert.ok(later.every((tq) => tq.kind === STICKY && tq.normalName === taskQueue))
})

test('when the sticky worker shuts down, another worker finishes the run from the full history', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('takeover')
  const bundle = await workflowBundle()
  const connections: NativeConnection[] = []
  const newWorker = async (identity: string) => {
    const connection = await NativeConnection.connect({ address: h.server.address })
    connections.push(connection)
    return Worker.create({
      connection,
      taskQueue,
      identity,
      workflowBundle: bundle,
      activities,
      shutdownGraceTime: '1s',
    })
  }
  const first = await newWorker('worker-1')
  const running = first.run()
  const handle = await h.client.workflow.start('sleepSteps', {
    taskQueue,
    workflowId,
    args: [6, 250],
    workflowTaskTimeout: '2s',
  })
  await eventually(async () => {
    const events = await new TaskPoller(h.connection, taskQueue).history(workflowId)
    assert.ok(eventTypes(events).filter((t) => t === E.EVENT_TYPE_TIMER_FIRED).length >= 2)
  })
  first.shutdown()
  await running
  const started = Date.now()
  const second = await newWorker('worker-2')
  assert.equal(await second.runUntil(handle.result()), 6)
  assert.ok(Date.now() - started < 8000, 'the takeover took too long')
  for (const c of connections) await c.close()

  const taken = pollsOf(workflowId).filter((p) => p.req.identity === 'worker-2')
  assert.ok(taken.length > 0)
  assert.equal(taken[0]!.req.taskQueue?.name, taskQueue)
  assert.equal(firstEventId(taken[0]!.res), 1, 'the new worker needs the whole history')
  const events = await new TaskPoller(h.connection, taskQueue).history(workflowId)
  assert.ok(!eventTypes(events).includes(E.EVENT_TYPE_WORKFLOW_TASK_FAILED))
  // ShutdownWorker moved the run off the dead sticky queue; it did not wait for the sticky
  // schedule-to-start timeout. (A task the first worker's cancelled poll took while shutting down
  // may still time out start-to-close, as with Temporal when polls are cancelled by the worker.)
  const timeouts = events.map((e) => e.workflowTaskTimedOutEventAttributes?.timeoutType)
  assert.ok(!timeouts.includes(TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START))
})

test('a sticky poll gets the events after the last completed task, with the ids the worker expects', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('partial')
  const sticky = uid('sticky')
  await poller.startWorkflow(workflowId)
  const t1 = await poller.pollWorkflowTask()
  const stickyPoll = poller.pollWorkflowTask({
    name: sticky,
    kind: STICKY,
    normalName: poller.taskQueue,
  })
  await pollerWaitingOn(sticky)
  await poller.complete(t1, [timer(50)], stickyAttributes(poller, sticky))
  const t2 = await stickyPoll
  assert.equal(Number(t2.previousStartedEventId), 3)
  assert.equal(Number(t2.startedEventId), 8)
  assert.equal(t2.attempt, 1)
  assert.deepEqual(
    t2.history!.events!.map((e) => [Number(e.eventId), e.eventType]),
    [
      [4, E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED],
      [5, E.EVENT_TYPE_TIMER_STARTED],
      [6, E.EVENT_TYPE_TIMER_FIRED],
      [7, E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED],
      [8, E.EVENT_TYPE_WORKFLOW_TASK_STARTED],
    ],
  )
  const tq = t2.history!.events![3]!.workflowTaskScheduledEventAttributes!.taskQueue!
  assert.deepEqual([tq.name, tq.kind, tq.normalName], [sticky, STICKY, poller.taskQueue])
  assert.equal(t2.workflowExecutionTaskQueue?.name, poller.taskQueue)
  await poller.complete(t2, [complete])
})

test('a task the sticky worker does not take in time times out and goes to the normal queue', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('s2s')
  const sticky = uid('sticky')
  await poller.startWorkflow(workflowId)
  const t1 = await poller.pollWorkflowTask()
  // The sticky worker polled a moment ago (so it counts as alive) but is not polling now.
  await assert.rejects(
    h.connection.withDeadline(Date.now() + 200, () =>
      poller.poll({ name: sticky, kind: STICKY, normalName: poller.taskQueue }),
    ),
  )
  await poller.complete(t1, [timer(10)], stickyAttributes(poller, sticky, 1000))
  const started = Date.now()
  const t2 = await poller.pollWorkflowTask()
  assert.ok(Date.now() - started >= 900, 'the task left the sticky queue early')
  assert.equal(t2.attempt, 1)
  assert.equal(firstEventId(t2), 1)
  const events = t2.history!.events!
  assert.deepEqual(eventTypes(events).slice(-5), [
    E.EVENT_TYPE_TIMER_FIRED,
    E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    E.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
    E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    E.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  ])
  const timedOut = events.at(-3)!.workflowTaskTimedOutEventAttributes!
  assert.equal(timedOut.timeoutType, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START)
  assert.equal(Number(timedOut.startedEventId), 0)
  assert.equal(Number(timedOut.scheduledEventId), Number(events.at(-4)!.eventId))
  const next = events.at(-2)!.workflowTaskScheduledEventAttributes!
  assert.deepEqual(
    [next.taskQueue?.name, next.taskQueue?.kind, next.attempt],
    [poller.taskQueue, NORMAL, 1],
  )
  await poller.complete(t2, [complete])
})

test('ResetStickyTaskQueue sends the next task to the normal queue with the full history', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('reset-sticky')
  const sticky = uid('sticky')
  await poller.startWorkflow(workflowId)
  const t1 = await poller.pollWorkflowTask()
  const stickyPoll = poller.poll({ name: sticky, kind: STICKY, normalName: poller.taskQueue })
  await pollerWaitingOn(sticky)
  await poller.complete(t1, [], stickyAttributes(poller, sticky))
  await h.connection.workflowService.resetStickyTaskQueue({
    namespace: 'default',
    execution: { workflowId },
  })
  await signal(workflowId)
  const t2 = await poller.pollWorkflowTask()
  assert.equal(firstEventId(t2), 1)
  const scheduled = t2.history!.events!.at(-2)!.workflowTaskScheduledEventAttributes!
  assert.equal(scheduled.taskQueue?.kind, NORMAL)
  // ShutdownWorker ends the sticky worker's outstanding poll, empty.
  await h.connection.workflowService.shutdownWorker({
    namespace: 'default',
    stickyTaskQueue: sticky,
    identity: 'raw-poller',
  })
  assert.equal((await stickyPoll).taskToken?.length ?? 0, 0)
  await poller.complete(t2, [complete])
})

test('after ShutdownWorker the run goes to the normal queue at once, with the full history', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('shutdown-worker')
  const sticky = uid('sticky')
  await poller.startWorkflow(workflowId)
  const t1 = await poller.pollWorkflowTask()
  const stickyPoll = poller.poll({ name: sticky, kind: STICKY, normalName: poller.taskQueue })
  await pollerWaitingOn(sticky)
  await poller.complete(t1, [], stickyAttributes(poller, sticky, 10_000))
  await h.connection.workflowService.shutdownWorker({
    namespace: 'default',
    stickyTaskQueue: sticky,
    identity: 'raw-poller',
  })
  assert.equal((await stickyPoll).taskToken?.length ?? 0, 0)
  const started = Date.now()
  await signal(workflowId)
  const t2 = await poller.pollWorkflowTask()
  assert.ok(Date.now() - started < 2000)
  assert.equal(firstEventId(t2), 1)
  assert.ok(!eventTypes(t2.history!.events!).includes(E.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT))
  await poller.complete(t2, [complete])
})

test('a failed sticky task retries once on the normal queue as a fresh attempt', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('sticky-fail')
  const sticky = uid('sticky')
  const stickyQueue = { name: sticky, kind: STICKY, normalName: poller.taskQueue }
  await poller.startWorkflow(workflowId)
  const t1 = await poller.pollWorkflowTask()
  const stickyPoll = poller.pollWorkflowTask(stickyQueue)
  await pollerWaitingOn(sticky)
  await poller.complete(t1, [], stickyAttributes(poller, sticky))
  await signal(workflowId)
  const t2 = await stickyPoll
  assert.equal(firstEventId(t2), 4)
  await poller.fail(t2, 'cache trouble')
  const t3 = await poller.pollWorkflowTask()
  assert.equal(t3.attempt, 1)
  assert.equal(firstEventId(t3), 1)
  assert.deepEqual(eventTypes(t3.history!.events!).slice(-4), [
    E.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    E.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    E.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  ])
  const scheduled = t3.history!.events!.at(-2)!.workflowTaskScheduledEventAttributes!
  assert.deepEqual([scheduled.taskQueue?.kind, scheduled.attempt], [NORMAL, 1])
  await poller.complete(t3, [complete])
})

function signal(workflowId: string) {
  return h.connection.workflowService.signalWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId },
    signalName: 'poke',
  })
}
