/**
 * A production start with the security configuration: `sundial server start -c` with
 * mTLS on every port and JWT authorization against a JWKS, then the official SDK client and
 * worker, the `sundial` CLI and the HTTP API used through it with tokens of different roles.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { status } from '@grpc/grpc-js'
import { Client, Connection } from '@temporalio/client'
import { NativeConnection, Worker } from '@temporalio/worker'
import { spawnSundial, startSundial, type Started } from '../cli/cli-process.js'
import * as activities from '../integration/activities.js'
import { eventually, uid, workflowBundle } from '../integration/harness.js'
import { JwksServer } from './jwks-server.js'
import { createTestCerts, type TestCerts } from './test-certs.js'

let certs: TestCerts
let idp: JwksServer
let server: Started
let httpPort = 0

before(async () => {
  certs = await createTestCerts()
  idp = await JwksServer.start()
  const config = join(certs.dir, 'sundial.yaml')
  writeFileSync(
    config,
    [
      'global:',
      '  tls:',
      '    frontend:',
      '      server:',
      `        certFile: ${certs.files.serverCert}`,
      `        keyFile: ${certs.files.serverKey}`,
      `        clientCAFiles: [${certs.files.ca}]`,
      '        requireClientAuth: true',
      '  authorization:',
      '    jwtKeyProvider:',
      `      keySourceURIs: ["${idp.url}"]`,
      '      refreshInterval: 1m',
      '    permissionsClaimName: permissions',
      '    authorizer: default',
      '    claimMapper: default',
      'server:',
      '  httpPort: 0',
      'namespaces: [orders]',
    ].join('\n'),
  )
  server = await startSundial(['server', 'start', '-c', config, '--port', '0'], {
    SUNDIAL_DB: 'sqlite::memory:',
  })
  // The banner's HTTP API line may come after the lines startSundial waits for.
  httpPort = await eventually(async () => {
    const port = Number(/HTTP API: https:\/\/\S+:(\d+)/.exec(server.out.stdout)?.[1])
    assert.ok(port > 0, `no HTTP API line yet: ${server.out.stdout}`)
    return Promise.resolve(port)
  })
})
after(async () => {
  server?.child.kill('SIGTERM')
  await server?.exit
  await idp?.close()
  await certs?.cleanup()
})

const tls = () => ({
  serverRootCACertificate: Buffer.from(certs.ca.cert),
  clientCertPair: { crt: Buffer.from(certs.client.cert), key: Buffer.from(certs.client.key) },
  serverNameOverride: 'localhost',
})

async function client(permissions: string[] | undefined, namespace = 'default') {
  const apiKey = permissions && (await idp.token(permissions))
  const connection = await Connection.connect({ address: server.address, tls: tls(), apiKey })
  return { connection, client: new Client({ connection, namespace }) }
}

test('the SDK client and worker run a workflow over mTLS with write and worker tokens', async () => {
  const { connection, client: c } = await client(['default:write'])
  const worker = await Worker.create({
    connection: await NativeConnection.connect({
      address: server.address,
      tls: tls(),
      apiKey: await idp.token(['default:worker']),
    }),
    taskQueue: uid('secure'),
    workflowBundle: await workflowBundle(),
    activities,
    shutdownGraceTime: '1s',
  })
  try {
    const result: unknown = await worker.runUntil(
      c.workflow.execute('greeting', {
        taskQueue: worker.options.taskQueue,
        workflowId: uid('secure-wf'),
        args: ['TLS'],
      }),
    )
    assert.match(String(result), /TLS/)
  } finally {
    await connection.close()
  }
})

test('calls without a token, with one for another namespace, or a reader writing are refused', async () => {
  const none = await client(undefined)
  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'allowed',
      // The client's own error classes keep the gRPC error as their cause.
      (e: { code?: number; cause?: { code?: number } }) => e.code ?? e.cause?.code,
    )
  // GetSystemInfo (called by connect) needs no token; listing does.
  assert.equal(await code(none.client.workflow.count()), status.UNAUTHENTICATED)
  const other = await client(['orders:admin'])
  assert.equal(await code(other.client.workflow.count()), status.PERMISSION_DENIED)
  const reader = await client(['default:read'])
  assert.equal(typeof (await reader.client.workflow.count()).count, 'number')
  assert.equal(
    await code(reader.client.workflow.start('greeting', { taskQueue: 'x', workflowId: uid('r') })),
    status.PERMISSION_DENIED,
  )
  // A namespace's admin administers that namespace only; the cluster needs the system role.
  const nsAdmin = await client(['orders:admin'], 'orders')
  const op = nsAdmin.connection.operatorService
  assert.equal(await code(op.deleteNamespace({ namespace: 'default' })), status.PERMISSION_DENIED)
  const ws = nsAdmin.connection.workflowService
  assert.equal(await code(ws.listNamespaces({})), status.PERMISSION_DENIED)
  // Authorized before anything else: an RPC Sundial does not serve tells such a caller nothing.
  assert.equal(await code(op.listClusters({})), status.PERMISSION_DENIED)
  const sysAdmin = await client(['temporal-system:admin'])
  assert.equal(
    await code(sysAdmin.connection.operatorService.listClusters({})),
    status.UNIMPLEMENTED,
  )
  await sysAdmin.connection.close()
  for (const c of [none, other, reader, nsAdmin]) await c.connection.close()
})

test('a client without a certificate is refused at the handshake', async () => {
  await assert.rejects(
    Connection.connect({
      address: server.address,
      tls: { serverRootCACertificate: Buffer.from(certs.ca.cert), serverNameOverride: 'localhost' },
      apiKey: await idp.token(['temporal-system:admin']),
      connectTimeout: '3s',
    }),
  )
})

test('the CLI works with --tls-* flags and --api-key, and reports a refusal', async () => {
  const flags = [
    ...['--address', server.address, '--tls-ca-path', certs.files.ca],
    ...['--tls-cert-path', certs.files.clientCert, '--tls-key-path', certs.files.clientKey],
    ...['--tls-server-name', 'localhost'],
  ]
  const ok = spawnSundial([
    ...['operator', 'namespace', 'list', '-o', 'json'],
    ...flags,
    ...['--api-key', await idp.token(['temporal-system:admin'])],
  ])
  assert.equal(await ok.exit, 0, ok.out.stderr)
  assert.match(ok.out.stdout, /"orders"/)
  const denied = spawnSundial([
    ...['workflow', 'list'],
    ...flags,
    ...['--api-key', await idp.token(['orders:read'])],
  ])
  assert.equal(await denied.exit, 1)
  assert.match(denied.out.stderr, /Request unauthorized\. \(PERMISSION_DENIED\)/)
})

/** A GET on the HTTP API over mTLS with `token`; the status. */
function httpGet(path: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: httpPort,
        path,
        ca: certs.ca.cert,
        cert: certs.client.cert,
        key: certs.client.key,
        servername: 'localhost',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      },
      (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      },
    )
    req.on('error', reject)
    req.end()
  })
}

test('the HTTP API takes the same tokens: 401 without, 403 for another namespace, 200', async () => {
  const path = '/api/v1/namespaces/default/workflows'
  assert.equal(await httpGet(path), 401)
  assert.equal(await httpGet(path, await idp.token(['orders:read'])), 403)
  assert.equal(await httpGet(path, await idp.token(['default:read'])), 200)
  assert.equal(await httpGet('/api/v1/system-info'), 200)
})
