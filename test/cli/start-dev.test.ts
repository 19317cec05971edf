/**
 * `sundial server start-dev` as a user runs it: a child process that prints its address, store
 * and namespaces, serves the SDK's hello world, stops cleanly on SIGTERM, keeps state in its file,
 * and refuses bad flags and a busy port with exit code 1 and a message saying why.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { Client, Connection } from '@temporalio/client'
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
} from '@temporalio/worker'
import { api } from '../../src/common/proto.js'
import { spawnSundial, startSundial } from './cli-process.js'
import * as activities from './hello-activities.js'
import type * as workflows from './hello-workflows.js'

const { IndexedValueType } = api.enums.v1

// The SDK's core logs every connection retry; only warnings matter here.
Runtime.install({ logger: new DefaultLogger('WARN') })

const dir = mkdtempSync(join(tmpdir(), 'sundial-cli-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const spawnCli = (args: string[]) => spawnSundial(['server', 'start-dev', ...args])
const startDev = (args: string[]) => startSundial(['server', 'start-dev', ...args])

test(
  'start-dev runs hello world, stops on SIGTERM and keeps state in its file',
  {
    timeout: 120_000,
  },
  async () => {
    const dbFilename = join(dir, 'sundial.db')
    const workflowId = `hello-${process.pid}`
    const first = await startDev(['--port', '0', '--db-filename', dbFilename, '-n', 'extra'])
    assert.notEqual(first.port, 0, 'the printed port is the bound one')
    assert.deepEqual(first.lines, [
      `Sundial server listening on 127.0.0.1:${first.port}`,
      `Store: SQLite file ${dbFilename}`,
      'Namespaces: default, extra',
    ])

    const connection = await Connection.connect({ address: first.address })
    try {
      const info = await connection.workflowService.getSystemInfo({})
      assert.ok(info.serverVersion)
      const ns = await connection.workflowService.describeNamespace({ namespace: 'default' })
      assert.equal(ns.namespaceInfo?.name, 'default')

      const taskQueue = `hello-${process.pid}`
      const workerConnection = await NativeConnection.connect({ address: first.address })
      try {
        const worker = await Worker.create({
          connection: workerConnection,
          taskQueue,
          workflowBundle: await bundleWorkflowCode({
            workflowsPath: fileURLToPath(new URL('./hello-workflows.js', import.meta.url)),
            logger: new DefaultLogger('WARN'),
          }),
          activities,
        })
        const result = await worker.runUntil(
          new Client({ connection }).workflow.execute<typeof workflows.helloWorld>('helloWorld', {
            taskQueue,
            workflowId,
            args: ['World'],
          }),
        )
        assert.equal(result, 'Hello, World!')
      } finally {
        await workerConnection.close()
      }
    } finally {
      await connection.close()
    }
    first.child.kill('SIGTERM')
    assert.equal(await first.exit, 0)

    // Started again on the same file, without -n: the run and the namespace are still there.
    const second = await startDev(['--port', '0', '--db-filename', dbFilename])
    assert.equal(second.lines[2], 'Namespaces: default, extra')
    const again = await Connection.connect({ address: second.address })
    try {
      const handle = new Client({ connection: again }).workflow.getHandle(workflowId)
      assert.equal((await handle.describe()).status.name, 'COMPLETED')
      assert.equal(await handle.result(), 'Hello, World!')
    } finally {
      await again.close()
    }
    second.child.kill('SIGTERM')
    assert.equal(await second.exit, 0)
  },
)

test('start-dev refuses a port that is not a number', { timeout: 30_000 }, async () => {
  const cli = spawnCli(['--port', 'abc'])
  assert.equal(await cli.exit, 1)
  assert.match(cli.out.stderr, /"abc" is not a port number \(0-65535\)/)
  assert.equal(cli.out.stdout, '')
})

test(
  'start-dev refuses a port in use and the first server keeps serving',
  {
    timeout: 30_000,
  },
  async () => {
    const holder = await startDev(['--port', '0'])
    assert.equal(holder.lines[1], 'Store: in memory (state is lost on exit)')
    const cli = spawnCli(['--port', String(holder.port)])
    assert.equal(await cli.exit, 1)
    assert.match(
      cli.out.stderr,
      new RegExp(`could not start the server: port ${holder.port} on 127.0.0.1 is already in use`),
    )
    assert.equal(cli.out.stdout, '')

    const connection = await Connection.connect({ address: holder.address })
    try {
      assert.ok((await connection.workflowService.getSystemInfo({})).serverVersion)
    } finally {
      await connection.close()
    }
    holder.child.kill('SIGTERM')
    assert.equal(await holder.exit, 0)
  },
)

test('start-dev names the SQLite file it cannot open', { timeout: 30_000 }, async () => {
  const dbFilename = join(dir, 'no-such-dir', 'sundial.db')
  const cli = spawnCli(['--port', '0', '--db-filename', dbFilename])
  assert.equal(await cli.exit, 1)
  assert.match(cli.out.stderr, /could not start the server: cannot use SQLite file .*no-such-dir/)
})

test(
  'start-dev honours the Temporal flags the SDK and users pass',
  { timeout: 60_000 },
  async () => {
    const dbFilename = join(dir, 'flags.db')
    const server = await startDev([
      '--port',
      '0',
      '--db-filename',
      dbFilename,
      '--namespace',
      'orders',
      '--search-attribute',
      'CustomerId=Keyword',
      '--search-attribute',
      'Amount=double',
      '--dynamic-config-value',
      'limit.blobSize.error=2048',
      '--dynamic-config-value',
      'frontend.enableUpdateWorkflowExecutionAsyncAccepted=false',
      '--dynamic-config-value',
      'some.unknown.key="ignored"',
      '--sqlite-pragma',
      'journal_mode=delete',
      '--sqlite-pragma',
      'synchronous=normal',
      '--log-format',
      'json',
      '--log-level',
      'debug',
      '--headless',
      '--ui-port',
      '0',
      '--http-port',
      '0',
    ])
    const connection = await Connection.connect({ address: server.address })
    try {
      // Search attributes are registered in every namespace the command names.
      for (const namespace of ['default', 'orders']) {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({
          namespace,
        })
        assert.deepEqual(
          { ...customAttributes },
          {
            CustomerId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
            Amount: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
          },
        )
      }
      // limit.blobSize.error: a 4 KB input is refused as Temporal refuses blobs over the limit.
      const client = new Client({ connection })
      await assert.rejects(
        client.workflow.start('anything', {
          taskQueue: 'nowhere',
          workflowId: 'too-big',
          args: ['x'.repeat(4096)],
        }),
        (e: Error) => /Blob data size exceeds limit/.test(String(e.cause)),
      )
      // frontend.enableUpdateWorkflowExecutionAsyncAccepted=false: reported and enforced.
      const ns = await connection.workflowService.describeNamespace({ namespace: 'default' })
      assert.equal(ns.namespaceInfo?.capabilities?.asyncUpdate, false)
      assert.equal(ns.namespaceInfo?.capabilities?.syncUpdate, true)
    } finally {
      await connection.close()
    }

    // --http-port 0: Temporal's HTTP API on a free port, named in the banner; --headless: no UI.
    const httpLine = server.out.stdout.split('\n').find((l) => l.startsWith('HTTP API: '))
    const info = await fetch(`${httpLine?.slice('HTTP API: '.length)}/api/v1/system-info`)
    assert.equal(info.status, 200)
    assert.ok(((await info.json()) as { serverVersion?: string }).serverVersion)
    assert.ok(!server.out.stdout.includes('Web UI: '))

    // The metrics endpoint counts the calls above.
    const metricsLine = server.out.stdout.split('\n').find((l) => l.startsWith('Metrics: '))
    const url = metricsLine?.slice('Metrics: '.length) ?? ''
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    const metrics = await (await fetch(url)).text()
    assert.match(
      metrics,
      /service_requests\{operation="ListSearchAttributes",namespace="orders"\} 1/,
    )
    assert.match(
      metrics,
      /service_errors\{operation="StartWorkflowExecution",namespace="default",status_code="3"\} 1/,
    )
    assert.match(metrics, /process_cpu_seconds_total/)

    server.child.kill('SIGTERM')
    assert.equal(await server.exit, 0)
    // --log-format json: one JSON object per stderr line; the unknown key is logged at debug.
    const logs = server.out.stderr
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { msg: string; key?: string })
    assert.ok(logs.some((l) => l.key === 'some.unknown.key' && /not used by Sundial/.test(l.msg)))
    // --sqlite-pragma reached the file.
    const db = new Database(dbFilename, { readonly: true })
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'delete', 'not WAL, the default')
    } finally {
      db.close()
    }
  },
)

test('start-dev refuses bad dynamic config, search attributes and pragmas', async () => {
  const cases: [string[], RegExp][] = [
    [
      ['--dynamic-config-value', 'limit.blobSize.error="big"'],
      /limit\.blobSize\.error must be a positive integer/,
    ],
    [['--dynamic-config-value', 'novalue'], /"novalue" is not KEY=VALUE/],
    [['--search-attribute', 'CustomerId=Money'], /"Money" is not a search attribute type/],
    [
      ['--search-attribute', 'WorkflowId=Keyword'],
      /Search attribute WorkflowId is reserved by system/,
    ],
    [['--sqlite-pragma', 'cache_size=10'], /"cache_size" is not a supported pragma/],
    [['--log-format', 'xml'], /argument 'xml' is invalid/],
  ]
  await Promise.all(
    cases.map(async ([args, message]) => {
      const cli = spawnCli(['--port', '0', ...args])
      assert.equal(await cli.exit, 1, args.join(' '))
      assert.match(cli.out.stderr, message)
    }),
  )
})
