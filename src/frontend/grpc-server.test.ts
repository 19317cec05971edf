import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { once } from 'node:events'
import { connect } from 'node:http2'
import { Writable } from 'node:stream'
import * as grpc from '@grpc/grpc-js'
import { Connection } from '@temporalio/client'
import { pino } from 'pino'
import { InvalidArgumentError } from '../common/errors.js'
import { SqliteStore } from '../persistence/sqlite/sqlite-store.js'
import { installFastDecompression } from './grpc-decompression.js'
import { startGrpcServer, type GrpcServer } from './grpc-server.js'
import { createNamespaceHandlers } from './handlers/namespaces.js'
import { createSystemHandlers, DEFAULT_SYSTEM_CAPABILITIES } from './handlers/system.js'
import { NamespaceRegistry } from './namespace-registry.js'
import { healthServiceDefinition, workflowServiceDefinition } from './service-definitions.js'

/** A gRPC failure as @grpc/grpc-js hands it to clients. */
function isGrpcError(e: unknown): e is grpc.ServiceError {
  return e instanceof Error && 'code' in e && 'metadata' in e
}

async function grpcError(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p
  } catch (e: unknown) {
    if (isGrpcError(e)) return e
    throw e
  }
  assert.fail('expected the call to fail')
}

const SERVING = 1

function def(method: string): grpc.MethodDefinition<unknown, unknown> {
  const m = workflowServiceDefinition().definition[method]
  if (!m) throw new Error(`no method ${method}`)
  return m
}

interface HealthClient {
  check(
    req: { service: string },
    cb: (err: grpc.ServiceError | null, res?: { status: number }) => void,
  ): grpc.ClientUnaryCall
  watch(req: { service: string }): grpc.ClientReadableStream<{ status: number }>
  close(): void
}

/** Resolves with the reason when the signal aborts. */
function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    signal.addEventListener('abort', () => resolve(signal.reason), { once: true })
  })
}

describe('gRPC server', () => {
  const logLines: string[] = []
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(chunk.toString())
        cb()
      },
    }),
  )
  const store = SqliteStore.open()
  /** Signals of poll calls the server started, in order. */
  const pollSignals: AbortSignal[] = []
  let onPoll: ((signal: AbortSignal) => void) | undefined
  let server: GrpcServer
  let connection: Connection
  let address: string

  before(async () => {
    const registry = new NamespaceRegistry({ store: store.namespaces })
    await registry.ensureDefaults([])
    server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      workflowService: {
        ...createNamespaceHandlers({ registry }),
        ...createSystemHandlers(),
        // A long poll that answers empty once its call is cancelled, timed out or shut down.
        async pollWorkflowTaskQueue(_req, ctx) {
          pollSignals.push(ctx.signal)
          onPoll?.(ctx.signal)
          await aborted(ctx.signal)
          return {}
        },
        signalWorkflowExecution() {
          throw new Error('secret database path /var/lib/x')
        },
        terminateWorkflowExecution() {
          return Promise.reject(new InvalidArgumentError('WorkflowId is not set on request.'))
        },
      },
      operatorService: {},
    })
    address = `127.0.0.1:${server.port}`
    connection = await Connection.connect({ address })
  })

  after(async () => {
    await connection.close()
    await server.close()
    await store.close()
  })

  test('binds a random port and answers GetSystemInfo', async () => {
    assert.ok(server.port > 0)
    const info = await connection.workflowService.getSystemInfo({})
    assert.equal(info.serverVersion, '0.1.0')
    assert.equal(info.capabilities?.signalAndQueryHeader, true)
    assert.equal(info.capabilities?.sdkMetadata, true)
    assert.equal(info.capabilities?.eagerWorkflowStart, false)
    assert.equal(DEFAULT_SYSTEM_CAPABILITIES.upsertMemo, false)
  })

  test('GetClusterInfo names the cluster, store and supported clients', async () => {
    const info = await connection.workflowService.getClusterInfo({})
    assert.equal(info.clusterName, 'active')
    assert.equal(info.persistenceStore, 'sqlite')
    assert.equal(info.historyShardCount, 1)
    assert.equal(info.supportedClients['temporal-typescript'], '<2.0.0')
  })

  test('an RPC without a handler is UNIMPLEMENTED and names itself', async () => {
    const err = await grpcError(connection.workflowService.executeMultiOperation({}))
    assert.equal(err.code, grpc.status.UNIMPLEMENTED)
    assert.match(err.details, /unimplemented: ExecuteMultiOperation/)
    const op = await grpcError(connection.operatorService.listSearchAttributes({}))
    assert.equal(op.code, grpc.status.UNIMPLEMENTED)
    assert.match(op.details, /ListSearchAttributes/)
  })

  test('a ServiceError keeps its code and message', async () => {
    const err = await grpcError(connection.workflowService.terminateWorkflowExecution({}))
    assert.equal(err.code, grpc.status.INVALID_ARGUMENT)
    assert.equal(err.details, 'WorkflowId is not set on request.')
    // No typed detail, so no status trailer (as grpc-go does).
    assert.deepEqual(err.metadata.get('grpc-status-details-bin'), [])
  })

  test('any other error is logged and answered as a masked INTERNAL', async () => {
    const err = await grpcError(connection.workflowService.signalWorkflowExecution({}))
    assert.equal(err.code, grpc.status.INTERNAL)
    assert.doesNotMatch(err.details, /secret/)
    const errorId = /something went wrong, please retry \(([0-9a-f]{8})\)/.exec(err.details)?.[1]
    assert.ok(errorId, err.details)
    const logged = logLines.find((l) => l.includes(errorId))
    assert.ok(logged, 'the error is logged with its id')
    assert.match(logged, /secret database path/)
    assert.match(logged, /SignalWorkflowExecution/)
  })

  test('an oversized request is refused and the server keeps serving', async () => {
    // Without the SDK's retry interceptor, which retries RESOURCE_EXHAUSTED with backoff.
    const raw = await Connection.connect({ address, interceptors: [] })
    try {
      const err = await grpcError(
        raw.workflowService.registerNamespace({
          namespace: 'too-big',
          description: 'x'.repeat(5 * 1024 * 1024),
        }),
      )
      assert.equal(err.code, grpc.status.RESOURCE_EXHAUSTED)
      const ns = await raw.workflowService.describeNamespace({ namespace: 'default' })
      assert.equal(ns.namespaceInfo?.name, 'default')
    } finally {
      await raw.close()
    }
  })

  test('gzip-compressed requests (as the SDK core sends them) are inflated, within the limit', async () => {
    // The one-shot path is in place (a grpc-js upgrade that moves its internals shows up here).
    assert.equal(installFastDecompression(), true)
    const client = new grpc.Client(address, grpc.credentials.createInsecure(), {
      'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip,
    })
    const call = (method: string, request: object) =>
      new Promise<unknown>((resolve, reject) => {
        const m = def(method)
        client.makeUnaryRequest(
          m.path,
          m.requestSerialize,
          m.responseDeserialize,
          request,
          (err: grpc.ServiceError | null, res?: unknown) => (err ? reject(err) : resolve(res)),
        )
      })
    try {
      const ns = (await call('DescribeNamespace', { namespace: 'default' })) as {
        namespaceInfo?: { name?: string }
      }
      assert.equal(ns.namespaceInfo?.name, 'default')
      // 5 MB of one letter gzips to a few KB: the limit applies to the inflated size.
      const err = await grpcError(
        call('RegisterNamespace', { namespace: 'zip-bomb', description: 'x'.repeat(5 << 20) }),
      )
      assert.equal(err.code, grpc.status.RESOURCE_EXHAUSTED)
    } finally {
      client.close()
    }
  })

  test('a request whose gzip data is corrupt is INTERNAL and the server keeps serving', async () => {
    const session = connect(`http://${address}`)
    try {
      const req = session.request({
        ':method': 'POST',
        ':path': def('DescribeNamespace').path,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-encoding': 'gzip',
      })
      const garbage = Buffer.from('not gzip at all')
      const frame = Buffer.alloc(5 + garbage.length)
      frame.writeUInt8(1, 0)
      frame.writeUInt32BE(garbage.length, 1)
      garbage.copy(frame, 5)
      req.end(frame)
      req.resume()
      // The status comes in trailers, or in the headers of a trailers-only response.
      const status = new Promise<Record<string, unknown>>((resolve) => {
        req.on('response', (h: Record<string, unknown>) => {
          if (h['grpc-status'] !== undefined) resolve(h)
        })
        req.on('trailers', (t: Record<string, unknown>) => resolve(t))
      })
      const trailers = await status
      assert.equal(Number(trailers['grpc-status']), grpc.status.INTERNAL)
      assert.match(String(trailers['grpc-message']), /decompress/)
    } finally {
      session.close()
    }
    const ns = await connection.workflowService.describeNamespace({ namespace: 'default' })
    assert.equal(ns.namespaceInfo?.name, 'default')
  })

  test("a call's signal aborts when its deadline passes", async () => {
    const started = new Promise<AbortSignal>((resolve) => (onPoll = resolve))
    const err = await grpcError(
      // Long enough to reach the handler on a loaded machine (else the call never starts).
      connection.withDeadline(Date.now() + 1500, () =>
        connection.workflowService.pollWorkflowTaskQueue({ namespace: 'default' }),
      ),
    )
    assert.equal(err.code, grpc.status.DEADLINE_EXCEEDED)
    const reason = await aborted(await started)
    assert.match(String(reason), /deadline exceeded|cancelled/)
  })

  test("a call's signal aborts when the client cancels", async () => {
    const controller = new AbortController()
    const started = new Promise<AbortSignal>((resolve) => (onPoll = resolve))
    const call = grpcError(
      connection.withAbortSignal(controller.signal, () =>
        connection.workflowService.pollWorkflowTaskQueue({ namespace: 'default' }),
      ),
    )
    const signal = await started
    controller.abort()
    assert.equal((await call).code, grpc.status.CANCELLED)
    assert.match(String(await aborted(signal)), /cancelled/)
  })

  test('health Check answers SERVING for the server and its services; Watch streams it', async () => {
    const Health = grpc.makeGenericClientConstructor(healthServiceDefinition().definition, 'Health')
    const client = new Health(address, grpc.credentials.createInsecure()) as unknown as HealthClient
    const check = (service: string) =>
      new Promise<{ status: number }>((resolve, reject) => {
        client.check({ service }, (err, res) =>
          res ? resolve(res) : reject(err ?? new Error('no response')),
        )
      })
    try {
      assert.equal((await check('')).status, SERVING)
      assert.equal((await check('temporal.api.workflowservice.v1.WorkflowService')).status, SERVING)
      assert.equal((await check('grpc.health.v1.Health')).status, SERVING)
      assert.equal((await grpcError(check('nope'))).code, grpc.status.NOT_FOUND)

      const watch = client.watch({ service: '' })
      const [first] = (await once(watch, 'data')) as [{ status: number }]
      assert.equal(first.status, SERVING)
      watch.on('error', () => {}) // the cancellation below surfaces as an error event
      watch.cancel()
    } finally {
      client.close()
    }
  })
})

test('close() ends long polls in flight', async () => {
  let pollStarted: (() => void) | undefined
  const started = new Promise<void>((resolve) => (pollStarted = resolve))
  const server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    workflowService: {
      async pollActivityTaskQueue(_req, ctx) {
        pollStarted?.()
        await aborted(ctx.signal)
        return {}
      },
    },
    operatorService: {},
  })
  const connection = Connection.lazy({ address: `127.0.0.1:${server.port}` })
  try {
    const poll = connection.workflowService.pollActivityTaskQueue({ namespace: 'default' })
    await started
    await server.close()
    // The handler returned its empty response before the server went away.
    const res = await poll
    assert.equal(res.taskToken.length, 0)
  } finally {
    await connection.close()
  }
})
