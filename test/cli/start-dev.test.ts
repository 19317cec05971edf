/**
 * `sundial server start-dev` as a user runs it: a child process that prints its address and
 * store, serves the SDK's hello world, stops cleanly on SIGTERM and keeps state in its file.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, test } from 'node:test'
import { Client, Connection } from '@temporalio/client'
import { NativeConnection, Worker } from '@temporalio/worker'
import * as activities from '../integration/activities.js'
import { uid, workflowBundle } from '../integration/harness.js'
import type * as wf from '../integration/workflows.js'

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'sundial-cli-'))
const dbFilename = join(dir, 'sundial.db')
const children: ChildProcess[] = []
after(() => {
  for (const c of children) c.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

interface Started {
  child: ChildProcess
  address: string
  output: string
}

/** Spawns the CLI and resolves once it prints its listening line. */
function startDev(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [main, 'server', 'start-dev', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const m = /listening on (\S+)/.exec(output)
      if (m && /Namespaces:/.test(output)) resolve({ child, address: m[1]!, output })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)))
  })
}

function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)))
}

test('start-dev prints its address and store, runs hello world, and keeps state in its file', async () => {
  const first = await startDev(['--port', '0', '--db-filename', dbFilename])
  assert.match(
    first.output,
    new RegExp(`Store: SQLite file ${dbFilename.replace(/[/.]/g, '\\$&')}`),
  )
  const workflowId = uid('hello')
  {
    const connection = await Connection.connect({ address: first.address })
    const client = new Client({ connection })
    const info = await connection.workflowService.getSystemInfo({})
    assert.ok(info.serverVersion)
    const taskQueue = uid('hello-tq')
    const worker = await Worker.create({
      connection: await NativeConnection.connect({ address: first.address }),
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities,
    })
    const result = await worker.runUntil(
      client.workflow.execute<typeof wf.greeting>('greeting', {
        taskQueue,
        workflowId,
        args: ['World'],
      }),
    )
    assert.equal(result, 'Hello, World!')
    await connection.close()
  }
  first.child.kill('SIGTERM')
  assert.equal(await exitCode(first.child), 0)

  const second = await startDev(['--port', '0', '--db-filename', dbFilename])
  const connection = await Connection.connect({ address: second.address })
  const d = await new Client({ connection }).workflow.getHandle(workflowId).describe()
  assert.equal(d.status.name, 'COMPLETED')
  await connection.close()
  second.child.kill('SIGTERM')
  assert.equal(await exitCode(second.child), 0)
})

test('start-dev refuses a bad port and a port in use with a clear message', async () => {
  await assert.rejects(startDev(['--port', 'abc']), /not a port number/)
  const holder = await startDev(['--port', '0'])
  const port = holder.address.split(':').at(-1)!
  await assert.rejects(startDev(['--port', port]), /exited with 1.*already in use/s)
  holder.child.kill('SIGTERM')
  assert.equal(await exitCode(holder.child), 0)
})
