/** Workflow-task semantics at the command level, driven by a raw gRPC poller. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { status } from '@grpc/grpc-js'
import {
  CommandType,
  EventType,
  WorkflowTaskFailedCause,
  long,
  type pb,
} from '../../src/common/proto.js'
import { startHarness, uid, type Harness } from './harness.js'
import { TaskPoller, eventTypes } from './task-poller.js'

let h: Harness
before(async () => {
  h = await startHarness({ longPollMs: 3000 })
})
after(async () => {
  await h.close()
})

const E = EventType
const complete = {
  commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
  completeWorkflowExecutionCommandAttributes: {},
}

test('failed workflow tasks retry as transient attempts that write no events until one completes', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('transient')
  await poller.startWorkflow(workflowId)

  const t1 = await poller.pollWorkflowTask()
  assert.equal(t1.attempt, 1)
  await poller.fail(t1, 'boom 1')

  const t2 = await poller.pollWorkflowTask()
  assert.equal(t2.attempt, 2)
  assert.deepEqual(eventTypes(t2.history!.events!), [
    E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
    E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    E.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    E.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    E.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  ])
  assert.equal(Number(t2.startedEventId), 6)
  await poller.fail(t2, 'boom 2')
  assert.equal((await poller.history(workflowId)).length, 4, 'transient failure wrote events')

  const t3 = await poller.pollWorkflowTask()
  assert.equal(t3.attempt, 3)
  assert.equal(Number(t3.startedEventId), 6)
  await poller.complete(t3, [complete])
  const events = await poller.history(workflowId)
  assert.deepEqual(eventTypes(events), [
    E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
    E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    E.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    E.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    E.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  ])
  assert.equal(events[4]!.workflowTaskScheduledEventAttributes?.attempt, 3)
  assert.deepEqual(
    events.map((e) => Number(e.eventId)),
    [1, 2, 3, 4, 5, 6, 7, 8],
  )
})

test('an invalid command fails the task with its cause and the RPC says InvalidArgument', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('bad-command')
  await poller.startWorkflow(workflowId)
  const t1 = await poller.pollWorkflowTask()
  await assert.rejects(
    poller.complete(t1, [
      {
        commandType: CommandType.COMMAND_TYPE_START_TIMER,
        startTimerCommandAttributes: { timerId: '' },
      },
    ]),
    (e: unknown) => (e as { code?: number }).code === status.INVALID_ARGUMENT,
  )
  const events = await poller.history(workflowId)
  assert.deepEqual(eventTypes(events).slice(-1), [E.EVENT_TYPE_WORKFLOW_TASK_FAILED])
  assert.equal(
    events.at(-1)!.workflowTaskFailedEventAttributes?.cause,
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES,
  )
  const t2 = await poller.pollWorkflowTask()
  assert.equal(t2.attempt, 2)
  await poller.complete(t2, [complete])
})

test('a stale task token is refused with NotFound', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('stale')
  await poller.startWorkflow(workflowId)
  const t1 = await poller.pollWorkflowTask()
  await poller.fail(t1, 'boom')
  await assert.rejects(
    poller.complete(t1, [complete]),
    (e: unknown) => (e as { code?: number }).code === status.NOT_FOUND,
  )
  const t2 = await poller.pollWorkflowTask()
  await poller.complete(t2, [complete])
})

test('an abandoned workflow task times out and is retried', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('wt-timeout')
  await poller.startWorkflow(workflowId, { workflowTaskTimeout: { seconds: long(1) } })
  const t1 = await poller.pollWorkflowTask()
  const started = Date.now()
  const t2 = await poller.pollWorkflowTask()
  assert.ok(Date.now() - started >= 900)
  assert.equal(t2.attempt, 2)
  assert.equal(t2.history!.events!.at(-3)!.eventType, E.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT)
  await assert.rejects(poller.complete(t1, [complete]))
  await poller.complete(t2, [complete])
})

test('a workflow run timeout closes the run as TimedOut', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('run-timeout')
  await poller.startWorkflow(workflowId, { workflowRunTimeout: { seconds: long(1) } })
  const res = await h.connection.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId },
    waitNewEvent: true,
    historyEventFilterType: 2, // close event
  })
  assert.equal(res.history?.events?.[0]?.eventType, E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT)
  const d = await h.client.workflow.getHandle(workflowId).describe()
  assert.equal(d.status.name, 'TIMED_OUT')
})

test('history pages: small pages cover every event exactly once, in order', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('paging')
  await poller.startWorkflow(workflowId)
  for (let i = 0; i < 20; i++) {
    const t = await poller.pollWorkflowTask()
    const commands: pb.Command[] = [
      {
        commandType: CommandType.COMMAND_TYPE_RECORD_MARKER,
        recordMarkerCommandAttributes: { markerName: `m${i}` },
      },
    ]
    if (i < 19) {
      commands.push({
        commandType: CommandType.COMMAND_TYPE_START_TIMER,
        startTimerCommandAttributes: { timerId: `t${i}`, startToFireTimeout: { nanos: 1_000_000 } },
      })
    } else {
      commands.push(complete)
    }
    await poller.complete(t, commands)
  }
  const ids: number[] = []
  let nextPageToken: Uint8Array | undefined
  let pages = 0
  do {
    const res = await h.connection.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId },
      maximumPageSize: 3,
      nextPageToken,
    })
    ids.push(...(res.history?.events ?? []).map((e) => Number(e.eventId)))
    nextPageToken = res.nextPageToken?.length ? res.nextPageToken : undefined
    pages++
  } while (nextPageToken)
  assert.ok(pages > 5)
  assert.deepEqual(
    ids,
    Array.from({ length: ids.length }, (_, i) => i + 1),
  )
  assert.equal((await poller.history(workflowId)).length, ids.length)
})

test('a task failing for non-determinism is retried with growing attempts until the worker is fixed', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('nondeterminism')
  await poller.startWorkflow(workflowId)
  for (let attempt = 1; attempt <= 4; attempt++) {
    const t = await poller.pollWorkflowTask()
    assert.equal(t.attempt, attempt)
    await h.connection.workflowService.respondWorkflowTaskFailed({
      namespace: 'default',
      taskToken: t.taskToken,
      cause: WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR,
      failure: { message: 'nondeterminism' },
      identity: 'raw-poller',
    })
  }
  const fixed = await poller.pollWorkflowTask()
  assert.equal(fixed.attempt, 5)
  await poller.complete(fixed, [complete])
  const types = eventTypes(await poller.history(workflowId))
  assert.equal(types.filter((t) => t === E.EVENT_TYPE_WORKFLOW_TASK_FAILED).length, 1)
  assert.equal(types.at(-1), E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
})
