import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { status } from '@grpc/grpc-js'
import { CommandType, EventType, WorkflowTaskFailedCause } from '../../src/common/proto.js'
import { startHarness, uid, type Harness } from './harness.js'
import { TaskPoller, eventTypes } from './task-poller.js'
import type * as wf from './workflows.js'

let h: Harness
before(async () => {
  h = await startHarness({ longPollMs: 3000 })
})
after(async () => {
  await h.close()
})

test('a workflow waiting on condition() wakes on a signal', async () => {
  const taskQueue = uid('tq')
  const result = await h.withWorker(taskQueue, async () => {
    const handle = await h.client.workflow.start<typeof wf.collector>('collector', {
      taskQueue,
      workflowId: uid('collector'),
    })
    await handle.signal<[number]>('add', 1)
    await handle.signal<[number]>('add', 2)
    await handle.signal('done')
    return handle.result()
  })
  assert.deepEqual(result, [1, 2])
})

test('signal-with-start creates the workflow, then signals the running one', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('sws')
  const result = await h.withWorker(taskQueue, async () => {
    const first = await h.client.workflow.signalWithStart<typeof wf.collector, [number]>(
      'collector',
      { taskQueue, workflowId, signal: 'add', signalArgs: [7] },
    )
    const second = await h.client.workflow.signalWithStart<typeof wf.collector, [number]>(
      'collector',
      { taskQueue, workflowId, signal: 'add', signalArgs: [8] },
    )
    assert.equal(second.signaledRunId, first.signaledRunId)
    await first.signal('done')
    return first.result()
  })
  assert.deepEqual(result, [7, 8])
  const { events } = await h.client.workflow.getHandle(workflowId).fetchHistory()
  assert.deepEqual(eventTypes(events!).slice(0, 3), [
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  ])
})

test('100 signals sent while the workflow is busy are delivered once, in order', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('many-signals')
  const result = await h.withWorker(taskQueue, async () => {
    const handle = await h.client.workflow.start<typeof wf.collector>('collector', {
      taskQueue,
      workflowId,
    })
    for (let i = 0; i < 100; i++) await handle.signal<[number]>('add', i)
    await handle.signal('done')
    return handle.result()
  })
  assert.deepEqual(
    result,
    Array.from({ length: 100 }, (_, i) => i),
  )
})

test('a repeated signal request id is applied once', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('signal-dedupe')
  await poller.startWorkflow(workflowId)
  const signal = {
    namespace: 'default',
    workflowExecution: { workflowId },
    signalName: 's',
    requestId: uid('req'),
  }
  await h.connection.workflowService.signalWorkflowExecution(signal)
  await h.connection.workflowService.signalWorkflowExecution(signal)
  const signals = (await poller.history(workflowId)).filter(
    (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  )
  assert.equal(signals.length, 1)
  await h.client.workflow.getHandle(workflowId).terminate()
})

test('completing while a signal is buffered fails the task with UNHANDLED_COMMAND', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('unhandled')
  await poller.startWorkflow(workflowId)
  const t1 = await poller.pollWorkflowTask()
  await h.connection.workflowService.signalWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId },
    signalName: 'late',
  })
  await assert.rejects(
    poller.complete(t1, [
      {
        commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
        completeWorkflowExecutionCommandAttributes: {},
      },
    ]),
    (e: unknown) => (e as { code?: number }).code === status.INVALID_ARGUMENT,
  )
  const events = await poller.history(workflowId)
  const failed = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
  assert.equal(
    failed?.workflowTaskFailedEventAttributes?.cause,
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
  )
  // The signal is written before the next task, which therefore cannot be transient: a real
  // attempt-1 task (AddWorkflowTaskScheduledEventAsHeartbeat in workflow_task_state_machine.go).
  assert.deepEqual(
    events.slice(-2).map((e) => e.eventType),
    [
      EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    ],
  )
  assert.equal(events.at(-1)?.workflowTaskScheduledEventAttributes?.attempt, 1)
  const t2 = await poller.pollWorkflowTask()
  assert.ok(
    t2.history!.events!.some(
      (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    ),
  )
  await poller.complete(t2, [
    {
      commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
      completeWorkflowExecutionCommandAttributes: {},
    },
  ])
})

test('signalling a closed or unknown workflow is NotFound', async () => {
  await assert.rejects(
    h.connection.workflowService.signalWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: uid('nobody') },
      signalName: 's',
    }),
    (e: unknown) => (e as { code?: number }).code === status.NOT_FOUND,
  )
})
