/**
 * TLS and mutual TLS on real sockets: the gRPC port with the official SDK client and raw
 * node:tls handshakes, the HTTPS server, TLS versions, and certificates rotated on disk while
 * connections are open.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2'
import { Agent, get, type RequestOptions } from 'node:https'
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls'
import { after, before, describe, test } from 'node:test'
import { Connection, type ConnectionOptions as SdkConnectionOptions } from '@temporalio/client'
import { pino } from 'pino'
import { startGrpcServer, type GrpcServer } from '../../src/frontend/grpc-server.js'
import { startHttpServer, type HttpServer } from '../../src/frontend/http/http-server.js'
import { bindWebEndpoints } from '../../src/server/web-endpoints.js'
import {
  openFrontendTls,
  type FrontendTls,
  type FrontendTlsOptions,
} from '../../src/server/tls/frontend-tls.js'
import { createTestCerts, type TestCerts } from './test-certs.js'

const RELOAD_MS = 100
const logger = pino({ level: 'silent' })

/** Retries `fn` until it stops throwing, for up to `timeoutMs`. */
async function eventually<T>(fn: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await fn()
    } catch (e: unknown) {
      if (Date.now() > deadline) throw e
      await new Promise((r) => setTimeout(r, 25))
    }
  }
}

/** A TLS server with its own certificate files, for tests that rewrite them. */
interface Fixture {
  certs: TestCerts
  tls: FrontendTls
  port: number
  close(): Promise<void>
}

async function grpcFixture(
  opts: Partial<FrontendTlsOptions> = {},
  warnings?: string[],
): Promise<Fixture> {
  const certs = await createTestCerts()
  const tls = await openFrontendTls(
    {
      certFile: certs.files.serverCert,
      keyFile: certs.files.serverKey,
      reloadIntervalMs: RELOAD_MS,
      ...opts,
      clientCaFiles: opts.requireClientAuth ? [certs.files.ca] : undefined,
    },
    warnings ? warnLogger(warnings) : logger,
  )
  const server: GrpcServer = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    logger,
    credentials: tls.grpcCredentials,
    workflowService: { getSystemInfo: () => Promise.resolve({ serverVersion: 'x' }) },
    operatorService: {},
    shutdownGraceMs: 100,
  })
  return {
    certs,
    tls,
    port: server.port,
    async close() {
      await server.close()
      tls.close()
      await certs.cleanup()
    },
  }
}

/** A logger that keeps the message of every warning. */
function warnLogger(into: string[]) {
  return pino(
    { level: 'warn' },
    {
      write(line: string) {
        into.push((JSON.parse(line) as { msg: string }).msg)
      },
    },
  )
}

/** The SDK's connection over TLS, with the client certificate when given. */
function sdkConnect(
  f: Fixture,
  client?: { cert: string; key: string },
  extra: Partial<SdkConnectionOptions> = {},
): Promise<Connection> {
  return Connection.connect({
    address: `127.0.0.1:${f.port}`,
    tls: {
      serverRootCACertificate: Buffer.from(f.certs.ca.cert),
      // The certificate also names 127.0.0.1; an IP as TLS server name draws a Node warning.
      serverNameOverride: 'localhost',
      clientCertPair: client && { crt: Buffer.from(client.cert), key: Buffer.from(client.key) },
    },
    connectTimeout: 1000,
    ...extra,
  })
}

/** Resolves once the handshake is done (and, with TLS 1.3, once the server had time to object). */
async function handshake(port: number, opts: ConnectionOptions): Promise<TLSSocket> {
  const socket = tlsConnect({ host: '127.0.0.1', port, ALPNProtocols: ['h2'], ...opts })
  await once(socket, 'secureConnect')
  return socket
}

/** The serial number of the certificate a new connection gets. */
async function servedSerial(f: Fixture): Promise<string> {
  const socket = await handshake(f.port, { ca: f.certs.ca.cert })
  const serial = socket.getPeerCertificate().serialNumber
  socket.destroy()
  return serial
}

/**
 * Resolves with the error that ends a new connection, or with an `ECONNCLOSED` error when the
 * server closes it without one; rejects when it stays open for a second. With TLS 1.3 the client
 * sends its certificate after it considers the handshake done, so the server's refusal comes
 * after `secureConnect`, and Node reports an alert then as a plain close.
 */
async function refusal(port: number, opts: ConnectionOptions): Promise<NodeJS.ErrnoException> {
  const socket = tlsConnect({ host: '127.0.0.1', port, ALPNProtocols: ['h2'], ...opts })
  try {
    return await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('not refused')), 1000)
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        resolve(err)
      })
      socket.once('close', () => {
        clearTimeout(timer)
        resolve(Object.assign(new Error('closed by the server'), { code: 'ECONNCLOSED' }))
      })
    })
  } finally {
    socket.destroy()
  }
}

/** WorkflowService/GetSystemInfo by hand on an HTTP/2 session; resolves with grpc-status. */
async function rawGetSystemInfo(session: ClientHttp2Session): Promise<string | undefined> {
  const req = session.request({
    ':method': 'POST',
    ':path': '/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo',
    'content-type': 'application/grpc',
    te: 'trailers',
  })
  req.end(Buffer.alloc(5)) // one uncompressed, empty message
  req.resume()
  const [trailers] = (await once(req, 'trailers')) as [Record<string, string>]
  return trailers['grpc-status']
}

describe('gRPC over TLS', () => {
  let f: Fixture
  const warnings: string[] = []
  before(async () => {
    f = await grpcFixture({}, warnings)
  })
  after(() => f.close())

  test('the SDK client connects with the CA and calls GetSystemInfo', async () => {
    const connection = await sdkConnect(f)
    try {
      const info = await connection.workflowService.getSystemInfo({})
      assert.equal(info.serverVersion, 'x')
    } finally {
      await connection.close()
    }
  })

  test('a plaintext client fails', async () => {
    await assert.rejects(
      Connection.connect({ address: `127.0.0.1:${f.port}`, connectTimeout: 500 }),
    )
  })

  test('a client that does not trust the CA fails', async () => {
    const err = await refusal(f.port, { ca: f.certs.otherCa.cert })
    assert.match(err.message, /self.signed|unable to verify|certificate/i)
  })

  test('TLS 1.2 is accepted by default', async () => {
    const socket = await handshake(f.port, { ca: f.certs.ca.cert, maxVersion: 'TLSv1.2' })
    assert.equal(socket.getProtocol(), 'TLSv1.2')
    socket.destroy()
  })

  test('a rotated certificate reaches new connections; open ones keep working', async () => {
    const connection = await sdkConnect(f)
    const session = http2Connect(`https://127.0.0.1:${f.port}`, { ca: f.certs.ca.cert })
    try {
      await once(session, 'connect')
      assert.equal(await rawGetSystemInfo(session), '0')
      const next = await f.certs.issueServer()
      await f.certs.writeServer(next)
      await eventually(async () => assert.equal(await servedSerial(f), next.serialNumber))
      // The session opened before still has the old certificate and still answers.
      const socket = session.socket as TLSSocket
      assert.equal(socket.getPeerCertificate().serialNumber, f.certs.server.serialNumber)
      assert.equal(await rawGetSystemInfo(session), '0')
      assert.equal((await connection.workflowService.getSystemInfo({})).serverVersion, 'x')
      assert.equal(f.tls.current.leaf.serialNumber, next.serialNumber)
    } finally {
      session.close()
      await connection.close()
    }
  })

  test('broken files on reload keep the certificate in service', async () => {
    const served = await servedSerial(f)
    await writeFile(f.certs.files.serverKey, 'not a key')
    await eventually(() => Promise.resolve(assert.ok(warnings.length > 0)))
    assert.equal(await servedSerial(f), served)
    const connection = await sdkConnect(f)
    await connection.close()
    // A consistent pair is picked up again.
    const next = await f.certs.issueServer()
    await f.certs.writeServer(next)
    await eventually(async () => assert.equal(await servedSerial(f), next.serialNumber))
  })
})

describe('gRPC with mutual TLS', () => {
  let f: Fixture
  before(async () => {
    f = await grpcFixture({ requireClientAuth: true })
  })
  after(() => f.close())

  test('a client certificate from the configured CA is accepted', async () => {
    const connection = await sdkConnect(f, f.certs.client)
    try {
      assert.equal((await connection.workflowService.getSystemInfo({})).serverVersion, 'x')
    } finally {
      await connection.close()
    }
    // The raw handshake used below to see refusals stays open with a good certificate.
    const { cert, key } = f.certs.client
    await assert.rejects(refusal(f.port, { ca: f.certs.ca.cert, cert, key }), /not refused/)
  })

  test('a client without a certificate is refused at the handshake', async () => {
    const err = await refusal(f.port, { ca: f.certs.ca.cert })
    assert.match(
      err.code ?? err.message,
      /CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|ECONNRESET|ECONNCLOSED/,
    )
    await assert.rejects(sdkConnect(f, undefined, { connectTimeout: 500 }))
  })

  test('a client certificate from another CA is refused', async () => {
    const { cert, key } = f.certs.otherClient
    const err = await refusal(f.port, { ca: f.certs.ca.cert, cert, key })
    assert.match(err.code ?? err.message, /UNKNOWN_CA|BAD_CERTIFICATE|ECONNRESET|ECONNCLOSED/)
    await assert.rejects(sdkConnect(f, f.certs.otherClient, { connectTimeout: 500 }))
  })
})

describe('TLS versions', () => {
  let f: Fixture
  before(async () => {
    f = await grpcFixture({ minVersion: '1.3' })
  })
  after(() => f.close())

  test("minVersion '1.3' refuses a TLS 1.2 client and takes a TLS 1.3 one", async () => {
    const err = await refusal(f.port, { ca: f.certs.ca.cert, maxVersion: 'TLSv1.2' })
    assert.match(
      err.code ?? err.message,
      /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|ECONNRESET|ECONNCLOSED/,
    )
    const socket = await handshake(f.port, { ca: f.certs.ca.cert })
    assert.equal(socket.getProtocol(), 'TLSv1.3')
    socket.destroy()
  })

  test('minVersion stays in force after a reload', async () => {
    const next = await f.certs.issueServer()
    await f.certs.writeServer(next)
    await eventually(async () => assert.equal(await servedSerial(f), next.serialNumber))
    await refusal(f.port, { ca: f.certs.ca.cert, maxVersion: 'TLSv1.2' })
  })
})

/** A GET over HTTPS: status, body and the serial number of the server's certificate. */
async function httpsGet(
  url: string,
  opts: RequestOptions,
): Promise<{ status: number; body: string; serial: string }> {
  return new Promise((resolve, reject) => {
    get(url, opts, (res) => {
      const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, serial }))
    }).on('error', reject)
  })
}

describe('HTTPS', () => {
  let certs: TestCerts
  let tls: FrontendTls
  let server: HttpServer
  let url: string
  before(async () => {
    certs = await createTestCerts()
    tls = await openFrontendTls(
      {
        certFile: certs.files.serverCert,
        keyFile: certs.files.serverKey,
        reloadIntervalMs: RELOAD_MS,
      },
      logger,
    )
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      name: 'test',
      tls: tls.http,
      handle: (_req, res) => {
        res.end('ok')
        return Promise.resolve()
      },
    })
    url = `https://127.0.0.1:${server.port}/`
  })
  after(async () => {
    await server.close()
    tls.close()
    await certs.cleanup()
  })

  test('answers a client that trusts the CA', async () => {
    const res = await httpsGet(url, { ca: certs.ca.cert, agent: false })
    assert.deepEqual([res.status, res.body], [200, 'ok'])
    await assert.rejects(httpsGet(url, { agent: false }), /self.signed|unable to verify/i)
  })

  test('a rotated certificate reaches new connections; open ones keep working', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: certs.ca.cert })
    try {
      const before = await httpsGet(url, { agent })
      assert.equal(before.serial, certs.server.serialNumber)
      const next = await certs.issueServer()
      await certs.writeServer(next)
      await eventually(async () => {
        const res = await httpsGet(url, { ca: certs.ca.cert, agent: false })
        assert.equal(res.serial, next.serialNumber)
      })
      const reused = await httpsGet(url, { agent })
      assert.deepEqual([reused.status, reused.serial], [200, certs.server.serialNumber])
    } finally {
      agent.destroy()
    }
  })
})

describe('HTTPS with mutual TLS, through the web endpoints', () => {
  test('the HTTP API and the Web UI serve HTTPS and require a client certificate', async () => {
    const certs = await createTestCerts()
    const tls = await openFrontendTls(
      {
        certFile: certs.files.serverCert,
        keyFile: certs.files.serverKey,
        clientCaFiles: [certs.files.ca],
        requireClientAuth: true,
      },
      logger,
    )
    const web = await bindWebEndpoints({
      host: '127.0.0.1',
      http: { port: 0 },
      ui: { port: 0 },
      logger,
      tls: tls.http,
    })
    try {
      const client = { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key }
      for (const port of [web.httpPort, web.uiPort]) {
        const base = `https://127.0.0.1:${port}`
        // Not serving yet: the API answers UNAVAILABLE, over TLS.
        const res = await httpsGet(`${base}/api/v1/namespaces`, { ...client, agent: false })
        assert.equal(res.status, 503)
        await assert.rejects(httpsGet(`${base}/`, { ca: certs.ca.cert, agent: false }))
        const { cert, key } = certs.otherClient
        await assert.rejects(httpsGet(`${base}/`, { ca: certs.ca.cert, cert, key, agent: false }))
      }
    } finally {
      await web.close()
      tls.close()
      await certs.cleanup()
    }
  })
})
