import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import { Connection } from '@temporalio/client'
import { rethrowKnownErrorTypes } from '@temporalio/client/lib/helpers.js'
import { NamespaceNotFoundError } from '@temporalio/common'
import { pino } from 'pino'
import { api, long, NamespaceState, root, toNumber } from '../../common/proto.js'
import { msFromDuration } from '../../common/time.js'
import { SqliteStore } from '../../persistence/sqlite/sqlite-store.js'
import { startGrpcServer, type GrpcServer } from '../grpc-server.js'
import { NamespaceRegistry } from '../namespace-registry.js'
import { createNamespaceHandlers } from './namespaces.js'
import { createSystemHandlers } from './system.js'

const DAY_MS = 24 * 60 * 60 * 1000
const seconds = (s: number) => ({ seconds: long(s) })

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

/** The type names in the error's `grpc-status-details-bin` trailer. */
function detailTypes(err: grpc.ServiceError): string[] {
  const [bin] = err.metadata.get('grpc-status-details-bin')
  if (!(bin instanceof Buffer)) return []
  const status = root.google.rpc.Status.decode(bin)
  assert.equal(status.code, err.code)
  return (status.details ?? []).map((d) => d.type_url ?? '')
}

describe('namespace RPCs through @temporalio/client', () => {
  const store = SqliteStore.open()
  const registry = new NamespaceRegistry({ store: store.namespaces })
  let server: GrpcServer
  let connection: Connection
  const svc = () => connection.workflowService

  before(async () => {
    await registry.ensureDefaults(['extra'])
    server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
      workflowService: {
        ...createNamespaceHandlers({ registry, capabilities: { syncUpdate: true } }),
        ...createSystemHandlers(),
      },
      operatorService: {},
    })
    connection = await Connection.connect({ address: `127.0.0.1:${server.port}` })
  })

  after(async () => {
    await connection.close()
    await server.close()
    await store.close()
  })

  test('the default namespaces exist, with 24h retention', async () => {
    const ns = await svc().describeNamespace({ namespace: 'default' })
    assert.equal(ns.namespaceInfo?.name, 'default')
    assert.equal(ns.namespaceInfo?.state, NamespaceState.NAMESPACE_STATE_REGISTERED)
    assert.match(ns.namespaceInfo?.id ?? '', /^[0-9a-f-]{36}$/)
    assert.equal(ns.namespaceInfo?.capabilities?.syncUpdate, true)
    assert.equal(toNumber(ns.namespaceInfo?.limits?.blobSizeLimitError), 2 * 1024 * 1024)
    assert.equal(msFromDuration(ns.config?.workflowExecutionRetentionTtl), DAY_MS)
    assert.equal(
      ns.config?.historyArchivalState,
      api.enums.v1.ArchivalState.ARCHIVAL_STATE_DISABLED,
    )
    assert.equal(ns.replicationConfig?.activeClusterName, 'active')
    assert.deepEqual(
      (ns.replicationConfig?.clusters ?? []).map((c) => c.clusterName),
      ['active'],
    )
    assert.equal(ns.isGlobalNamespace, false)
    assert.equal(toNumber(ns.failoverVersion), 0)

    const byId = await svc().describeNamespace({ id: ns.namespaceInfo?.id ?? '' })
    assert.equal(byId.namespaceInfo?.name, 'default')
    const extra = await svc().describeNamespace({ namespace: 'extra' })
    assert.equal(extra.namespaceInfo?.name, 'extra')
  })

  test('an unknown namespace is NOT_FOUND with a NamespaceNotFoundFailure the SDK recognises', async () => {
    const err = await grpcError(svc().describeNamespace({ namespace: 'nope' }))
    assert.equal(err.code, grpc.status.NOT_FOUND)
    assert.equal(err.details, 'Namespace nope is not found.')
    assert.deepEqual(detailTypes(err), [
      'type.googleapis.com/temporal.api.errordetails.v1.NamespaceNotFoundFailure',
    ])
    assert.throws(
      () => rethrowKnownErrorTypes(err),
      (e: unknown) => e instanceof NamespaceNotFoundError && e.namespace === 'nope',
    )
    const byId = await grpcError(svc().describeNamespace({ id: crypto.randomUUID() }))
    assert.equal(byId.code, grpc.status.NOT_FOUND)
  })

  test('describe needs exactly one of name and id', async () => {
    assert.equal((await grpcError(svc().describeNamespace({}))).code, grpc.status.INVALID_ARGUMENT)
    const both = await grpcError(svc().describeNamespace({ namespace: 'default', id: 'x' }))
    assert.equal(both.code, grpc.status.INVALID_ARGUMENT)
  })

  test('registers a namespace, and a second registration is ALREADY_EXISTS', async () => {
    await svc().registerNamespace({
      namespace: 'orders',
      description: 'order processing',
      ownerEmail: 'team@example.com',
      workflowExecutionRetentionPeriod: seconds(3 * 24 * 3600),
      data: { team: 'payments' },
    })
    const ns = await svc().describeNamespace({ namespace: 'orders' })
    assert.equal(ns.namespaceInfo?.description, 'order processing')
    assert.equal(ns.namespaceInfo?.ownerEmail, 'team@example.com')
    assert.deepEqual({ ...ns.namespaceInfo?.data }, { team: 'payments' })
    assert.equal(msFromDuration(ns.config?.workflowExecutionRetentionTtl), 3 * DAY_MS)

    const err = await grpcError(
      svc().registerNamespace({
        namespace: 'orders',
        workflowExecutionRetentionPeriod: seconds(24 * 3600),
      }),
    )
    assert.equal(err.code, grpc.status.ALREADY_EXISTS)
    assert.equal(err.details, 'Namespace "orders" already exists')
    assert.deepEqual(detailTypes(err), [
      'type.googleapis.com/temporal.api.errordetails.v1.NamespaceAlreadyExistsFailure',
    ])
  })

  test('registration validates name, retention, cluster and global flag', async () => {
    const day = seconds(24 * 3600)
    const cases: [string, Parameters<Connection['workflowService']['registerNamespace']>[0]][] = [
      ['no name', { workflowExecutionRetentionPeriod: day }],
      ['bad name', { namespace: 'has space', workflowExecutionRetentionPeriod: day }],
      ['long name', { namespace: 'n'.repeat(256), workflowExecutionRetentionPeriod: day }],
      ['no retention', { namespace: 'r0' }],
      ['short retention', { namespace: 'r1', workflowExecutionRetentionPeriod: seconds(60) }],
      ['negative retention', { namespace: 'r2', workflowExecutionRetentionPeriod: seconds(-5) }],
      [
        'global',
        { namespace: 'g', isGlobalNamespace: true, workflowExecutionRetentionPeriod: day },
      ],
      [
        'cluster',
        { namespace: 'c', activeClusterName: 'b', workflowExecutionRetentionPeriod: day },
      ],
    ]
    for (const [what, req] of cases) {
      const err = await grpcError(svc().registerNamespace(req))
      assert.equal(err.code, grpc.status.INVALID_ARGUMENT, what)
    }
    // One hour is Temporal's minimum for local namespaces.
    await svc().registerNamespace({
      namespace: 'hourly',
      workflowExecutionRetentionPeriod: seconds(3600),
    })
  })

  test('lists every namespace across pages', async () => {
    for (const n of ['p1', 'p2', 'p3']) {
      await svc().registerNamespace({
        namespace: n,
        workflowExecutionRetentionPeriod: seconds(86400),
      })
    }
    const names: string[] = []
    let token: Uint8Array | undefined
    let pages = 0
    do {
      const page = await svc().listNamespaces({ pageSize: 2, nextPageToken: token })
      assert.ok(page.namespaces.length <= 2)
      names.push(...page.namespaces.map((n) => n.namespaceInfo?.name ?? ''))
      token = page.nextPageToken.length ? page.nextPageToken : undefined
      pages++
    } while (token)
    assert.ok(pages >= 3)
    for (const n of ['default', 'extra', 'p1', 'p2', 'p3']) assert.ok(names.includes(n), n)
    assert.equal(new Set(names).size, names.length, 'no namespace listed twice')
    const all = await svc().listNamespaces({})
    assert.equal(all.namespaces.length, names.length)
    assert.equal(all.nextPageToken.length, 0)
  })

  test('updates description, owner, data and retention', async () => {
    await svc().registerNamespace({
      namespace: 'upd',
      workflowExecutionRetentionPeriod: seconds(86400),
      data: { a: '1', b: '2' },
    })
    const res = await svc().updateNamespace({
      namespace: 'upd',
      updateInfo: { description: 'new', ownerEmail: 'o@example.com', data: { b: '3', c: '4' } },
      config: { workflowExecutionRetentionTtl: seconds(7 * 86400) },
    })
    assert.equal(res.namespaceInfo?.description, 'new')
    const ns = await svc().describeNamespace({ namespace: 'upd' })
    assert.equal(ns.namespaceInfo?.description, 'new')
    assert.equal(ns.namespaceInfo?.ownerEmail, 'o@example.com')
    assert.deepEqual({ ...ns.namespaceInfo?.data }, { a: '1', b: '3', c: '4' })
    assert.equal(msFromDuration(ns.config?.workflowExecutionRetentionTtl), 7 * DAY_MS)
    // The registry's cache (which RPCs resolve namespaces through) follows the update.
    assert.equal((await registry.getByName('upd')).retentionMs, 7 * DAY_MS)

    const bad = await grpcError(
      svc().updateNamespace({
        namespace: 'upd',
        config: { workflowExecutionRetentionTtl: seconds(1) },
      }),
    )
    assert.equal(bad.code, grpc.status.INVALID_ARGUMENT)
    const missing = await grpcError(svc().updateNamespace({ namespace: 'gone', updateInfo: {} }))
    assert.equal(missing.code, grpc.status.NOT_FOUND)
  })

  test('namespace state moves only forward', async () => {
    await svc().registerNamespace({
      namespace: 'st',
      workflowExecutionRetentionPeriod: seconds(86400),
    })
    await svc().updateNamespace({
      namespace: 'st',
      updateInfo: { state: NamespaceState.NAMESPACE_STATE_DEPRECATED },
    })
    const back = await grpcError(
      svc().updateNamespace({
        namespace: 'st',
        updateInfo: { state: NamespaceState.NAMESPACE_STATE_REGISTERED },
      }),
    )
    assert.equal(back.code, grpc.status.INVALID_ARGUMENT)
    const ns = await svc().describeNamespace({ namespace: 'st' })
    assert.equal(ns.namespaceInfo?.state, NamespaceState.NAMESPACE_STATE_DEPRECATED)
  })
})

describe('NamespaceRegistry', () => {
  test('sees namespaces and updates made through another registry on the same store', async () => {
    const store = SqliteStore.open()
    try {
      const a = new NamespaceRegistry({ store: store.namespaces })
      const b = new NamespaceRegistry({ store: store.namespaces })
      await Promise.all([a.ensureDefaults([]), b.ensureDefaults([])])
      const fromA = await a.getByName('default')
      const fromB = await b.getByName('default')
      assert.equal(fromA.id, fromB.id, 'racing ensureDefaults create one namespace')

      await a.update('default', (d) => {
        if (d.namespaceInfo) d.namespaceInfo.description = 'changed by a'
      })
      assert.equal((await b.getByName('default')).detail.namespaceInfo?.description, '')
      const fresh = await b.getByName('default', { fresh: true })
      assert.equal(fresh.detail.namespaceInfo?.description, 'changed by a')
      assert.equal(fresh.notificationVersion, 2)

      // b's update starts from the store, not its cache, so it keeps a's change.
      await b.update('default', (d) => {
        if (d.namespaceInfo) d.namespaceInfo.ownerEmail = 'b@example.com'
      })
      const merged = await a.getById(fromA.id, { fresh: true })
      assert.equal(merged.detail.namespaceInfo?.description, 'changed by a')
      assert.equal(merged.detail.namespaceInfo?.ownerEmail, 'b@example.com')
    } finally {
      await store.close()
    }
  })
})
