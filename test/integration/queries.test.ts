/**
 * Queries: answered by the SDK worker from a running or closed workflow (query tasks, on the
 * sticky queue when the run is cached), riding on a workflow task when one is scheduled or
 * running, failures and rejections as the client expects them, and the deadline.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { status } from '@grpc/grpc-js'
import { Client, QueryNotRegisteredError, QueryRejectedError } from '@temporalio/client'
import type { temporal } from '@temporalio/proto'
import {
  EventType,
  QueryRejectCondition,
  QueryResultType,
  TaskQueueKind,
  WorkflowExecutionStatus,
  root,
} from '../../src/common/proto.js'
import { eventually, startHarness, uid, type Harness } from './harness.js'
import { finishSignal, bumpSignal, stateQuery } from './query-workflows.js'
import { TaskPoller } from './task-poller.js'

type PollResponse = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse
type PollRequest = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueRequest

const queryPolls: { req: PollRequest; res: PollResponse }[] = []
let h: Harness
before(async () => {
  h = await startHarness({
    longPollMs: 3000,
    observeCalls(rpc, req, res) {
      if (rpc === 'pollWorkflowTaskQueue' && (res as PollResponse).query) {
        queryPolls.push({ req: req as PollRequest, res: res as PollResponse })
      }
    },
  })
})
after(async () => {
  await h.close()
})

const json = (value: unknown) => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(value)),
})

test('a query reads the state of a running workflow, from the sticky worker that has it cached', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('query-running')
  await h.withWorker(taskQueue, async () => {
    const handle = await h.client.workflow.start('queryable', { taskQueue, workflowId })
    await handle.signal(bumpSignal)
    await handle.signal(bumpSignal)
    // Wait for the run to go idle, so the query cannot ride on a workflow task.
    await eventually(async () => {
      const events = await new TaskPoller(h.connection, taskQueue).history(workflowId)
      const signals = events.filter(
        (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
      )
      assert.equal(signals.length, 2)
      assert.equal(events.at(-1)?.eventType, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    })
    assert.deepEqual(await handle.query(stateQuery), { stage: 'waiting', count: 2 })
    const direct = queryPolls.filter((p) => p.res.workflowExecution?.workflowId === workflowId)
    assert.ok(direct.length > 0, 'no query task was polled')
    const sticky = direct.find(
      (p) => p.req.taskQueue?.kind === TaskQueueKind.TASK_QUEUE_KIND_STICKY,
    )
    assert.ok(sticky, 'the query did not go to the sticky queue')
    assert.equal(sticky.res.history?.events?.length, 0)
    await handle.signal(finishSignal)
    assert.equal(await handle.result(), 2)
  })
})

test('a query reads the final state of a completed workflow, the worker replaying its history', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('query-closed')
  await h.withWorker(taskQueue, async () => {
    const handle = await h.client.workflow.start('queryable', { taskQueue, workflowId })
    await handle.signal(bumpSignal)
    await handle.signal(finishSignal)
    assert.equal(await handle.result(), 1)
    assert.deepEqual(await handle.query(stateQuery), { stage: 'done', count: 1 })
  })
  // A new worker, with nothing cached, answers from the full history.
  await h.withWorker(taskQueue, async () => {
    const handle = h.client.workflow.getHandle(workflowId)
    assert.deepEqual(await handle.query(stateQuery), { stage: 'done', count: 1 })
  })
})

test('__stack_trace, unknown query types and failing handlers', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('query-builtin')
  await h.withWorker(taskQueue, async () => {
    const handle = await h.client.workflow.start('queryable', { taskQueue, workflowId })
    const stack = await handle.query<string>('__stack_trace')
    assert.equal(typeof stack, 'string')
    assert.match(stack, /condition|queryable/)
    await assert.rejects(handle.query('no-such-query'), (e: unknown) => {
      assert.ok(e instanceof QueryNotRegisteredError)
      assert.match(e.message, /no-such-query/)
      return true
    })
    await assert.rejects(handle.query('failing'), /query handler failed/)
    await handle.signal(finishSignal)
    await handle.result()
  })
})

test('query reject conditions answer a closed workflow with its status', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('query-reject')
  await h.withWorker(taskQueue, async () => {
    const handle = await h.client.workflow.start('queryable', { taskQueue, workflowId })
    await handle.signal(finishSignal)
    await handle.result()
  })
  const notOpen = new Client({
    connection: h.connection,
    workflow: { queryRejectCondition: 'NOT_OPEN' },
  })
  await assert.rejects(notOpen.workflow.getHandle(workflowId).query(stateQuery), (e: unknown) => {
    assert.ok(e instanceof QueryRejectedError)
    assert.equal(e.status, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED)
    return true
  })

  const poller = new TaskPoller(h.connection, uid('tq'))
  const terminated = uid('terminated')
  await poller.startWorkflow(terminated)
  await poller.complete(await poller.pollWorkflowTask(), [])
  await h.client.workflow.getHandle(terminated).terminate('enough')
  const res = await h.connection.workflowService.queryWorkflow({
    namespace: 'default',
    execution: { workflowId: terminated },
    query: { queryType: 'state' },
    queryRejectCondition: QueryRejectCondition.QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY,
  })
  assert.equal(
    res.queryRejected?.status,
    WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED,
  )
})

test('a query of a run closed before any task completed is FailedPrecondition', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('closed-early')
  await poller.startWorkflow(workflowId)
  await h.client.workflow.getHandle(workflowId).terminate('before it ran')
  await assert.rejects(
    rawQuery(workflowId),
    (e: unknown) => (e as { code?: number }).code === status.FAILED_PRECONDITION,
  )
})

test('a query that arrives while a workflow task is scheduled rides on that task', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('query-on-task')
  await poller.startWorkflow(workflowId)
  const answer = rawQuery(workflowId, { queryArgs: { payloads: [json('hi')] } })
  // The query waits for the first task. Should it arrive only once that task has started, it
  // waits for the next one, which forcing a new task provides.
  let t1 = await poller.pollWorkflowTask()
  while (Object.keys(t1.queries ?? {}).length === 0) {
    await poller.complete(t1, [], { forceCreateNewWorkflowTask: true })
    t1 = await poller.pollWorkflowTask()
  }
  const [id, query] = Object.entries(t1.queries!)[0]!
  assert.equal(query.queryType, 'state')
  assert.equal(Buffer.from(query.queryArgs!.payloads![0]!.data!).toString(), '"hi"')
  await poller.complete(t1, [], {
    queryResults: {
      [id]: {
        resultType: QueryResultType.QUERY_RESULT_TYPE_ANSWERED,
        answer: { payloads: [json(42)] },
      },
    },
  })
  const res = await answer
  assert.equal(Buffer.from(res.queryResult!.payloads![0]!.data!).toString(), '42')
})

test('a query during a running task becomes a query task once the task completes', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('query-after-task')
  await poller.startWorkflow(workflowId)
  const t1 = await poller.pollWorkflowTask()
  const answer = rawQuery(workflowId)
  await poller.complete(t1, [])
  const q = await poller.pollWorkflowTask()
  assert.equal(q.query?.queryType, 'state')
  assert.equal(Number(q.startedEventId), 0)
  assert.equal(Number(q.previousStartedEventId), 3)
  assert.deepEqual(
    q.history!.events!.map((e) => Number(e.eventId)),
    [1, 2, 3, 4],
  )
  await h.connection.workflowService.respondQueryTaskCompleted({
    namespace: 'default',
    taskToken: q.taskToken,
    completedType: QueryResultType.QUERY_RESULT_TYPE_ANSWERED,
    queryResult: { payloads: [json('fine')] },
  })
  const res = await answer
  assert.equal(Buffer.from(res.queryResult!.payloads![0]!.data!).toString(), '"fine"')
  // The answer was delivered: a second one for the same task is NotFound.
  await assert.rejects(
    h.connection.workflowService.respondQueryTaskCompleted({
      namespace: 'default',
      taskToken: q.taskToken,
      completedType: QueryResultType.QUERY_RESULT_TYPE_ANSWERED,
    }),
    (e: unknown) => (e as { code?: number }).code === status.NOT_FOUND,
  )
  // A query task token is no workflow task token.
  await assert.rejects(
    poller.complete(q, []),
    (e: unknown) => (e as { code?: number }).code === status.NOT_FOUND,
  )
})

test('a failed answer is InvalidArgument with QueryFailedFailure, as Temporal sends it', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('query-failed')
  await poller.startWorkflow(workflowId)
  await poller.complete(await poller.pollWorkflowTask(), [])
  const outcome = rawQuery(workflowId).then(
    () => undefined,
    (e: unknown) => e,
  )
  const q = await poller.pollWorkflowTask()
  await h.connection.workflowService.respondQueryTaskCompleted({
    namespace: 'default',
    taskToken: q.taskToken,
    completedType: QueryResultType.QUERY_RESULT_TYPE_FAILED,
    errorMessage: 'nope',
    failure: { message: 'nope', applicationFailureInfo: { type: 'Oops' } },
  })
  const err = (await outcome) as {
    code?: number
    details?: string
    metadata?: { get(k: string): unknown[] }
  }
  assert.equal(err.code, status.INVALID_ARGUMENT)
  assert.equal(err.details, 'nope')
  const bin = err.metadata?.get('grpc-status-details-bin')[0] as Buffer
  const detail = root.google.rpc.Status.decode(bin).details[0]!
  assert.equal(
    detail.type_url,
    'type.googleapis.com/temporal.api.errordetails.v1.QueryFailedFailure',
  )
  const { failure } = root.temporal.api.errordetails.v1.QueryFailedFailure.decode(detail.value!)
  assert.equal(failure?.applicationFailureInfo?.type, 'Oops')
})

test('a query nobody answers ends with DeadlineExceeded', async () => {
  const poller = new TaskPoller(h.connection, uid('tq'))
  const workflowId = uid('query-timeout')
  await poller.startWorkflow(workflowId)
  await poller.complete(await poller.pollWorkflowTask(), [])
  await assert.rejects(
    h.connection.withDeadline(Date.now() + 500, () => rawQuery(workflowId)),
    (e: unknown) => (e as { code?: number }).code === status.DEADLINE_EXCEEDED,
  )
  // The abandoned query task is gone: the next poll gets nothing.
  const res = await h.connection
    .withDeadline(Date.now() + 300, () => poller.poll())
    .catch(() => ({}))
  assert.equal((res as PollResponse).taskToken?.length ?? 0, 0)
})

function rawQuery(workflowId: string, query: temporal.api.query.v1.IWorkflowQuery = {}) {
  return h.connection.workflowService.queryWorkflow({
    namespace: 'default',
    execution: { workflowId },
    query: { queryType: 'state', ...query },
  })
}
