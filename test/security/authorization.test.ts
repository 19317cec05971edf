/**
 * Temporal's default authorizer behind JWT authentication, end to end: every RPC of every service
 * against every kind of caller, the audit log, and the answers a real `@temporalio/client` gets
 * over gRPC. Token checks and key rotation are in `src/frontend/auth/authorizer.test.ts`.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Writable } from 'node:stream'
import { status } from '@grpc/grpc-js'
import { Connection } from '@temporalio/client'
import { pino } from 'pino'
import {
  createAuthorizer,
  type Authorizer,
  type AuthorizerDeps,
} from '../../src/frontend/auth/authorizer.js'
import type { CallTarget } from '../../src/frontend/auth/call-authorizer.js'
import { methodMetadata, WORKER_APIS } from '../../src/frontend/auth/method-metadata.js'
import { startGrpcServer } from '../../src/frontend/grpc-server.js'
import { createSystemHandlers } from '../../src/frontend/handlers/system.js'
import {
  OPERATOR_SERVICE,
  WORKFLOW_SERVICE,
  operatorServiceDefinition,
  testServiceDefinition,
  workflowServiceDefinition,
} from '../../src/frontend/service-definitions.js'
import { JwksServer, metadataWith, options, outcome, type Outcome } from './jwks-server.js'

const NS = 'orders'
const silent = pino({ level: 'silent' })

/** The caller kinds of the matrix, by the permissions their token carries. */
const CALLERS: Record<string, string[] | undefined> = {
  'no token': undefined,
  [`${NS}:read`]: [`${NS}:read`],
  [`${NS}:write`]: [`${NS}:write`],
  [`${NS}:worker`]: [`${NS}:worker`],
  [`${NS}:admin`]: [`${NS}:admin`],
  'other-ns:admin': ['other-ns:admin'],
  'temporal-system:admin': ['temporal-system:admin'],
}

/** What each caller may do, from the method table alone (Temporal's default authorizer rules). */
function expected(target: CallTarget, caller: string): Outcome {
  if (target.service === WORKFLOW_SERVICE && target.rpc === 'GetSystemInfo') return 'allow'
  if (caller === 'no token') return 'UNAUTHENTICATED'
  if (caller === 'temporal-system:admin') return 'allow'
  const m = methodMetadata(target.service, target.rpc)
  assert.ok(m, `${target.rpc} is classified`)
  if (m.scope === 'cluster') return 'PERMISSION_DENIED'
  const grants: Record<string, string[]> = {
    [`${NS}:read`]: ['readOnly'],
    [`${NS}:write`]: ['readOnly', 'write'],
    [`${NS}:admin`]: ['readOnly', 'write', 'admin'],
  }
  if (caller === `${NS}:worker`) {
    return target.service === WORKFLOW_SERVICE && WORKER_APIS.has(target.rpc)
      ? 'allow'
      : 'PERMISSION_DENIED'
  }
  return grants[caller]?.includes(m.access) ? 'allow' : 'PERMISSION_DENIED'
}

describe('authorization', () => {
  let idp: JwksServer
  let auth: Authorizer
  const audit: Record<string, unknown>[] = []
  const tokens = new Map<string, string | undefined>()
  const deps = (more: Partial<AuthorizerDeps> = {}): AuthorizerDeps => ({
    logger: silent,
    auditLogger: pino(
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          audit.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
          cb()
        },
      }),
    ),
    ...more,
  })

  before(async () => {
    idp = await JwksServer.start('ES256')
    await idp.addKey('RS256')
    auth = createAuthorizer(options(idp), deps())
    for (const [caller, permissions] of Object.entries(CALLERS)) {
      tokens.set(caller, permissions && (await idp.token(permissions, { subject: caller })))
    }
  })

  after(async () => {
    auth.close()
    await idp.close()
  })

  const services = [
    workflowServiceDefinition(),
    operatorServiceDefinition(),
    testServiceDefinition(),
  ]
  for (const service of services) {
    test(`every ${service.fullName.split('.').at(-1)} method × every caller`, async () => {
      const mismatches: string[] = []
      for (const method of service.methods) {
        const target = { service: service.fullName, rpc: method.name, namespace: NS }
        for (const [caller, token] of tokens) {
          const md = metadataWith(token === undefined ? undefined : `Bearer ${token}`)
          const got = await outcome(auth, target, md)
          const want = expected(target, caller)
          if (got !== want) mismatches.push(`${method.name} as ${caller}: ${got}, want ${want}`)
        }
      }
      assert.deepEqual(mismatches, [])
    })
  }

  test('spot checks, independent of the table', async () => {
    const as = async (caller: string, service: string, rpc: string, namespace = NS) => {
      const token = tokens.get(caller)
      const md = metadataWith(token === undefined ? undefined : `Bearer ${token}`)
      return outcome(auth, { service, rpc, namespace }, md)
    }
    const deny = 'PERMISSION_DENIED'
    assert.equal(await as(`${NS}:write`, WORKFLOW_SERVICE, 'StartWorkflowExecution'), 'allow')
    assert.equal(await as(`${NS}:read`, WORKFLOW_SERVICE, 'StartWorkflowExecution'), deny)
    assert.equal(await as(`${NS}:read`, WORKFLOW_SERVICE, 'QueryWorkflow'), 'allow')
    // The worker role polls, answers and heartbeats, and does nothing else.
    assert.equal(await as(`${NS}:worker`, WORKFLOW_SERVICE, 'PollWorkflowTaskQueue'), 'allow')
    assert.equal(
      await as(`${NS}:worker`, WORKFLOW_SERVICE, 'RespondActivityTaskCompleted'),
      'allow',
    )
    assert.equal(await as(`${NS}:worker`, WORKFLOW_SERVICE, 'StartWorkflowExecution'), deny)
    assert.equal(await as(`${NS}:worker`, WORKFLOW_SERVICE, 'TerminateWorkflowExecution'), deny)
    assert.equal(await as(`${NS}:worker`, WORKFLOW_SERVICE, 'PollWorkflowTaskQueue', 'x'), deny)
    assert.equal(await as(`${NS}:write`, WORKFLOW_SERVICE, 'PollActivityTaskQueue'), 'allow')
    assert.equal(await as(`${NS}:admin`, WORKFLOW_SERVICE, 'RegisterNamespace'), 'allow')
    assert.equal(await as(`${NS}:write`, WORKFLOW_SERVICE, 'UpdateNamespace'), deny)
    assert.equal(await as(`${NS}:admin`, WORKFLOW_SERVICE, 'ListNamespaces', ''), deny)
    assert.equal(await as(`${NS}:admin`, OPERATOR_SERVICE, 'ListClusters', ''), deny)
    assert.equal(await as(`${NS}:admin`, OPERATOR_SERVICE, 'AddSearchAttributes'), 'allow')
    assert.equal(await as(`${NS}:admin`, OPERATOR_SERVICE, 'AddSearchAttributes', 'Orders'), deny)
    assert.equal(await as('other-ns:admin', WORKFLOW_SERVICE, 'DescribeNamespace'), deny)
    assert.equal(
      await as('other-ns:admin', WORKFLOW_SERVICE, 'DescribeNamespace', 'other-ns'),
      'allow',
    )
    assert.equal(await as('temporal-system:admin', OPERATOR_SERVICE, 'ListClusters', ''), 'allow')
    assert.equal(await as('temporal-system:admin', WORKFLOW_SERVICE, 'NoSuchMethod'), deny)
    assert.equal(await as('temporal-system:admin', 'grpc.health.v1.Health', 'Watch', ''), deny)
    assert.equal(await as('no token', 'grpc.health.v1.Health', 'Check', ''), 'allow')
  })

  test('audits denied calls and allowed admin calls, one JSON line each', async () => {
    const admin = tokens.get(`${NS}:admin`)
    const reader = tokens.get(`${NS}:read`)
    assert.ok(admin && reader)
    const call = (service: string, rpc: string, token: string | undefined) =>
      outcome(auth, { service, rpc, namespace: NS }, metadataWith(token && `Bearer ${token}`))
    audit.length = 0
    assert.equal(await call(OPERATOR_SERVICE, 'AddSearchAttributes', admin), 'allow')
    assert.equal(await call(WORKFLOW_SERVICE, 'StartWorkflowExecution', admin), 'allow')
    assert.equal(
      await call(WORKFLOW_SERVICE, 'StartWorkflowExecution', reader),
      'PERMISSION_DENIED',
    )
    assert.equal(await call(WORKFLOW_SERVICE, 'DescribeNamespace', undefined), 'UNAUTHENTICATED')
    const pick = ({
      subject,
      rpc,
      namespace,
      decision,
      reason,
      peer,
    }: Record<string, unknown>) => ({
      subject,
      rpc,
      namespace,
      decision,
      reason,
      peer,
    })
    assert.deepEqual(audit.map(pick), [
      {
        subject: `${NS}:admin`,
        rpc: 'AddSearchAttributes',
        namespace: NS,
        decision: 'allow',
        reason: 'namespace:admin',
        peer: 'ipv4:127.0.0.1:1234',
      },
      {
        subject: `${NS}:read`,
        rpc: 'StartWorkflowExecution',
        namespace: NS,
        decision: 'deny',
        reason: 'missing role',
        peer: 'ipv4:127.0.0.1:1234',
      },
      {
        subject: '',
        rpc: 'DescribeNamespace',
        namespace: NS,
        decision: 'deny',
        reason: 'Request unauthenticated: no bearer token.',
        peer: 'ipv4:127.0.0.1:1234',
      },
    ])
  })

  test('over gRPC with @temporalio/client', async () => {
    const server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      logger: silent,
      authorize: auth.authorize,
      workflowService: {
        ...createSystemHandlers(),
        describeNamespace: () => Promise.resolve({ namespaceInfo: { name: NS } }),
        startWorkflowExecution: () => Promise.resolve({ runId: 'run-1' }),
      },
      operatorService: { listClusters: () => Promise.resolve({ clusters: [] }) },
    })
    const address = `127.0.0.1:${server.port}`
    const connect = (caller: string) => {
      const token = tokens.get(caller)
      const metadata: Record<string, string> =
        token === undefined ? {} : { authorization: `Bearer ${token}` }
      return Connection.connect({ address, metadata })
    }
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'OK',
        (e: unknown) => (e instanceof Error && 'code' in e ? status[e.code as status] : String(e)),
      )
    const opened: Connection[] = []
    try {
      // GetSystemInfo (which connect calls) needs no token.
      const anonymous = await connect('no token')
      const reader = await connect(`${NS}:read`)
      const writer = await connect(`${NS}:write`)
      const system = await connect('temporal-system:admin')
      opened.push(anonymous, reader, writer, system)
      const describe = (c: Connection) => c.workflowService.describeNamespace({ namespace: NS })
      const start = (c: Connection) =>
        c.workflowService.startWorkflowExecution({ namespace: NS, workflowId: 'w' })
      assert.equal(await code(anonymous.workflowService.getSystemInfo({})), 'OK')
      assert.equal(await code(describe(anonymous)), 'UNAUTHENTICATED')
      assert.equal(await code(describe(reader)), 'OK')
      assert.equal(await code(start(reader)), 'PERMISSION_DENIED')
      await assert.rejects(start(reader), { details: 'Request unauthorized.' })
      assert.equal(await code(start(writer)), 'OK')
      assert.equal(await code(writer.operatorService.listClusters({})), 'PERMISSION_DENIED')
      assert.equal(await code(system.operatorService.listClusters({})), 'OK')
      // A bad token fails at connect, as with Temporal.
      const expired = await idp.sign({ permissions: [`${NS}:admin`] }, { expiresInSeconds: -60 })
      await assert.rejects(
        Connection.connect({ address, metadata: { authorization: `Bearer ${expired}` } }),
        (e: unknown) => {
          const cause = e instanceof Error ? (e.cause as { code?: number } | undefined) : undefined
          return cause?.code === status.UNAUTHENTICATED
        },
      )
    } finally {
      await Promise.all(opened.map((c) => c.close()))
      await server.close()
    }
  })
})
