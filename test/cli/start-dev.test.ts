/**
 * `sundial server start-dev` as a user runs it: a child process that prints its address, store
 * and namespaces, serves the SDK's hello world, stops cleanly on SIGTERM, keeps state in its file,
 * and refuses bad flags and a busy port with exit code 1 and a message saying why.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Client, Connection } from '@temporalio/client'
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
} from '@temporalio/worker'
import * as activities from './hello-activities.js'
import type * as workflows from './hello-workflows.js'

// The SDK's core logs every connection retry; only warnings matter here.
Runtime.install({ logger: new DefaultLogger('WARN') })

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'sundial-cli-'))
const children: ChildProcess[] = []

after(() => {
  // A failed assertion must not leave a server running behind the test process.
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

interface Cli {
  child: ChildProcess
  /** stdout and stderr so far. */
  out: { stdout: string; stderr: string }
  /** The exit code; null when a signal ended the process. */
  exit: Promise<number | null>
}

function spawnCli(args: string[]): Cli {
  const child = spawn(process.execPath, [main, 'server', 'start-dev', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  const out = { stdout: '', stderr: '' }
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()))
  // 'close', not 'exit': it comes after the pipes are drained, so `out` is complete.
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return { child, out, exit }
}

interface Started extends Cli {
  /** `host:port` from the listening line. */
  address: string
  port: number
  /** The start-up lines on stdout. */
  lines: string[]
}

/** Spawns the CLI and resolves once it has printed its three start-up lines. */
function startDev(args: string[]): Promise<Started> {
  const cli = spawnCli(args)
  return new Promise((resolve, reject) => {
    cli.child.stdout?.on('data', () => {
      const lines = cli.out.stdout.split('\n')
      if (lines.length < 4) return
      const address = /^Sundial server listening on (\S+)$/.exec(lines[0]!)?.[1]
      if (!address) return reject(new Error(`unexpected output: ${cli.out.stdout}`))
      resolve({
        ...cli,
        address,
        port: Number(address.split(':').at(-1)),
        lines: lines.slice(0, 3),
      })
    })
    void cli.exit.then((code) =>
      reject(new Error(`exited with ${code} before listening: ${cli.out.stderr}`)),
    )
  })
}

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
