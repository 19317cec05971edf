/**
 * `sundial workflow start | execute | signal-with-start | list | count | describe | show |
 * result` run as a user runs them, against a live server with a worker, in text and JSON; what
 * they print is checked against what the SDK client sees.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { api } from '../../src/common/proto.js'
import { eventually } from '../integration/harness.js'
import type * as workflows from './cli-workflows.js'
import {
  cardFields,
  startCliHarness,
  tableRows,
  uid,
  type CliHarness,
} from './workflow-cli-harness.js'

let h: CliHarness
const dir = mkdtempSync(join(tmpdir(), 'sundial-cli-wf-'))
after(async () => {
  await h.close()
  rmSync(dir, { recursive: true, force: true })
})

before(async () => {
  h = await startCliHarness({ worker: true })
  await h.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: { CliBatch: api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD },
  })
})

const startFlags = (type: string, id: string) => `--type ${type} -t ${h.taskQueue} -w ${id}`

test('start prints the running execution, and the server has what the flags said', async () => {
  const [textId, jsonId] = [uid('start'), uid('start')]
  const inputFile = join(dir, 'input.json')
  writeFileSync(inputFile, '{"from":"file"}')
  const [text, json] = await Promise.all([
    h.run(
      `workflow start ${startFlags('awaitingFinish', textId)} -i "first" --memo note={"n":1}` +
        ' --execution-timeout 1h30m --task-timeout 5s',
    ),
    h.json<Record<string, string>>(
      `workflow start ${startFlags('awaitingFinish', jsonId)} --input-file ${inputFile}`,
    ),
  ])
  assert.equal(text.code, 0, text.stderr)
  const handle = h.client.workflow.getHandle(textId)
  const described = await handle.describe()
  assert.deepEqual(cardFields(text.stdout), {
    WorkflowId: textId,
    RunId: described.runId,
    Type: 'awaitingFinish',
    Namespace: 'default',
    TaskQueue: h.taskQueue,
  })
  assert.match(text.stdout, /^Running execution:\n/)
  assert.deepEqual(described.memo, { note: { n: 1 } })
  const history = await handle.fetchHistory()
  const started = history.events![0]!.workflowExecutionStartedEventAttributes!
  assert.equal(started.workflowExecutionTimeout?.seconds?.toString(), '5400')
  assert.equal(started.workflowTaskTimeout?.seconds?.toString(), '5')
  assert.equal(Buffer.from(started.input!.payloads![0]!.data!).toString(), '"first"')

  const jsonHandle = h.client.workflow.getHandle(jsonId)
  assert.deepEqual(json, {
    workflowId: jsonId,
    runId: (await jsonHandle.describe()).runId,
    type: 'awaitingFinish',
    namespace: 'default',
    taskQueue: h.taskQueue,
  })
  await Promise.all([handle.signal('finish', 'x'), jsonHandle.signal('finish', 'y')])
  assert.equal(await jsonHandle.result(), 'y')
})

test('execute streams progress and prints the result; a failed run exits 1', async () => {
  const [ok, failed, asJson] = await Promise.all([
    h.run(`workflow execute ${startFlags('greeting', uid('exec'))} -i "World"`),
    h.run(`workflow execute ${startFlags('failing', uid('exec'))} -i "broken"`),
    h.run(`workflow execute ${startFlags('greeting', uid('exec'))} -i "JSON" -o json`),
  ])
  assert.equal(ok.code, 0, ok.stderr)
  const progress = ok.stdout.slice(ok.stdout.indexOf('Progress:'), ok.stdout.indexOf('Results:'))
  const types = tableRows(progress).map((row) => row[2])
  assert.deepEqual(types.slice(0, 3), ['Type', 'WorkflowExecutionStarted', 'WorkflowTaskScheduled'])
  assert.ok(types.includes('ActivityTaskCompleted'), progress)
  assert.equal(types.at(-1), 'WorkflowExecutionCompleted')
  const results = cardFields(ok.stdout.slice(ok.stdout.indexOf('Results:')))
  assert.equal(results.Status, 'COMPLETED')
  assert.equal(results.Result, '"Hello, World!"')
  assert.match(results.RunTime ?? '', /^\d+(\.\d+)?m?s$/)

  assert.equal(failed.code, 1)
  assert.equal(cardFields(failed.stdout.slice(failed.stdout.indexOf('Results:'))).Status, 'FAILED')
  assert.match(failed.stdout, /Failure +broken \(CliTestFailure\)/)
  assert.match(failed.stderr, /^sundial: workflow exec-\S+ failed\n$/)

  assert.equal(asJson.code, 0, asJson.stderr)
  const doc = JSON.parse(asJson.stdout) as Record<string, unknown>
  assert.equal(doc.status, 'COMPLETED')
  assert.equal(doc.result, 'Hello, JSON!')
  assert.equal(doc.type, 'greeting')
  const close = doc.closeEvent as Record<string, Record<string, unknown>>
  assert.equal(close.eventType, 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED')
  assert.deepEqual(close.workflowExecutionCompletedEventAttributes!.result, ['Hello, JSON!'])
  const sdkRun = await h.client.workflow.getHandle(doc.workflowId as string).describe()
  assert.equal(doc.runId, sdkRun.runId)
})

test('execute follows continue-as-new to the last run', async () => {
  const id = uid('countdown')
  const r = await h.run(`workflow execute ${startFlags('countdown', id)} -i 2`)
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout.match(/WorkflowExecutionContinuedAsNew/g)?.length, 2)
  assert.equal(cardFields(r.stdout.slice(r.stdout.indexOf('Results:'))).Result, '3')
  assert.equal(await h.client.workflow.getHandle(id).result(), 3)
})

test('signal-with-start starts the workflow and delivers the signal', async () => {
  const id = uid('sws')
  const r = await h.run(
    `workflow signal-with-start ${startFlags('awaitingFinish', id)} -i "begin"` +
      ' --signal-name finish --signal-input "signalled"',
  )
  assert.equal(r.code, 0, r.stderr)
  const handle = h.client.workflow.getHandle(id)
  assert.equal(await handle.result(), 'signalled')
  assert.equal(cardFields(r.stdout).RunId, (await handle.describe()).runId)
})

test('list and count filter by a search attribute set with --search-attribute', async () => {
  const batch = uid('batch')
  const ids = [uid('listed'), uid('listed'), uid('listed')]
  await Promise.all(
    ids.map((id) =>
      h.run(
        `workflow start ${startFlags('greeting', id)} -i "list"` +
          ` --search-attribute CliBatch="${batch}"`,
      ),
    ),
  )
  await Promise.all(ids.map((id) => h.client.workflow.getHandle(id).result()))
  const query = `CliBatch = '${batch}'`
  // Visibility follows the runs; wait until all three show as completed.
  const text = await eventually(async () => {
    const r = await h.run(['workflow', 'list', '-q', query])
    const rows = tableRows(r.stdout)
    assert.equal(rows.length, 4, r.stdout + r.stderr)
    assert.ok(
      rows.slice(1).every((row) => row[0] === 'Completed'),
      r.stdout,
    )
    return rows
  })
  assert.deepEqual(text[0], ['Status', 'WorkflowId', 'Type', 'StartTime'])
  assert.deepEqual(
    text
      .slice(1)
      .map((row) => row[1])
      .sort(),
    [...ids].sort(),
  )
  assert.ok(text.slice(1).every((row) => row[2] === 'greeting' && !isNaN(Date.parse(row[3]!))))

  const [json, jsonl, limited, count, countJson, grouped] = await Promise.all([
    h.json<Record<string, unknown>[]>(['workflow', 'list', '-q', query]),
    h.run(['workflow', 'list', '-q', query, '-o', 'jsonl']),
    h.run(['workflow', 'list', '-q', query, '--limit', '2']),
    h.run(['workflow', 'count', '-q', query]),
    h.json(['workflow', 'count', '-q', query]),
    h.run(['workflow', 'count', '-q', `${query} GROUP BY ExecutionStatus`]),
  ])
  const sdk = []
  for await (const e of h.client.workflow.list({ query })) sdk.push(e)
  assert.deepEqual(
    json.map((e) => (e.execution as Record<string, string>).runId).sort(),
    sdk.map((e) => e.runId).sort(),
  )
  for (const e of json) {
    assert.equal(e.status, 'WORKFLOW_EXECUTION_STATUS_COMPLETED')
    assert.deepEqual(e.type, { name: 'greeting' })
    assert.deepEqual(
      (e.searchAttributes as { indexedFields: Record<string, unknown> }).indexedFields.CliBatch,
      {
        metadata: { encoding: b64('json/plain'), type: b64('Keyword') },
        data: b64(JSON.stringify(batch)),
      },
    )
  }
  const lines = jsonl.stdout.trim().split('\n')
  assert.equal(lines.length, 3)
  assert.deepEqual(
    lines.map((l) => JSON.parse(l) as unknown).sort(byRunId),
    [...json].sort(byRunId),
  )
  assert.equal(tableRows(limited.stdout).length, 3)
  assert.equal(count.stdout, 'Total: 3\n')
  assert.deepEqual(countJson, { count: '3' })
  // Status names, as Temporal's CLI prints them.
  assert.equal(grouped.stdout, 'Total: 3\n  Group total: 3, values: Completed\n')
})

const b64 = (s: string) => Buffer.from(s).toString('base64')
const byRunId = (a: unknown, b: unknown) =>
  JSON.stringify((a as { execution: unknown }).execution).localeCompare(
    JSON.stringify((b as { execution: unknown }).execution),
  )

test('describe shows execution info, pending activities and children, and results', async () => {
  const busyId = uid('busy')
  const busy = await h.client.workflow.start<typeof workflows.busy>('busy', {
    taskQueue: h.taskQueue,
    workflowId: busyId,
  })
  // Wait until the activity is pending and the child has started.
  const rpc = await eventually(async () => {
    await h.client.workflow.getHandle(`${busyId}-child`).describe()
    const d = await h.connection.workflowService.describeWorkflowExecution({
      namespace: 'default',
      execution: { workflowId: busyId },
    })
    assert.equal(d.pendingActivities.length, 1)
    return d
  })
  const doneId = uid('done')
  await h.client.workflow.execute<typeof workflows.greeting>('greeting', {
    taskQueue: h.taskQueue,
    workflowId: doneId,
    args: ['described'],
  })
  const [text, json, done] = await Promise.all([
    h.run(['workflow', 'describe', '-w', busyId]),
    h.json<Record<string, Record<string, unknown>[]>>(['workflow', 'describe', '-w', busyId]),
    h.run(['workflow', 'describe', '-w', doneId]),
  ])
  assert.equal(text.code, 0, text.stderr)
  const [info = '', activities = '', children = ''] = text.stdout.split(/\n(?=Pending)/)
  const fields = cardFields(info)
  assert.equal(fields.WorkflowId, busyId)
  assert.equal(fields.RunId, busy.firstExecutionRunId)
  assert.equal(fields.Type, 'busy')
  assert.equal(fields.Status, 'Running')
  assert.equal(fields.TaskQueue, h.taskQueue)
  assert.match(activities, /^Pending Activities: 1\n/)
  assert.equal(cardFields(activities).Type, 'blockUntilCancelled')
  // The server does not list pending children yet; the CLI shows what it answers.
  assert.match(children, new RegExp(`^Pending Child Workflows: ${rpc.pendingChildren.length}\n`))
  if (rpc.pendingChildren.length > 0) {
    assert.equal(cardFields(children).WorkflowId, `${busyId}-child`)
  }

  const sdk = await busy.describe()
  const info2 = json.workflowExecutionInfo as unknown as Record<string, unknown>
  assert.deepEqual(info2.execution, { workflowId: busyId, runId: sdk.runId })
  assert.equal(info2.status, 'WORKFLOW_EXECUTION_STATUS_RUNNING')
  assert.equal(info2.startTime, sdk.startTime.toISOString())
  assert.equal(json.pendingActivities![0]!.activityId, '1')
  assert.deepEqual(json.pendingActivities![0]!.activityType, { name: 'blockUntilCancelled' })
  assert.equal(json.pendingChildren?.length ?? 0, rpc.pendingChildren.length)

  assert.equal(done.code, 0, done.stderr)
  assert.equal(cardFields(done.stdout).Status, 'COMPLETED')
  assert.match(done.stdout, /Results:\n {2}Status +COMPLETED\n {2}Result +"Hello, described!"\n/)
  await busy.terminate('test over')
})

test('show prints history as text, JSON (History) and JSONL, and cuts details', async () => {
  const id = uid('show')
  await h.client.workflow.execute<typeof workflows.greeting>('greeting', {
    taskQueue: h.taskQueue,
    workflowId: id,
    args: ['shown'],
  })
  const sdk = await h.client.workflow.getHandle(id).fetchHistory()
  const [text, json, jsonl, short] = await Promise.all([
    h.run(['workflow', 'show', '-w', id]),
    h.json<{ events: Record<string, unknown>[] }>(['workflow', 'show', '-w', id]),
    h.run(['workflow', 'show', '-w', id, '-o', 'jsonl']),
    h.run(['workflow', 'show', '-w', id, '--max-field-length', '20']),
  ])
  assert.equal(text.code, 0, text.stderr)
  const rows = tableRows(text.stdout.slice(0, text.stdout.indexOf('Results:')))
  assert.deepEqual(rows[0], ['ID', 'Time', 'Type', 'Details'])
  assert.deepEqual(
    rows.slice(1).map((r) => r[0]),
    sdk.events!.map((e) => String(e.eventId)),
  )
  assert.equal(rows[1]![2], 'WorkflowExecutionStarted')
  assert.match(rows[1]![3]!, /"input":\["shown"\]/)
  assert.equal(rows.at(-1)![2], 'WorkflowExecutionCompleted')
  assert.equal(
    cardFields(text.stdout.slice(text.stdout.indexOf('Results:'))).Result,
    '"Hello, shown!"',
  )

  assert.equal(json.events.length, sdk.events!.length)
  assert.deepEqual(
    json.events.map((e) => e.eventType),
    sdk.events!.map((e) => api.enums.v1.EventType[e.eventType!]),
  )
  assert.equal(json.events[0]!.eventId, '1')
  const lines = jsonl.stdout.trim().split('\n')
  assert.deepEqual(
    lines.map((l) => JSON.parse(l) as unknown),
    json.events,
  )
  const details = tableRows(short.stdout.slice(0, short.stdout.indexOf('Results:')))
    .slice(1)
    .map((r) => r[3] ?? '')
  assert.ok(details.every((d) => d.length <= 20) && details.some((d) => d.endsWith('...')))
})

test('show --follow prints events as they happen and ends at the close event', async () => {
  const id = uid('follow')
  const handle = await h.client.workflow.start<typeof workflows.awaitingFinish>('awaitingFinish', {
    taskQueue: h.taskQueue,
    workflowId: id,
    args: ['following'],
  })
  const follow = h.spawn(['workflow', 'show', '-w', id, '--follow'])
  // Once the first workflow task has completed, the workflow waits for the signal.
  await eventually(() => {
    assert.match(follow.out.stdout, /WorkflowTaskCompleted/)
    return Promise.resolve()
  })
  const before = follow.out.stdout
  assert.doesNotMatch(before, /WorkflowExecutionSignaled|Results:/)
  await handle.signal('finish', 'followed')
  assert.equal(await follow.exit, 0, follow.out.stderr)
  const after = follow.out.stdout.slice(before.length)
  assert.match(after, /WorkflowExecutionSignaled/)
  assert.match(after, /WorkflowExecutionCompleted/)
  assert.match(after, /Results:\n {2}Status +COMPLETED\n {2}Result +"followed"\n$/)
  const ids = tableRows(follow.out.stdout.slice(0, follow.out.stdout.indexOf('Results:')))
    .slice(1)
    .map((r) => Number(r[0]))
  assert.deepEqual(
    ids,
    ids.map((_, i) => i + 1),
  )
})

test('result waits for the close event; a terminated run exits 1', async () => {
  const id = uid('result')
  const handle = await h.client.workflow.start<typeof workflows.awaitingFinish>('awaitingFinish', {
    taskQueue: h.taskQueue,
    workflowId: id,
    args: ['r'],
  })
  const waiting = h.spawn(['workflow', 'result', '-w', id, '-o', 'json'])
  const terminatedId = uid('result')
  const terminated = await h.client.workflow.start<typeof workflows.awaitingFinish>(
    'awaitingFinish',
    { taskQueue: h.taskQueue, workflowId: terminatedId, args: ['t'] },
  )
  await terminated.terminate('stopped by test')
  const [text, waited] = await Promise.all([
    h.run(['workflow', 'result', '-w', terminatedId]),
    (async () => {
      await handle.signal('finish', 'the result')
      return waiting.exit
    })(),
  ])
  assert.equal(waited, 0, waiting.out.stderr)
  const doc = JSON.parse(waiting.out.stdout) as Record<string, unknown>
  assert.equal(doc.status, 'COMPLETED')
  assert.equal(doc.result, 'the result')
  assert.equal(doc.workflowId, id)

  assert.equal(text.code, 1)
  assert.deepEqual(cardFields(text.stdout), { Status: 'TERMINATED', Reason: 'stopped by test' })
  assert.match(text.stderr, new RegExp(`^sundial: workflow ${terminatedId} was terminated\n$`))
})
