/**
 * Temporal's server metric names on /metrics: a scripted set of runs (completed, failed, timed
 * out, canceled, terminated, continued as new), a backlog on a queue nobody polls, and the
 * counters, histograms and gauges they must leave, with Temporal's labels.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { WorkflowFailedError } from '@temporalio/client'
import { DEFAULT_NUM_HISTORY_SHARDS } from '../../src/common/shard-id.js'
import { eventually, startHarness, uid, type Harness } from './harness.js'

let h: Harness

before(async () => {
  // Short long polls, so that some end empty (poll_timeouts) within the test.
  h = await startHarness({ metrics: { port: 0 }, longPollMs: 500 })
})

after(async () => {
  await h?.close()
})

interface Sample {
  labels: Record<string, string>
  value: number
}

/** The Prometheus text format, parsed into samples by metric name, and the declared types. */
async function scrape(): Promise<{ samples: Map<string, Sample[]>; types: Map<string, string> }> {
  const res = await fetch(`http://127.0.0.1:${h.server.metricsPort}/metrics`)
  assert.equal(res.status, 200)
  const samples = new Map<string, Sample[]>()
  const types = new Map<string, string>()
  for (const line of (await res.text()).split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (type) types.set(type[1]!, type[2]!)
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!
    const list = samples.get(m[1]!) ?? []
    list.push({ labels, value: Number(m[3]) })
    samples.set(m[1]!, list)
  }
  return { samples, types }
}

/** The sum of a metric's samples whose labels include `where`. */
function sum(
  samples: Map<string, Sample[]>,
  name: string,
  where: Record<string, string> = {},
): number {
  let total = 0
  for (const s of samples.get(name) ?? []) {
    if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) total += s.value
  }
  return total
}

test('workflow, matching, persistence, timer and shard metrics carry Temporal names', async () => {
  const taskQueue = uid('metrics')
  const backlogQueue = uid('metrics-backlog')
  const start = (workflow: string, args: unknown[], opts: object = {}) =>
    h.client.workflow.start(workflow, { taskQueue, workflowId: uid(workflow), args, ...opts })

  const idle = await h.client.workflow.start('waitsLong', {
    taskQueue: backlogQueue,
    workflowId: uid('backlog'),
  })
  await h.withWorker(taskQueue, async () => {
    assert.equal(await (await start('greeting', ['metrics'])).result(), 'Hello, metrics!')
    // The first attempt may be dispatched eagerly; the two retries go through matching.
    assert.equal(await (await start('retrying', [uid('key')])).result(), 'succeeded on attempt 3')
    await assert.rejects((await start('failing', [])).result(), WorkflowFailedError)
    await assert.rejects(
      (await start('waitsLong', [], { workflowRunTimeout: '1s' })).result(),
      WorkflowFailedError,
    )
    const cancelled = await start('waitsLong', [])
    const terminated = await start('waitsLong', [])
    assert.equal(await (await start('continuing', [2])).result(), 3)
    await cancelled.cancel()
    await assert.rejects(cancelled.result(), WorkflowFailedError)
    await terminated.terminate('metrics test')
    // Let one poll of this queue run out its (short) wait.
    await eventually(async () => {
      const { samples } = await scrape()
      assert.ok(sum(samples, 'poll_timeouts', { taskqueue: taskQueue }) >= 1)
    })
  })

  const { samples, types } = await scrape()
  const run = (workflowType: string) => ({
    operation: 'CompletionStats',
    namespace: 'default',
    taskqueue: taskQueue,
    workflowType,
  })
  assert.equal(sum(samples, 'workflow_success', run('greeting')), 1)
  assert.equal(sum(samples, 'workflow_success', run('continuing')), 1)
  assert.equal(sum(samples, 'workflow_success', run('retrying')), 1)
  assert.equal(sum(samples, 'workflow_continued_as_new', run('continuing')), 2)
  assert.equal(sum(samples, 'workflow_failed', run('failing')), 1)
  assert.equal(sum(samples, 'workflow_timeout', run('waitsLong')), 1)
  assert.equal(sum(samples, 'workflow_cancel', run('waitsLong')), 1)
  assert.equal(sum(samples, 'workflow_terminate', run('waitsLong')), 1)
  // greeting, retrying, failing, 3 x waitsLong, continuing's 3 runs.
  assert.equal(sum(samples, 'temporal_workflow_started_total', { taskqueue: taskQueue }), 9)
  assert.equal(sum(samples, 'temporal_workflow_completed_total', { taskqueue: taskQueue }), 3)
  assert.equal(sum(samples, 'temporal_workflow_failed_total', run('failing')), 1)

  for (const name of ['schedule_to_start_latency', 'task_schedule_to_start_latency']) {
    const q = { namespace: 'default', taskqueue: taskQueue }
    assert.equal(types.get(name), 'histogram')
    const activity = { ...q, task_type: 'Activity', partition: '__normal__' }
    assert.ok(sum(samples, `${name}_count`, activity) >= 2, name)
    const workflow = { ...q, task_type: 'Workflow', operation: 'RecordWorkflowTaskStarted' }
    assert.ok(sum(samples, `${name}_count`, workflow) >= 8, name)
    // Sticky tasks are labelled by their normal queue, as Temporal's partition tag does.
    assert.ok(sum(samples, `${name}_count`, { ...workflow, partition: '__sticky__' }) >= 1, name)
  }
  assert.ok(sum(samples, 'poll_success', { taskqueue: taskQueue, task_type: 'Workflow' }) >= 8)
  assert.ok(sum(samples, 'poll_success', { taskqueue: taskQueue, task_type: 'Activity' }) >= 1)

  const backlog = {
    namespace: 'default',
    taskqueue: backlogQueue,
    task_type: 'Workflow',
    partition: '__normal__',
  }
  assert.equal(sum(samples, 'approximate_backlog_count', backlog), 1)
  assert.equal(sum(samples, 'temporal_task_queue_lag', backlog), 1)
  await idle.terminate('done')

  const update = { operation: 'UpdateWorkflowExecution' }
  assert.ok(sum(samples, 'persistence_requests', update) >= 8)
  assert.equal(
    sum(samples, 'persistence_latency_count', update),
    sum(samples, 'persistence_requests', update),
  )
  assert.equal(
    sum(samples, 'persistence_requests', { operation: 'GetOrCreateShard' }),
    DEFAULT_NUM_HISTORY_SHARDS,
  )
  assert.equal(sum(samples, 'persistence_errors'), 0)
  assert.equal(sum(samples, 'temporal_persistence_errors_total'), 0)
  assert.equal(
    sum(samples, 'task_requests', {
      operation: 'TimerActiveTaskWorkflowRunTimeout',
      namespace: 'default',
    }),
    1,
  )
  assert.equal(sum(samples, 'task_requests', { operation: 'TimerActiveTaskActivityRetryTimer' }), 2)
  // The server holds every shard of the store (16 by default).
  assert.equal(sum(samples, 'numshards_gauge'), DEFAULT_NUM_HISTORY_SHARDS)
  assert.equal(sum(samples, 'sharditem_created_count'), DEFAULT_NUM_HISTORY_SHARDS)
  assert.ok(
    sum(samples, 'service_requests', {
      operation: 'StartWorkflowExecution',
      namespace: 'default',
    }) >= 8,
  )

  // Counters keep Temporal's names (no `_total` added); the seeds names keep theirs.
  for (const name of [
    'service_requests',
    'persistence_requests',
    'persistence_errors',
    'workflow_success',
    'workflow_failed',
    'workflow_timeout',
    'workflow_terminate',
    'workflow_cancel',
    'workflow_continued_as_new',
    'poll_success',
    'poll_timeouts',
    'task_requests',
    'sharditem_created_count',
    'temporal_workflow_started_total',
    'temporal_workflow_completed_total',
    'temporal_workflow_failed_total',
    'temporal_persistence_errors_total',
  ]) {
    assert.equal(types.get(name), 'counter', name)
    assert.equal(types.has(`${name}_total`), false, name)
  }
  for (const name of ['approximate_backlog_count', 'temporal_task_queue_lag', 'numshards_gauge']) {
    assert.equal(types.get(name), 'gauge', name)
  }
  for (const name of ['service_latency', 'persistence_latency', 'task_latency']) {
    assert.equal(types.get(name), 'histogram', name)
  }
})
