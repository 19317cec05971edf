/** Runs that lead to the next run: continue-as-new, workflow retries, cron. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { EventType, type pb } from '../../src/common/proto.js'
import { eventually, startHarness, uid, type Harness } from './harness.js'
import type * as wf from './workflows.js'

let h: Harness
before(async () => {
  h = await startHarness()
})
after(async () => {
  await h.close()
})

test('continue-as-new 50 times, then execute() returns the last run’s result', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('can')
  const result = await h.withWorker(taskQueue, () =>
    h.client.workflow.execute<typeof wf.continuing>('continuing', {
      taskQueue,
      workflowId,
      args: [50],
    }),
  )
  assert.equal(result, 51)
  const first = await h.client.workflow.getHandle(workflowId).describe()
  assert.equal(first.status.name, 'COMPLETED')
})

test('a workflow retry policy starts new runs until one succeeds', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('wf-retry')
  const handle = await h.client.workflow.start<typeof wf.retriedWorkflow>('retriedWorkflow', {
    taskQueue,
    workflowId,
    retry: { initialInterval: '100ms', maximumAttempts: 5 },
  })
  const result = await h.withWorker(taskQueue, () => handle.result())
  assert.equal(result, 3)
  const { events } = await h.client.workflow
    .getHandle(workflowId, handle.firstExecutionRunId)
    .fetchHistory()
  const failed = events!.at(-1)!
  assert.equal(failed.eventType, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)
  assert.ok(failed.workflowExecutionFailedEventAttributes?.newExecutionRunId)
})

test('a cron workflow runs on schedule twice', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('cron')
  const handle = await h.client.workflow.start<typeof wf.cronJob>('cronJob', {
    taskQueue,
    workflowId,
    cronSchedule: '@every 1s',
  })
  await h.withWorker(taskQueue, async () => {
    await eventually(async () => {
      let runId: string | undefined = handle.firstExecutionRunId
      let completed = 0
      while (runId) {
        const history: { events?: pb.HistoryEvent[] | null } = await h.client.workflow
          .getHandle(workflowId, runId)
          .fetchHistory()
        const last = history.events!.at(-1)!
        if (last.eventType !== EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) break
        completed++
        runId = last.workflowExecutionCompletedEventAttributes?.newExecutionRunId ?? undefined
      }
      assert.ok(completed >= 2, `${completed} cron runs completed`)
    }, 15_000)
  })
  await h.client.workflow.getHandle(workflowId).terminate()
})

test('workflow_start_delay holds the first workflow task back', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('delayed')
  const startedAt = Date.now()
  const result = await h.withWorker(taskQueue, () =>
    h.client.workflow.execute<typeof wf.sleeper>('sleeper', {
      taskQueue,
      workflowId,
      args: [1],
      startDelay: '1s',
    }),
  )
  assert.equal(result, 'woke')
  assert.ok(Date.now() - startedAt >= 1000)
  const { events } = await h.client.workflow.getHandle(workflowId).fetchHistory()
  const backoff = events![0]!.workflowExecutionStartedEventAttributes?.firstWorkflowTaskBackoff
  assert.equal(Number(backoff?.seconds), 1)
})
