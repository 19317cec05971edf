/**
 * One server per SQLite file: a second server started on a file that a live one serves is refused
 * before it touches the store, whether it fails on its port (the same `npm start` twice) or gets
 * a port of its own; the first keeps serving writes. A server whose shard was taken all the same
 * stops reporting itself healthy.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import { Connection } from '@temporalio/client'
import Long from 'long'
import { pino } from 'pino'
import { root } from '../../src/common/proto.js'
import { DEFAULT_NUM_HISTORY_SHARDS } from '../../src/common/shard-id.js'
import { SqliteStore } from '../../src/persistence/sqlite/sqlite-store.js'
import { createServer } from '../../src/server/server.js'
import { eventually, uid } from '../integration/harness.js'
import { spawnSundial, startSundial, type Started } from './cli-process.js'

const dir = mkdtempSync(join(tmpdir(), 'sundial-one-per-file-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** Registers a namespace: a write that needs the shard (it fails if the shard was taken). */
async function write(address: string): Promise<void> {
  const connection = await Connection.connect({ address })
  try {
    await connection.workflowService.registerNamespace({
      namespace: uid('ns'),
      workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) },
    })
    const { workflowService } = connection
    const started = await workflowService.startWorkflowExecution({
      namespace: 'default',
      workflowId: uid('wf'),
      workflowType: { name: 'anything' },
      taskQueue: { name: 'nobody-polls' },
      requestId: uid('req'),
    })
    assert.ok(started.runId)
  } finally {
    await connection.close()
  }
}

async function stop(server: Started): Promise<void> {
  server.child.kill('SIGTERM')
  assert.equal(await server.exit, 0)
}

test('a second server on the same file is refused and the first keeps serving writes', async () => {
  const db = join(dir, 'shared.db')
  const first = await startSundial(['server', 'start-dev', '-f', db, '--port', '0', '--headless'])
  try {
    await write(first.address)

    // The same command again (same port): it fails on the port, before opening the file.
    const samePort = spawnSundial(['server', 'start-dev', '-f', db, '--port', String(first.port)])
    assert.equal(await samePort.exit, 1)
    assert.match(samePort.out.stderr, new RegExp(`port ${first.port} .* already in use`))
    await write(first.address)

    // Another port, same file: refused by the file's lock, naming the file and the holder.
    const otherPort = spawnSundial(['server', 'start-dev', '-f', db, '--port', '0', '--headless'])
    assert.equal(await otherPort.exit, 1)
    assert.match(otherPort.out.stderr, new RegExp(`SQLite file ${db} is in use by process`))
    assert.match(otherPort.out.stderr, new RegExp(`process ${first.child.pid} `))
    assert.match(otherPort.out.stderr, new RegExp(`on ${first.address.replace(/\./g, '\\.')}`))
    await write(first.address)

    // Nor may a migration change the schema under it.
    const migrate = spawnSundial(['db', 'migrate', '--db', db])
    assert.equal(await migrate.exit, 1)
    assert.match(migrate.out.stderr, new RegExp(`SQLite file ${db} is in use by process`))
  } finally {
    await stop(first)
  }
  // Once the first has stopped, the file is free again.
  const next = await startSundial(['server', 'start-dev', '-f', db, '--port', '0', '--headless'])
  await write(next.address)
  await stop(next)
})

test('a server killed with SIGKILL leaves no lock behind', async () => {
  const db = join(dir, 'killed.db')
  const first = await startSundial(['server', 'start-dev', '-f', db, '--port', '0', '--headless'])
  first.child.kill('SIGKILL')
  await first.exit
  const next = await startSundial(['server', 'start-dev', '-f', db, '--port', '0', '--headless'])
  await write(next.address)
  await stop(next)
})

test('a server whose shard was taken reports NOT_SERVING and answers UNAVAILABLE', async () => {
  const filename = join(dir, 'taken.db')
  const lost: Error[] = []
  const server = await createServer({
    port: 0,
    store: { kind: 'sqlite', filename },
    logger: pino({ level: 'silent' }),
    onShardLost: (e) => lost.push(e),
  })
  const client = new grpc.Client(server.address, grpc.credentials.createInsecure())
  const { HealthCheckRequest, HealthCheckResponse } = root.grpc.health.v1
  const health = () =>
    call(client, '/grpc.health.v1.Health/Check', HealthCheckRequest, HealthCheckResponse, {})
  const { SERVING, NOT_SERVING } = HealthCheckResponse.ServingStatus
  try {
    assert.equal((await health()).status, SERVING)
    await write(server.address)
    // What a server started on the same store without the lock (by other means) does first.
    await takeShard(filename)

    const wf = root.temporal.api.workflowservice.v1
    const refused = (e: grpc.ServiceError) =>
      e.code === grpc.status.UNAVAILABLE && /shard ownership lost/.test(e.details)
    assert.equal(await startCode(server.address), grpc.status.UNAVAILABLE)
    assert.equal(lost.length, 1)
    assert.equal((await health()).status, NOT_SERVING)
    // Every call is refused now, reads too: what this server holds in memory may be stale.
    await assert.rejects(
      call(
        client,
        '/temporal.api.workflowservice.v1.WorkflowService/DescribeNamespace',
        wf.DescribeNamespaceRequest,
        wf.DescribeNamespaceResponse,
        { namespace: 'default' },
      ),
      refused,
    )
  } finally {
    client.close()
    await server.stop()
  }
})

interface Codec<T> {
  encode(message: T): { finish(): Uint8Array }
  decode(bytes: Uint8Array): T
}

/** One unary call with no SDK in between: the SDK would retry UNAVAILABLE for a long time. */
function call<Req, Res>(
  client: grpc.Client,
  path: string,
  request: Codec<Req>,
  response: Codec<Res>,
  message: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      path,
      (m: Req) => Buffer.from(request.encode(m).finish()),
      (bytes: Buffer) => response.decode(bytes),
      message,
      (err, res) => (err || !res ? reject(err ?? new Error('no response')) : resolve(res)),
    ),
  )
}

/** Takes every shard of the file (16, the default) as a second server would, bypassing the lock. */
async function takeShard(filename: string): Promise<void> {
  const intruder = SqliteStore.open({ filename })
  for (let shardId = 1; shardId <= DEFAULT_NUM_HISTORY_SHARDS; shardId++) {
    await intruder.cluster.acquireShard({ shardId, owner: 'intruder' })
  }
  await intruder.close()
}

/** Starts a workflow with no SDK retries: resolves with the gRPC code (0 when it started). */
async function startCode(address: string): Promise<number> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure())
  const wf = root.temporal.api.workflowservice.v1
  try {
    await call(
      client,
      '/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution',
      wf.StartWorkflowExecutionRequest,
      wf.StartWorkflowExecutionResponse,
      {
        namespace: 'default',
        workflowId: uid('wf'),
        workflowType: { name: 'anything' },
        taskQueue: { name: 'nobody-polls' },
        requestId: uid('req'),
      },
    )
    return grpc.status.OK
  } catch (e: unknown) {
    return (e as grpc.ServiceError).code
  } finally {
    client.close()
  }
}

test('server start exits on shard loss, or with --on-shard-loss reacquire serves again', async () => {
  const exiting = join(dir, 'exit.db')
  const args = (db: string) => ['server', 'start', '--db', db, '--migrate', '--port', '0']
  const first = await startSundial(args(exiting))
  await takeShard(exiting)
  assert.equal(await startCode(first.address), grpc.status.UNAVAILABLE)
  assert.equal(await first.exit, 1)
  assert.match(first.out.stderr, /another server took the store \(exit\)/)

  const reacquiring = join(dir, 'reacquire.db')
  const port = await freePort()
  const second = await startSundial([
    ...args(reacquiring).slice(0, -1),
    String(port),
    '--on-shard-loss',
    'reacquire',
  ])
  try {
    await takeShard(reacquiring)
    assert.equal(await startCode(second.address), grpc.status.UNAVAILABLE)
    // Restarted in-process on the same port, with the shard taken back.
    await eventually(async () => assert.equal(await startCode(second.address), grpc.status.OK))
    assert.equal(second.child.exitCode, null)
  } finally {
    await stop(second)
  }
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}
