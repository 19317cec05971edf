/**
 * `sundial workflow signal | query | stack | update execute | cancel | terminate | reset |
 * delete` against a live server with a worker, and how client commands fail: an unknown
 * workflow or namespace, bad flags and input, an unreachable server, unreadable TLS files.
 */
import assert from 'node:assert/strict'
import { createServer as createTcpServer } from 'node:net'
import { after, before, test } from 'node:test'
import { WorkflowFailedError } from '@temporalio/client'
import { eventually } from '../integration/harness.js'
import { spawnSundial } from './cli-process.js'
import type * as workflows from './cli-workflows.js'
import { cardFields, startCliHarness, uid, type CliHarness } from './workflow-cli-harness.js'

let h: CliHarness
before(async () => {
  h = await startCliHarness({ worker: true })
})
after(() => h.close())

function startAwaiting(initial = 'initial') {
  return h.client.workflow.start<typeof workflows.awaitingFinish>('awaitingFinish', {
    taskQueue: h.taskQueue,
    workflowId: uid('control'),
    args: [initial],
  })
}

test('signal delivers its input; query and stack read the running workflow', async () => {
  const handle = await startAwaiting('queried')
  const id = handle.workflowId
  const [query, queryJson, stack] = await Promise.all([
    h.run(['workflow', 'query', '-w', id, '--name', 'state', '-i', '"> "']),
    h.json<Record<string, unknown>>(['workflow', 'query', '-w', id, '--name', 'state']),
    h.run(['workflow', 'stack', '-w', id]),
  ])
  assert.equal(query.code, 0, query.stderr)
  assert.equal(query.stdout, 'Query result:\n  QueryResult  "> queried"\n')
  assert.deepEqual(queryJson, { queryResult: ['queried'] })
  assert.equal(stack.code, 0, stack.stderr)
  assert.match(stack.stdout, /awaitingFinish/)

  const signal = await h.run(['workflow', 'signal', '-w', id, '--name', 'finish', '-i', '"bye"'])
  assert.equal(signal.code, 0, signal.stderr)
  assert.equal(signal.stdout, 'Signal workflow succeeded\n')
  assert.equal(await handle.result(), 'bye')

  const closed = await h.run(`workflow query -w ${id} --name state --reject-condition not_open`)
  assert.equal(closed.code, 1)
  assert.match(closed.stderr, /^sundial: query was rejected: workflow \S+ is Completed\n$/)
})

test('update execute prints the result, and a rejected update exits 1', async () => {
  const handle = await startAwaiting()
  const id = handle.workflowId
  const r = await h.run(`workflow update execute -w ${id} --name setState -i "two" --update-id u-1`)
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(cardFields(r.stdout), {
    UpdateName: 'setState',
    UpdateId: 'u-1',
    Result: '"state is two"',
  })
  assert.equal(await handle.query('state'), 'two')
  const json = await h.json<{ outcome: unknown; stage: string }>(
    `workflow update execute -w ${id} --name setState -i "three"`,
  )
  assert.deepEqual(json.outcome, { success: ['state is three'] })
  assert.equal(json.stage, 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED')

  const rejected = await h.run(`workflow update execute -w ${id} --name setState -i ""`)
  assert.equal(rejected.code, 1)
  assert.match(rejected.stderr, /^sundial: update setState \(\S+\) failed: state must not be empty/)
  assert.equal(await handle.query('state'), 'three')
  await handle.terminate()
})

test('cancel and terminate end the runs as the server records them', async () => {
  const [toCancel, toTerminate] = await Promise.all([startAwaiting(), startAwaiting()])
  const [cancel, terminate] = await Promise.all([
    h.run(['workflow', 'cancel', '-w', toCancel.workflowId, '--reason', 'enough']),
    h.run([
      'workflow',
      'terminate',
      '-w',
      toTerminate.workflowId,
      '--reason',
      'stop now',
      '-o',
      'json',
    ]),
  ])
  assert.equal(cancel.code, 0, cancel.stderr)
  assert.equal(cancel.stdout, 'Cancellation requested\n')
  await assert.rejects(toCancel.result(), WorkflowFailedError)
  assert.equal((await toCancel.describe()).status.name, 'CANCELLED')

  assert.equal(terminate.code, 0, terminate.stderr)
  assert.deepEqual(JSON.parse(terminate.stdout), {})
  assert.equal((await toTerminate.describe()).status.name, 'TERMINATED')
  const history = await toTerminate.fetchHistory()
  assert.equal(
    history.events!.at(-1)!.workflowExecutionTerminatedEventAttributes?.reason,
    'stop now',
  )
})

test('reset to an event id or a reset type starts a new run from that point', async () => {
  const id = uid('reset')
  await h.client.workflow.execute<typeof workflows.greeting>('greeting', {
    taskQueue: h.taskQueue,
    workflowId: id,
    args: ['reset'],
  })
  const first = await h.client.workflow.getHandle(id).describe()
  const byType = await h.run(`workflow reset -w ${id} -t FirstWorkflowTask --reason again`)
  assert.equal(byType.code, 0, byType.stderr)
  const fields = cardFields(byType.stdout)
  assert.equal(fields.ResetEventId, '4')
  const newRun = h.client.workflow.getHandle(id, fields.RunId)
  assert.equal(await newRun.result(), 'Hello, reset!')
  assert.notEqual(fields.RunId, first.runId)

  const byId = await h.json<{ runId: string }>([
    'workflow',
    'reset',
    '-w',
    id,
    '-r',
    first.runId,
    '-e',
    '4',
    '--reason',
    'by id',
  ])
  assert.equal(await h.client.workflow.getHandle(id, byId.runId).result(), 'Hello, reset!')

  // countdown continues as new once; its second run resets into the first.
  const chain = uid('reset-can')
  await h.client.workflow.execute<typeof workflows.countdown>('countdown', {
    taskQueue: h.taskQueue,
    workflowId: chain,
    args: [1],
  })
  const can = await h.run(`workflow reset -w ${chain} -t LastContinuedAsNew --reason back`)
  assert.equal(can.code, 0, can.stderr)
  assert.equal(await h.client.workflow.getHandle(chain, cardFields(can.stdout).RunId).result(), 2)

  const neither = await h.run(['workflow', 'reset', '-w', id, '--reason', 'x'])
  assert.equal(neither.code, 1)
  assert.equal(neither.stderr, 'sundial: reset needs exactly one of -e/--event-id and -t/--type\n')
})

test('delete needs -y without a terminal, then removes the workflow', async () => {
  const handle = await startAwaiting()
  const id = handle.workflowId
  const refused = await h.run(['workflow', 'delete', '-w', id])
  assert.equal(refused.code, 1)
  assert.match(
    refused.stderr,
    /Delete workflow \S+ needs confirmation, and stdin is not a terminal: pass -y\/--yes/,
  )
  assert.equal((await handle.describe()).status.name, 'RUNNING')

  const deleted = await h.run(['workflow', 'delete', '-w', id, '-y'])
  assert.equal(deleted.code, 0, deleted.stderr)
  assert.equal(deleted.stdout, 'Delete workflow succeeded\n')
  await eventually(() => assert.rejects(handle.describe(), /not found/))
})

test('failures: unknown workflow or namespace, bad input and flags, unreadable files', async () => {
  const [notFound, badInput, badFile, noNamespace, missingFlag, badDuration, tlsFile, badMeta] =
    await Promise.all([
      h.run(['workflow', 'describe', '-w', 'no-such-workflow']),
      h.run(['workflow', 'start', '--type', 'x', '-t', 'q', '-i', '{"a":']),
      h.run(['workflow', 'signal', '-w', 'x', '--name', 's', '--input-file', '/no/such/file.json']),
      h.run(['workflow', 'list', '-n', 'no-such-namespace']),
      h.run(['workflow', 'signal', '-w', 'x']),
      h.run(['workflow', 'start', '--type', 'x', '-t', 'q', '--run-timeout', 'soon']),
      h.run(['workflow', 'list', '--tls-ca-path', '/no/such/ca.pem']),
      h.run(['workflow', 'list', '--grpc-meta', 'novalue']),
    ])
  assert.equal(notFound.code, 1)
  assert.match(
    notFound.stderr,
    /^sundial: describing workflow no-such-workflow failed: .*\(NOT_FOUND\)\n$/,
  )
  assert.equal(badInput.code, 1)
  assert.match(
    badInput.stderr,
    /option '-i, --input <json>' argument '\{"a":' is invalid\. not valid JSON/,
  )
  assert.equal(badFile.code, 1)
  assert.equal(
    badFile.stderr,
    'sundial: cannot read the --input-file file /no/such/file.json: no such file\n',
  )
  assert.equal(noNamespace.code, 1)
  assert.match(
    noNamespace.stderr,
    /^sundial: listing workflows failed: Namespace no-such-namespace is not found\. \(NOT_FOUND\)\n/,
  )
  assert.equal(missingFlag.code, 1)
  assert.match(missingFlag.stderr, /required option '--name <name>' not specified/)
  assert.equal(badDuration.code, 1)
  assert.match(badDuration.stderr, /"soon" is not a duration/)
  assert.equal(tlsFile.code, 1)
  assert.equal(
    tlsFile.stderr,
    'sundial: cannot read the --tls-ca-path file /no/such/ca.pem: no such file\n',
  )
  assert.equal(badMeta.code, 1)
  assert.match(badMeta.stderr, /"novalue" is not KEY=VALUE/)
})

test('the address and namespace come from TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE', async () => {
  const handle = await startAwaiting()
  const env = { TEMPORAL_ADDRESS: h.server.address, TEMPORAL_NAMESPACE: 'default' }
  const cli = spawnSundial(['workflow', 'describe', '-w', handle.workflowId], env)
  assert.equal(await cli.exit, 0, cli.out.stderr)
  assert.equal(cardFields(cli.out.stdout).WorkflowId, handle.workflowId)
  const other = spawnSundial(['workflow', 'describe', '-w', handle.workflowId], {
    ...env,
    TEMPORAL_NAMESPACE: 'elsewhere',
  })
  assert.equal(await other.exit, 1)
  assert.match(other.out.stderr, /Namespace elsewhere is not found/)
  await handle.terminate()
})

test('a server that does not answer fails the command with UNAVAILABLE', async () => {
  // A port that was free a moment ago: nothing listens there now.
  const port = await new Promise<number>((resolve) => {
    const probe = createTcpServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
  const cli = spawnSundial(['workflow', 'list', '--address', `127.0.0.1:${port}`])
  assert.equal(await cli.exit, 1)
  assert.match(
    cli.out.stderr,
    new RegExp(
      `^sundial: connecting to 127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED.*\\(UNAVAILABLE\\)\\n`,
    ),
  )
  assert.equal(cli.out.stdout, '')
})

test('--command-timeout ends a command that waits too long with DEADLINE_EXCEEDED', async () => {
  const handle = await startAwaiting()
  const r = await h.run(['workflow', 'result', '-w', handle.workflowId, '--command-timeout', '1s'])
  assert.equal(r.code, 1)
  assert.match(
    r.stderr,
    new RegExp(
      `^sundial: waiting for workflow ${handle.workflowId} failed: .*\\(DEADLINE_EXCEEDED\\)\\n$`,
    ),
  )
  await handle.terminate()
})
