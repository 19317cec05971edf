/**
 * Batch jobs from the CLI: `workflow terminate | signal | cancel | delete -q` and `batch list |
 * describe | terminate` against a live server (workflows on a task queue nobody polls, so they
 * stay running until a batch job acts on them), then progress-following against a scripted
 * gRPC server: the lines printed as counts change, a job that fails, a server that goes silent
 * or away.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { pino } from 'pino'
import { api, long } from '../../src/common/proto.js'
import { startGrpcServer, type GrpcServer } from '../../src/frontend/grpc-server.js'
import type { WorkflowServiceHandlers } from '../../src/frontend/rpc-types.js'
import { eventually } from '../integration/harness.js'
import { spawnSundial } from './cli-process.js'
import type * as workflows from './cli-workflows.js'
import {
  cardFields,
  startCliHarness,
  tableRows,
  uid,
  type CliHarness,
} from './workflow-cli-harness.js'

const State = api.enums.v1.BatchOperationState
const Type = api.enums.v1.BatchOperationType
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

// One batch job at a time runs per namespace (Temporal's default limit): these run in turn.
describe('against a live server', () => {
  let h: CliHarness
  before(async () => {
    h = await startCliHarness()
  })
  after(() => h.close())

  /** `n` running workflows whose ids share a new prefix, and the list filter matching them. */
  async function running(n: number) {
    const prefix = uid('batch')
    const taskQueue = uid('idle')
    const handles = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        h.client.workflow.start<typeof workflows.awaitingFinish>('awaitingFinish', {
          taskQueue,
          workflowId: `${prefix}-${i}`,
          args: ['x'],
        }),
      ),
    )
    const query = `WorkflowId STARTS_WITH '${prefix}'`
    await eventually(async () =>
      assert.equal(await h.client.workflow.count(query).then((c) => c.count), n),
    )
    return { handles, query }
  }

  /** Waits for the job to leave Running and returns its JSON description. */
  function completed(jobId: string) {
    return eventually(async () => {
      const d = await h.json<{ state: string }>(['batch', 'describe', '--job-id', jobId])
      assert.equal(d.state, 'BATCH_OPERATION_STATE_COMPLETED')
      return d
    })
  }

  test('terminate -q --yes terminates the matches, printing the job id and progress', async () => {
    const { handles, query } = await running(3)
    const r = await h.run(['workflow', 'terminate', '-q', query, '--yes', '--reason', 'batch stop'])
    assert.equal(r.code, 0, r.stderr)
    const lines = r.stdout.trimEnd().split('\n')
    const jobId = new RegExp(`^Started batch for job ID: (${UUID})$`).exec(lines[0]!)?.[1]
    assert.ok(jobId, r.stdout)
    for (const line of lines.slice(1, -1)) {
      assert.match(line, /^Progress: \d+\/\d+ completed, \d+ failed$/)
    }
    assert.deepEqual(lines.slice(-2), [
      'Progress: 3/3 completed, 0 failed',
      `Batch job ${jobId} completed`,
    ])
    for (const handle of handles) {
      assert.equal((await handle.describe()).status.name, 'TERMINATED')
      const last = (await handle.fetchHistory()).events!.at(-1)!
      assert.equal(last.workflowExecutionTerminatedEventAttributes?.reason, 'batch stop')
    }

    const card = cardFields((await h.run(['batch', 'describe', '--job-id', jobId])).stdout)
    assert.equal(card.State, 'Completed')
    assert.equal(card.Type, 'TerminateWorkflow')
    assert.equal(card.CompletedCount, '3/3')
    assert.equal(card.FailureCount, '0/3')
    assert.match(card.StartTime!, /^\d{4}-\d\d-\d\dT/)
    assert.match(card.CloseTime!, /^\d{4}-\d\d-\d\dT/)
    const json = await h.json<Record<string, unknown>>(['batch', 'describe', '--job-id', jobId])
    assert.equal(json.jobId, jobId)
    assert.equal(json.operationType, 'BATCH_OPERATION_TYPE_TERMINATE_WORKFLOW')
    assert.equal(json.reason, 'batch stop')
    assert.equal(json.query, query)
  })

  test('without --yes and without a terminal it counts, refuses, and starts nothing', async () => {
    const { handles, query } = await running(2)
    const before = await h.json<unknown[]>('batch list')
    for (const command of ['terminate', 'cancel', 'delete']) {
      const r = await h.run(['workflow', command, '-q', query])
      assert.equal(r.code, 1)
      assert.equal(
        r.stderr,
        'sundial: Start batch against approximately 2 workflow(s) needs confirmation, ' +
          'and stdin is not a terminal: pass -y/--yes\n',
      )
      assert.equal(r.stdout, '')
    }
    for (const handle of handles) assert.equal((await handle.describe()).status.name, 'RUNNING')
    assert.equal((await h.json<unknown[]>('batch list')).length, before.length)
    await Promise.all(handles.map((w) => w.terminate()))
  })

  test('signal -q with JSON output prints the job id alone; batch list shows the job', async () => {
    const { handles, query } = await running(2)
    const r = await h.run([
      'workflow',
      'signal',
      '-q',
      query,
      '--name',
      'finish',
      '-i',
      '"done"',
      '-y',
      '-o',
      'json',
    ])
    assert.equal(r.code, 0, r.stderr)
    const { batchJobId } = JSON.parse(r.stdout) as { batchJobId: string }
    assert.match(batchJobId, new RegExp(`^${UUID}$`))
    assert.deepEqual(Object.keys(JSON.parse(r.stdout) as object), ['batchJobId'])
    const d = await completed(batchJobId)
    assert.equal(
      (d as { operationType?: string }).operationType,
      'BATCH_OPERATION_TYPE_SIGNAL_WORKFLOW',
    )
    for (const handle of handles) {
      const events = (await handle.fetchHistory()).events ?? []
      const signaled = events.find((e) => e.workflowExecutionSignaledEventAttributes)
      assert.equal(signaled?.workflowExecutionSignaledEventAttributes?.signalName, 'finish')
    }

    const list = await h.run('batch list')
    assert.equal(list.code, 0, list.stderr)
    const [header, ...rows] = tableRows(list.stdout)
    assert.deepEqual(header, ['JobId', 'State', 'StartTime', 'CloseTime'])
    const row = rows.find((cells) => cells[0] === batchJobId)
    assert.equal(row?.[1], 'Completed')
    const json = await h.json<{ jobId: string; state: string }[]>('batch list')
    assert.equal(json.find((j) => j.jobId === batchJobId)?.state, 'BATCH_OPERATION_STATE_COMPLETED')
    const limited = await h.json<unknown[]>('batch list --limit 1')
    assert.equal(limited.length, 1)
    await Promise.all(handles.map((w) => w.terminate()))
  })

  test('cancel -q requests cancellation and delete -q deletes the matches', async () => {
    const { handles, query } = await running(2)
    const canceled = await h.run(['workflow', 'cancel', '-q', query, '-y'])
    assert.equal(canceled.code, 0, canceled.stderr)
    assert.match(
      canceled.stdout,
      /\nProgress: 2\/2 completed, 0 failed\nBatch job \S+ completed\n$/,
    )
    for (const handle of handles) {
      const events = (await handle.fetchHistory()).events ?? []
      assert.ok(events.some((e) => e.workflowExecutionCancelRequestedEventAttributes))
    }
    const deleted = await h.run(['workflow', 'delete', '-q', query, '-y', '--reason', 'cleanup'])
    assert.equal(deleted.code, 0, deleted.stderr)
    assert.match(deleted.stdout, /Batch job \S+ completed\n$/)
    for (const handle of handles)
      await eventually(() => assert.rejects(handle.describe(), /not found/i))
  })

  test('batch terminate stops a running job; unknown jobs are named', async () => {
    const { handles, query } = await running(10)
    const started = await h.json<{ batchJobId: string }>([
      'workflow',
      'signal',
      '-q',
      query,
      '--name',
      'finish',
      '-i',
      '"x"',
      '--rps',
      '1',
      '-y',
    ])
    const jobId = started.batchJobId
    const r = await h.run(['batch', 'terminate', '--job-id', jobId, '--reason', 'enough'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, `Terminated Batch Job '${jobId}'\n`)
    await eventually(async () => {
      const card = cardFields((await h.run(['batch', 'describe', '--job-id', jobId])).stdout)
      assert.equal(card.State, 'Failed')
    })

    const [describeMissing, terminateMissing, noReason] = await Promise.all([
      h.run('batch describe --job-id no-such-job'),
      h.run('batch terminate --job-id no-such-job --reason r'),
      h.run('batch terminate --job-id x'),
    ])
    assert.equal(describeMissing.code, 1)
    assert.equal(describeMissing.stderr, "sundial: could not find Batch Job 'no-such-job'\n")
    assert.equal(terminateMissing.code, 1)
    assert.equal(terminateMissing.stderr, "sundial: could not find Batch Job 'no-such-job'\n")
    assert.equal(noReason.code, 1)
    assert.match(noReason.stderr, /required option '--reason <reason>' not specified/)
    await Promise.all(handles.map((w) => w.terminate()))
  })

  test('-w or -q: the flag combinations Temporal refuses, before anything is sent', async () => {
    const q = ['-q', "WorkflowType = 'x'"]
    const cases: [string[], string][] = [
      [['workflow', 'terminate'], 'must set either workflow ID or query'],
      [['workflow', 'cancel', '-w', 'a', ...q], 'cannot set query when workflow ID is set'],
      [
        ['workflow', 'signal', '-w', 'a', '--name', 's', '--reason', 'r'],
        'cannot set reason when workflow ID is set',
      ],
      [['workflow', 'terminate', '-w', 'a', '-y'], "cannot set 'yes' when workflow ID is set"],
      [
        ['workflow', 'terminate', '-w', 'a', '--rps', '2'],
        'cannot set rps when workflow ID is set',
      ],
      [['workflow', 'terminate', ...q, '-r', 'run'], 'cannot set run ID when query is set'],
      [
        ['workflow', 'reset', ...q, '--reason', 'r'],
        'a batch reset needs -t/--type FirstWorkflowTask or LastWorkflowTask',
      ],
      [
        ['workflow', 'reset', ...q, '--reason', 'r', '-t', 'LastContinuedAsNew'],
        'a batch reset needs -t/--type FirstWorkflowTask or LastWorkflowTask',
      ],
      [
        ['workflow', 'reset', ...q, '--reason', 'r', '-e', '4'],
        'cannot set event ID when query is set',
      ],
    ]
    const results = await Promise.all(cases.map(([args]) => h.run(args)))
    results.forEach((r, i) => {
      assert.equal(r.code, 1, cases[i]![0].join(' '))
      assert.equal(r.stderr, `sundial: ${cases[i]![1]}\n`)
    })
    const rps = await h.run(['workflow', 'terminate', ...q, '--rps', 'fast'])
    assert.equal(rps.code, 1)
    assert.match(rps.stderr, /"fast" is not a positive number/)
  })
})

// A server of its own per test, so they run side by side.
describe('following progress, against a scripted server', { concurrency: true }, () => {
  const responses = (...states: [number, number, number, number][]) =>
    states.map(([state, complete, total, failure]) => ({
      jobId: 'job',
      state,
      operationType: Type.BATCH_OPERATION_TYPE_TERMINATE_WORKFLOW,
      completeOperationCount: long(complete),
      totalOperationCount: long(total),
      failureOperationCount: long(failure),
      startTime: { seconds: long(1_700_000_000) },
      closeTime:
        state === State.BATCH_OPERATION_STATE_RUNNING
          ? undefined
          : { seconds: long(1_700_000_060) },
    }))

  const servers: GrpcServer[] = []
  after(() => Promise.all(servers.map((s) => s.close())))

  /** A server answering GetSystemInfo, counts and batch starts, and `handlers`. */
  async function scripted(handlers: WorkflowServiceHandlers) {
    const requests: Record<string, unknown>[] = []
    const server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
      shutdownGraceMs: 100,
      operatorService: {},
      workflowService: {
        getSystemInfo: () => Promise.resolve({}),
        countWorkflowExecutions: () => Promise.resolve({ count: long(1000) }),
        startBatchOperation: (req) => {
          requests.push(req as unknown as Record<string, unknown>)
          return Promise.resolve({})
        },
        ...handlers,
      },
    })
    servers.push(server)
    const run = async (args: string[]) => {
      const started = Date.now()
      const cli = spawnSundial([...args, '--address', `127.0.0.1:${server.port}`])
      const code = await cli.exit
      return { code, ...cli.out, ms: Date.now() - started }
    }
    return { server, requests, run }
  }

  /** Answers the scripted responses in turn, repeating the last. */
  function inTurn(
    list: ReturnType<typeof responses>,
  ): WorkflowServiceHandlers['describeBatchOperation'] {
    let i = 0
    return () => Promise.resolve(list[Math.min(i++, list.length - 1)]!)
  }

  test('a line each time the counts change, then the end; the request as Temporal sends it', async () => {
    const R = State.BATCH_OPERATION_STATE_RUNNING
    const s = await scripted({
      describeBatchOperation: inTurn(
        responses(
          [R, 0, 0, 0],
          [R, 400, 1000, 0],
          [R, 400, 1000, 0],
          [R, 1000, 1000, 2],
          [State.BATCH_OPERATION_STATE_COMPLETED, 1000, 1000, 2],
        ),
      ),
    })
    const r = await s.run([
      'workflow',
      'terminate',
      '-q',
      'WorkflowType = "x"',
      '-y',
      '--rps',
      '2.5',
      '--identity',
      'tester',
    ])
    assert.equal(r.code, 0, r.stderr)
    const jobId = /^Started batch for job ID: (\S+)\n/.exec(r.stdout)?.[1]
    assert.equal(
      r.stdout,
      `Started batch for job ID: ${jobId}\n` +
        'Progress: 0/0 completed, 0 failed\n' +
        'Progress: 400/1000 completed, 0 failed\n' +
        'Progress: 1000/1000 completed, 2 failed\n' +
        `Batch job ${jobId} completed\n`,
    )
    const req = s.requests[0]!
    assert.equal(req.jobId, jobId)
    assert.equal(req.namespace, 'default')
    assert.equal(req.visibilityQuery, 'WorkflowType = "x"')
    assert.equal(req.reason, 'Requested from CLI by tester')
    assert.equal(req.maxOperationsPerSecond, 2.5)
    assert.deepEqual({ ...(req.terminationOperation as object) }, { identity: 'tester' })
  })

  test('a job that ends failed fails the command', async () => {
    const s = await scripted({
      describeBatchOperation: inTurn(responses([State.BATCH_OPERATION_STATE_FAILED, 3, 10, 0])),
    })
    const r = await s.run(['workflow', 'cancel', '-q', 'a = 1', '-y'])
    assert.equal(r.code, 1)
    assert.match(r.stdout, /\nProgress: 3\/10 completed, 0 failed\n$/)
    assert.match(r.stderr, new RegExp(`^sundial: batch job ${UUID} ended Failed\\n$`))
  })

  test('a server that stops answering is given up on, and the command ends', async () => {
    let calls = 0
    const s = await scripted({
      describeBatchOperation: (_req, ctx) => {
        if (calls++ === 0)
          return Promise.resolve(responses([State.BATCH_OPERATION_STATE_RUNNING, 1, 5, 0])[0]!)
        // Never answers (until the server shuts down).
        return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({})))
      },
    })
    const r = await s.run([
      'workflow',
      'terminate',
      '-q',
      'a = 1',
      '-y',
      '--progress-timeout',
      '2s',
    ])
    assert.equal(r.code, 1)
    assert.match(r.stdout, /\nProgress: 1\/5 completed, 0 failed\n$/)
    assert.match(
      r.stderr,
      new RegExp(
        `^sundial: no answer about batch job (${UUID}) for 2s \\(the last call failed: no answer within [\\d.]+m?s\\); ` +
          'the job may still be running: sundial batch describe --job-id \\1\\n$',
      ),
    )
    assert.ok(r.ms < 15_000, `took ${r.ms} ms`)
  })

  test('a server that goes away is given up on; UNIMPLEMENTED ends it at once', async () => {
    let calls = 0
    const gone = await scripted({
      describeBatchOperation: async () => {
        if (calls++ === 1) await gone.server.close()
        return responses([State.BATCH_OPERATION_STATE_RUNNING, 0, 5, 0])[0]!
      },
    })
    const r = await gone.run([
      'workflow',
      'delete',
      '-q',
      'a = 1',
      '-y',
      '--progress-timeout',
      '4s',
    ])
    assert.equal(r.code, 1)
    assert.match(
      r.stderr,
      /^sundial: no answer about batch job \S+ for 4s \(the last call failed: .+\); the job may still/,
    )

    const unimplemented = await scripted({})
    const u = await unimplemented.run(['workflow', 'terminate', '-q', 'a = 1', '-y'])
    assert.equal(u.code, 1)
    assert.match(u.stdout, /^Started batch for job ID: \S+\n$/)
    assert.match(u.stderr, /^sundial: following batch job \S+ failed: .*\(UNIMPLEMENTED\)\n$/)
  })

  test('batch describe and list print what the server answers', async () => {
    const s = await scripted({
      describeBatchOperation: inTurn(
        responses([State.BATCH_OPERATION_STATE_RUNNING, 400, 1000, 3]),
      ),
      listBatchOperations: () =>
        Promise.resolve({
          operationInfo: [
            {
              jobId: 'job-1',
              state: State.BATCH_OPERATION_STATE_RUNNING,
              startTime: { seconds: long(1_700_000_000) },
            },
            {
              jobId: 'job-2',
              state: State.BATCH_OPERATION_STATE_COMPLETED,
              startTime: { seconds: long(1_700_000_000) },
              closeTime: { seconds: long(1_700_000_060) },
            },
          ],
        }),
    })
    const d = await s.run(['batch', 'describe', '--job-id', 'job'])
    assert.equal(d.code, 0, d.stderr)
    assert.equal(
      d.stdout,
      '  State           Running\n' +
        '  Type            TerminateWorkflow\n' +
        '  StartTime       2023-11-14T22:13:20.000Z\n' +
        '  CompletedCount  400/1000\n' +
        '  FailureCount    3/1000\n',
    )
    const l = await s.run(['batch', 'list'])
    assert.equal(l.code, 0, l.stderr)
    assert.equal(
      l.stdout,
      '  JobId  State      StartTime                 CloseTime\n' +
        '  job-1  Running    2023-11-14T22:13:20.000Z\n' +
        '  job-2  Completed  2023-11-14T22:13:20.000Z  2023-11-14T22:14:20.000Z\n',
    )
    const limited = await s.run(['batch', 'list', '--limit', '1', '-o', 'jsonl'])
    assert.equal(limited.stdout.trim().split('\n').length, 1)

    const empty = await scripted({
      listBatchOperations: () => Promise.resolve({ operationInfo: [] }),
    })
    const none = await empty.run(['batch', 'list'])
    assert.equal(none.code, 0, none.stderr)
    assert.equal(none.stdout, '')
    assert.deepEqual(JSON.parse((await empty.run(['batch', 'list', '-o', 'json'])).stdout), [])
  })
})
