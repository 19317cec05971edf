/**
 * `sundial task-queue describe` against a live server whose worker polls the task queue: the
 * pollers per task queue type, in text and JSON, as DescribeTaskQueue reports them.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { TaskQueueType } from '../../src/common/proto.js'
import { eventually } from '../integration/harness.js'
import { startCliHarness, tableRows, type CliHarness } from './workflow-cli-harness.js'

let h: CliHarness
before(async () => {
  h = await startCliHarness({ worker: true })
})
after(() => h.close())

test('task-queue describe lists the workers polling each task queue type', async () => {
  const pollers = (type: number) =>
    h.connection.workflowService
      .describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: h.taskQueue },
        taskQueueType: type,
      })
      .then((r) => r.pollers)
  // The worker polls both queues as soon as it runs.
  const [workflowPoller] = await eventually(async () => {
    const found = await Promise.all([
      pollers(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
      pollers(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
    ])
    assert.ok(found.every((p) => p.length > 0))
    return found.map((p) => p[0]!)
  })
  const [text, json, activityOnly, unknownType] = await Promise.all([
    h.run(['task-queue', 'describe', '-t', h.taskQueue]),
    h.json<{ taskQueueType: string; pollers: Record<string, unknown>[] }[]>(
      `task-queue describe --task-queue ${h.taskQueue}`,
    ),
    h.run(['task-queue', 'describe', '-t', h.taskQueue, '--task-queue-type', 'activity']),
    h.run(['task-queue', 'describe', '-t', h.taskQueue, '--task-queue-type', 'nexus']),
  ])
  assert.equal(text.code, 0, text.stderr)
  const rows = tableRows(text.stdout)
  assert.deepEqual(rows[0], ['TaskQueueType', 'Identity', 'LastAccessTime', 'RatePerSecond'])
  assert.deepEqual(
    rows.slice(1).map((r) => r[0]),
    ['workflow', 'activity'],
  )
  assert.equal(rows[1]![1], workflowPoller!.identity)
  assert.ok(!isNaN(Date.parse(rows[1]![2]!)))

  assert.deepEqual(
    json.map((d) => d.taskQueueType),
    ['workflow', 'activity'],
  )
  assert.equal(json[0]!.pollers[0]!.identity, workflowPoller!.identity)
  assert.equal(typeof json[0]!.pollers[0]!.lastAccessTime, 'string')

  assert.deepEqual(
    tableRows(activityOnly.stdout)
      .slice(1)
      .map((r) => r[0]),
    ['activity'],
  )
  assert.equal(unknownType.code, 1)
  assert.match(unknownType.stderr, /Allowed choices are workflow, activity/)
})

test('task-queue describe of a queue nobody polls prints only the header', async () => {
  const r = await h.run(['task-queue', 'describe', '-t', 'nobody-polls-this', '-o', 'jsonl'])
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown),
    [{ taskQueueType: 'workflow' }, { taskQueueType: 'activity' }],
  )
  const text = await h.run(['task-queue', 'describe', '-t', 'nobody-polls-this'])
  assert.equal(text.stdout, '  TaskQueueType  Identity  LastAccessTime  RatePerSecond\n')
})
