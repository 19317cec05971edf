/**
 * Batch operations through the SDK's WorkflowService: terminate, cancel, signal, delete and
 * reset by query and by list, progress in DescribeBatchOperation, stop, the one-job-per-namespace
 * limit, Temporal's validation messages, and a job that survives a restart applying each
 * operation exactly once. The tests run concurrently, each in its own namespace (a namespace
 * runs one job at a time); the 1,000-workflow job paces at Temporal's default 50 per second and
 * sets the file's length (about 20 s).
 */
import assert from 'node:assert/strict'
import { status } from '@grpc/grpc-js'
import { Client, Connection } from '@temporalio/client'
import { after, before, describe, test } from 'node:test'
import { EventType, WorkflowTaskFailedCause, api } from '../../src/common/proto.js'
import {
  batchDone,
  BatchState,
  counts,
  countEvents,
  countRuns,
  describeBatch,
  rejection,
  startIdle,
} from './batch-helpers.js'
import { runRestartCase } from './batch-restart.js'
import { eventually, startHarness, uid, type Harness } from './harness.js'

const NS = {
  many: 'batch-many',
  signal: 'batch-signal',
  cancel: 'batch-cancel',
  delete: 'batch-delete',
  reset: 'batch-reset',
  stop: 'batch-stop',
  bad: 'batch-bad',
}

let h: Harness
/** Without the SDK's retries: RESOURCE_EXHAUSTED is an answer under test, not a hiccup. */
let raw: Connection
before(async () => {
  h = await startHarness({ namespaces: Object.values(NS) })
  raw = await Connection.connect({ address: h.server.address, interceptors: [] })
})
after(async () => {
  await raw.close()
  await h.close()
})

const client = (namespace: string) => new Client({ connection: h.connection, namespace })
const service = () => h.connection.workflowService

describe('batch operations', { concurrency: true }, () => {
  test('terminate by query: 1,000 running workflows, progress visible, all terminated', async () => {
    const namespace = NS.many
    const c = client(namespace)
    const prefix = uid('many')
    await startIdle(c, prefix, 1000)
    const [bystander] = await startIdle(c, uid('bystander'), 1)
    const jobId = uid('job')
    await service().startBatchOperation({
      namespace,
      jobId,
      reason: 'clean up',
      visibilityQuery: `WorkflowId STARTS_WITH '${prefix}-'`,
      terminationOperation: { identity: 'batch-test' },
    })
    // Paced at 50 per second, the job is seen part-way, with its estimate.
    const midway = await eventually(async () => {
      const d = await describeBatch(h.connection, namespace, jobId)
      assert.equal(d.state, BatchState.BATCH_OPERATION_STATE_RUNNING)
      assert.ok(Number(d.completeOperationCount) > 0, 'nothing done yet')
      return d
    })
    assert.equal(Number(midway.totalOperationCount), 1000)
    assert.ok(Number(midway.completeOperationCount) < 1000)

    const d = await batchDone(h.connection, namespace, jobId, 45_000)
    assert.equal(d.state, BatchState.BATCH_OPERATION_STATE_COMPLETED)
    assert.deepEqual(counts(d), [1000, 1000, 0])
    assert.equal(
      d.operationType,
      api.enums.v1.BatchOperationType.BATCH_OPERATION_TYPE_TERMINATE_WORKFLOW,
    )
    assert.equal(d.reason, 'clean up')
    assert.equal(d.identity, 'batch-test')
    assert.equal(d.query, `WorkflowId STARTS_WITH '${prefix}-'`)
    assert.ok(d.startTime && d.closeTime)
    const matching = `WorkflowId STARTS_WITH '${prefix}-'`
    assert.equal(await countRuns(c, `${matching} AND ExecutionStatus = 'Terminated'`), 1000)
    assert.equal(await countRuns(c, `${matching} AND ExecutionStatus = 'Running'`), 0)
    assert.ok(bystander)
    assert.equal(await countRuns(c, `RunId = '${bystander}' AND ExecutionStatus = 'Running'`), 1)

    const listed = await service().listBatchOperations({ namespace })
    const info = listed.operationInfo?.find((i) => i.jobId === jobId)
    assert.equal(info?.state, BatchState.BATCH_OPERATION_STATE_COMPLETED)
    assert.equal(info?.operationType, d.operationType)
  })

  test('signal by list and by query: one signal per open run', async () => {
    const namespace = NS.signal
    const c = client(namespace)
    const listed = uid('sig-list')
    const listRuns = await startIdle(c, listed, 3)
    const input = {
      payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('7') }],
    }
    const byList = uid('job')
    await service().startBatchOperation({
      namespace,
      jobId: byList,
      reason: 'poke',
      // One with its run id, the others meaning the current run.
      executions: [
        { workflowId: `${listed}-0`, runId: listRuns[0] },
        { workflowId: `${listed}-1` },
        { workflowId: `${listed}-2` },
      ],
      signalOperation: { signal: 'add', input, identity: 'batch-test' },
    })
    assert.deepEqual(counts(await batchDone(h.connection, namespace, byList)), [3, 3, 0])

    const queried = uid('sig-query')
    const queryRuns = await startIdle(c, queried, 4)
    await c.workflow.getHandle(`${queried}-3`).terminate('closed before the batch')
    const byQuery = uid('job')
    await service().startBatchOperation({
      namespace,
      jobId: byQuery,
      reason: 'poke',
      visibilityQuery: `WorkflowId STARTS_WITH '${queried}-'`,
      signalOperation: { signal: 'add', input, identity: 'batch-test' },
    })
    const d = await batchDone(h.connection, namespace, byQuery)
    assert.equal(
      d.operationType,
      api.enums.v1.BatchOperationType.BATCH_OPERATION_TYPE_SIGNAL_WORKFLOW,
    )
    assert.deepEqual(counts(d), [3, 3, 0])

    const signals = (id: string, run: string) =>
      countEvents(
        c,
        id,
        run,
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'add',
      )
    for (let i = 0; i < 3; i++) assert.equal(await signals(`${listed}-${i}`, listRuns[i]!), 1)
    for (let i = 0; i < 3; i++) assert.equal(await signals(`${queried}-${i}`, queryRuns[i]!), 1)
    assert.equal(await signals(`${queried}-3`, queryRuns[3]!), 0, 'a closed run is not signalled')
    const { events } = await c.workflow.getHandle(`${listed}-1`).fetchHistory()
    const signalled = events!.find((e) => e.workflowExecutionSignaledEventAttributes)!
    assert.equal(signalled.workflowExecutionSignaledEventAttributes!.identity, 'batch-test')
    assert.equal(
      Buffer.from(
        signalled.workflowExecutionSignaledEventAttributes!.input!.payloads![0]!.data!,
      ).toString(),
      '7',
    )
  })

  test('cancel by list and by query: one cancel request per run', async () => {
    const namespace = NS.cancel
    const c = client(namespace)
    const prefix = uid('cancel')
    const runIds = await startIdle(c, prefix, 4)
    const first = uid('job')
    await service().startBatchOperation({
      namespace,
      jobId: first,
      reason: 'stop them',
      executions: [{ workflowId: `${prefix}-0` }, { workflowId: `${prefix}-1`, runId: runIds[1] }],
      cancellationOperation: { identity: 'batch-test' },
    })
    assert.deepEqual(counts(await batchDone(h.connection, namespace, first)), [2, 2, 0])
    // The query meets all four; the two asked already ignore the repeat.
    const second = uid('job')
    await service().startBatchOperation({
      namespace,
      jobId: second,
      reason: 'stop them',
      visibilityQuery: `WorkflowId STARTS_WITH '${prefix}-'`,
      cancellationOperation: { identity: 'batch-test' },
    })
    const d = await batchDone(h.connection, namespace, second)
    assert.equal(
      d.operationType,
      api.enums.v1.BatchOperationType.BATCH_OPERATION_TYPE_CANCEL_WORKFLOW,
    )
    assert.deepEqual(counts(d), [4, 4, 0])
    for (let i = 0; i < 4; i++) {
      const requested = await countEvents(
        c,
        `${prefix}-${i}`,
        runIds[i]!,
        (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
      )
      assert.equal(requested, 1, `${prefix}-${i}`)
    }
  })

  test('delete by query: open and closed runs are gone', async () => {
    const namespace = NS.delete
    const c = client(namespace)
    const prefix = uid('delete')
    await startIdle(c, prefix, 3)
    await c.workflow.getHandle(`${prefix}-2`).terminate('closed before the batch')
    const jobId = uid('job')
    await service().startBatchOperation({
      namespace,
      jobId,
      reason: 'tidy',
      visibilityQuery: `WorkflowId STARTS_WITH '${prefix}-'`,
      deletionOperation: { identity: 'batch-test' },
    })
    const d = await batchDone(h.connection, namespace, jobId)
    assert.equal(
      d.operationType,
      api.enums.v1.BatchOperationType.BATCH_OPERATION_TYPE_DELETE_WORKFLOW,
    )
    assert.deepEqual(counts(d), [3, 3, 0])
    assert.equal(await countRuns(c, `WorkflowId STARTS_WITH '${prefix}-'`), 0)
    for (let i = 0; i < 3; i++) {
      const gone = await rejection(c.workflow.getHandle(`${prefix}-${i}`).describe())
      assert.match(gone.details, /not found/i)
    }
  })

  test('reset by list to the first workflow task, and by query to the last', async () => {
    const namespace = NS.reset
    const c = client(namespace)
    const taskQueue = uid('reset-tq')
    const prefix = uid('reset')
    await h.withWorker(
      taskQueue,
      async () => {
        const bases: string[] = []
        for (let i = 0; i < 4; i++) {
          const handle = await c.workflow.start('greeting', {
            taskQueue,
            workflowId: `${prefix}-${i}`,
            args: [`n${i}`],
          })
          await handle.result()
          bases.push(handle.firstExecutionRunId)
        }
        const byList = uid('job')
        await service().startBatchOperation({
          namespace,
          jobId: byList,
          reason: 'again',
          executions: [0, 1].map((i) => ({ workflowId: `${prefix}-${i}`, runId: bases[i] })),
          resetOperation: { identity: 'batch-test', options: { firstWorkflowTask: {} } },
        })
        assert.deepEqual(counts(await batchDone(h.connection, namespace, byList)), [2, 2, 0])
        // The query matches the new runs too; the job acts on the runs it met at the start only.
        const byQuery = uid('job')
        await service().startBatchOperation({
          namespace,
          jobId: byQuery,
          reason: 'again',
          visibilityQuery: `WorkflowId IN ('${prefix}-2', '${prefix}-3')`,
          resetOperation: {
            identity: 'batch-test',
            resetType: api.enums.v1.ResetType.RESET_TYPE_LAST_WORKFLOW_TASK,
          },
        })
        const d = await batchDone(h.connection, namespace, byQuery)
        assert.equal(
          d.operationType,
          api.enums.v1.BatchOperationType.BATCH_OPERATION_TYPE_RESET_WORKFLOW,
        )
        assert.deepEqual(counts(d), [2, 2, 0])
        for (let i = 0; i < 4; i++) {
          const workflowId = `${prefix}-${i}`
          assert.equal(await countRuns(c, `WorkflowId = '${workflowId}'`), 2, workflowId)
          const current = await c.workflow.getHandle(workflowId).describe()
          assert.notEqual(current.runId, bases[i])
          const { events } = await c.workflow.getHandle(workflowId, current.runId).fetchHistory()
          const failed = events!.find((e) => e.workflowTaskFailedEventAttributes)
          const a = failed!.workflowTaskFailedEventAttributes!
          assert.equal(a.cause, WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW)
          assert.equal(a.baseRunId, bases[i])
          // First task: the failed one is the first task's (event 4); last: the second's.
          assert.equal(Number(failed!.eventId), i < 2 ? 4 : 10, workflowId)
          assert.equal(await c.workflow.getHandle(workflowId).result(), `Hello, n${i}!`)
        }
      },
      namespace,
    )
  })

  test('stop: a paced job ends FAILED and leaves the rest alone; one job per namespace', async () => {
    const namespace = NS.stop
    const c = client(namespace)
    const prefix = uid('stop')
    await startIdle(c, prefix, 10)
    const jobId = uid('job')
    const start = (id: string) =>
      raw.workflowService.startBatchOperation({
        namespace,
        jobId: id,
        reason: 'slowly',
        visibilityQuery: `WorkflowId STARTS_WITH '${prefix}-'`,
        terminationOperation: { identity: 'batch-test' },
        maxOperationsPerSecond: 2,
      })
    await start(jobId)
    await eventually(async () => {
      const d = await describeBatch(h.connection, namespace, jobId)
      assert.ok(Number(d.completeOperationCount) >= 2, 'no chunk done yet')
    })
    const busy = await rejection(start(uid('job')))
    assert.equal(busy.code, status.RESOURCE_EXHAUSTED)
    assert.equal(busy.details, 'Max concurrent batch operations is reached')

    await service().stopBatchOperation({
      namespace,
      jobId,
      reason: 'enough',
      identity: 'batch-test',
    })
    const d = await describeBatch(h.connection, namespace, jobId)
    assert.equal(d.state, BatchState.BATCH_OPERATION_STATE_FAILED)
    assert.ok(d.closeTime)
    const done = Number(d.completeOperationCount)
    assert.ok(done >= 2 && done < 10, `done: ${done}`)
    const again = await rejection(
      raw.workflowService.stopBatchOperation({ namespace, jobId, reason: 'x' }),
    )
    assert.equal(again.code, status.NOT_FOUND)
    // Past the time of the next chunk (half a second at 2 per second), nothing more was done.
    await new Promise((r) => setTimeout(r, 1200))
    const matching = `WorkflowId STARTS_WITH '${prefix}-'`
    assert.equal(await countRuns(c, `${matching} AND ExecutionStatus = 'Terminated'`), done)
    assert.equal(await countRuns(c, `${matching} AND ExecutionStatus = 'Running'`), 10 - done)
    // The namespace may run a job again.
    const next = uid('job')
    await start(next)
    await service().stopBatchOperation({ namespace, jobId: next, reason: 'enough' })
  })

  test('bad requests get Temporal’s errors', async () => {
    const namespace = NS.bad
    const ws = raw.workflowService
    const base = {
      namespace,
      jobId: uid('job'),
      reason: 'r',
      executions: [{ workflowId: 'nobody' }],
      terminationOperation: {},
    }
    const invalid = async (req: object, message: string | RegExp) => {
      const e = await rejection(ws.startBatchOperation({ ...base, ...req }))
      assert.equal(e.code, status.INVALID_ARGUMENT, e.details)
      if (typeof message === 'string') assert.equal(e.details, message)
      else assert.match(e.details, message)
    }
    const required =
      'must provide required parameters: BatchType,Reason,Namespace, AND one of (Query OR Executions OR TargetExecutions)'
    await invalid({ terminationOperation: null }, required)
    await invalid({ reason: '' }, required)
    await invalid({ executions: [] }, required)
    await invalid({ jobId: '' }, 'JobId is not set on request.')
    await invalid(
      { visibilityQuery: "WorkflowId = 'a'" },
      'visibility query, executions, and target executions are mutually exclusive',
    )
    await invalid(
      { executions: [], visibilityQuery: 'WorkflowId = ' },
      /^invalid visibility query: .+ at position \d+$/,
    )
    await invalid(
      { terminationOperation: null, signalOperation: { signal: '' } },
      'must provide signal name',
    )
    await invalid(
      { terminationOperation: null, resetOperation: { options: {} } },
      'batch reset missing target',
    )
    await invalid(
      { terminationOperation: null, resetOperation: {} },
      'unknown batch reset type Unspecified',
    )
    await invalid(
      { terminationOperation: null, updateWorkflowOptionsOperation: {} },
      'The operation type *workflowservice.StartBatchOperationRequest_UpdateWorkflowOptionsOperation is not supported',
    )

    // A finished job's id is still taken; a target that does not exist counts as done.
    await ws.startBatchOperation(base)
    assert.deepEqual(counts(await batchDone(raw, namespace, base.jobId)), [1, 1, 0])
    const taken = await rejection(ws.startBatchOperation(base))
    assert.equal(taken.code, status.ALREADY_EXISTS)

    const unknown = { namespace, jobId: uid('unknown') }
    const described = await rejection(ws.describeBatchOperation(unknown))
    assert.equal(described.code, status.NOT_FOUND)
    assert.equal(described.details, `workflow not found for ID: ${unknown.jobId}`)
    const stopped = await rejection(ws.stopBatchOperation({ ...unknown, reason: 'r' }))
    assert.equal(stopped.code, status.NOT_FOUND)
    const noReason = await rejection(ws.stopBatchOperation(unknown))
    assert.equal(noReason.details, 'Reason is not set on request.')
    const noJob = await rejection(ws.describeBatchOperation({ namespace }))
    assert.equal(noJob.details, 'JobId is not set on request.')
  })

  test('a job survives a restart and applies each operation once', async () => {
    await runRestartCase()
  })
})
