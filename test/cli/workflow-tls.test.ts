/**
 * The client flags that only matter on the way to the server: `--tls-ca-path`,
 * `--tls-server-name`, `--tls-disable-host-verification`, `--tls-cert-path`/`--tls-key-path`,
 * `--api-key` and `--grpc-meta`, checked on the wire: a small grpc-js server with TLS
 * (certificates from `openssl`) answers GetSystemInfo and ListWorkflowExecutions and records the
 * headers it received (test/security/secure-server.test.ts runs the CLI against Sundial's own TLS
 * and authorization).
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import { workflowServiceDefinition } from '../../src/frontend/service-definitions.js'
import { spawnSundial } from './cli-process.js'

const dir = mkdtempSync(join(tmpdir(), 'sundial-cli-tls-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** A self-signed certificate for `names` (subjectAltName entries), or undefined without openssl. */
function certificate(file: string, names: string): boolean {
  try {
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=sundial'],
        ...['-keyout', join(dir, `${file}.key`), '-out', join(dir, `${file}.pem`)],
        ...['-addext', `subjectAltName=${names}`],
      ],
      { stdio: 'ignore' },
    )
    return true
  } catch {
    return false
  }
}

const haveOpenssl =
  certificate('server', 'DNS:tls.sundial.test') && certificate('client', 'DNS:client')
const skip = haveOpenssl ? false : 'openssl is not installed'
const pem = (file: string) => readFileSync(join(dir, file))

/** Headers of the ListWorkflowExecutions calls the server answered. */
const seen: grpc.Metadata[] = []
const servers: grpc.Server[] = []
let address = ''
let mtlsAddress = ''

async function serve(credentials: grpc.ServerCredentials): Promise<string> {
  const server = new grpc.Server()
  server.addService(workflowServiceDefinition().definition, {
    getSystemInfo: (_call: unknown, done: grpc.sendUnaryData<object>) => done(null, {}),
    listWorkflowExecutions: (
      call: grpc.ServerUnaryCall<unknown, unknown>,
      done: grpc.sendUnaryData<object>,
    ) => {
      seen.push(call.metadata)
      done(null, { executions: [] })
    },
  })
  servers.push(server)
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (e, p) => (e ? reject(e) : resolve(p))),
  )
  return `127.0.0.1:${port}`
}

before(async () => {
  if (!haveOpenssl) return
  const keyPair = [{ cert_chain: pem('server.pem'), private_key: pem('server.key') }]
  address = await serve(grpc.ServerCredentials.createSsl(null, keyPair))
  // This one accepts only clients with a certificate signed by the client CA (self-signed here).
  mtlsAddress = await serve(grpc.ServerCredentials.createSsl(pem('client.pem'), keyPair, true))
})
after(() => servers.forEach((s) => s.forceShutdown()))

async function list(target: string, flags: string[], env: Record<string, string> = {}) {
  const cli = spawnSundial(['workflow', 'list', '--address', target, ...flags], env)
  return { code: await cli.exit, ...cli.out }
}

test(
  'the server certificate is checked against --tls-ca-path and its host name',
  { skip },
  async () => {
    const ca = join(dir, 'server.pem')
    const [named, noCa, wrongName, unchecked] = await Promise.all([
      list(address, ['--tls-ca-path', ca, '--tls-server-name', 'tls.sundial.test']),
      list(address, ['--tls', '--tls-server-name', 'tls.sundial.test']),
      list(address, ['--tls-ca-path', ca]),
      list(address, ['--tls-ca-path', ca, '--tls-disable-host-verification']),
    ])
    assert.equal(named.code, 0, named.stderr)
    assert.equal(named.stdout, '  Status  WorkflowId  Type  StartTime\n')
    // Node may warn first that grpc-js sets an IP address as the TLS server name (DEP0123).
    assert.equal(noCa.code, 1)
    assert.match(
      noCa.stderr,
      /sundial: connecting to 127\.0\.0\.1:\d+ failed: .*\(UNAVAILABLE\)\n$/,
    )
    assert.equal(wrongName.code, 1)
    assert.match(wrongName.stderr, /failed: .*ERR_TLS_CERT_ALTNAME_INVALID.*\(UNAVAILABLE\)\n$/)
    assert.equal(unchecked.code, 0, unchecked.stderr)
  },
)

test('--api-key and --grpc-meta reach the server as headers', { skip }, async () => {
  seen.length = 0
  const r = await list(
    address,
    ['--tls-server-name', 'tls.sundial.test', '--grpc-meta', 'x-team=blue', '--api-key', 'secret'],
    { TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'server.pem') },
  )
  assert.equal(r.code, 0, r.stderr)
  assert.equal(seen.length, 1)
  assert.deepEqual(seen[0]!.get('authorization'), ['Bearer secret'])
  assert.deepEqual(seen[0]!.get('x-team'), ['blue'])
  assert.deepEqual(seen[0]!.get('temporal-namespace'), ['default'])
})

test('a client certificate is sent with --tls-cert-path and --tls-key-path', { skip }, async () => {
  const tls = ['--tls-ca-path', join(dir, 'server.pem'), '--tls-server-name', 'tls.sundial.test']
  const [withCert, without, keyOnly] = await Promise.all([
    list(mtlsAddress, [
      ...tls,
      ...['--tls-cert-path', join(dir, 'client.pem'), '--tls-key-path', join(dir, 'client.key')],
    ]),
    list(mtlsAddress, tls),
    list(mtlsAddress, [...tls, '--tls-key-path', join(dir, 'client.key')]),
  ])
  assert.equal(withCert.code, 0, withCert.stderr)
  assert.equal(without.code, 1)
  assert.match(without.stderr, /\(UNAVAILABLE\)\n$/)
  assert.equal(keyOnly.code, 1)
  assert.equal(
    keyOnly.stderr,
    'sundial: --tls-cert-path and --tls-key-path must be given together\n',
  )
})
