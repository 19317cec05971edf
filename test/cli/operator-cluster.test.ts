/**
 * `sundial operator cluster describe | health` run as a subprocess against an in-process gRPC
 * server serving GetClusterInfo and the AdminService over a cluster view of two members.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { pino } from 'pino'
import { createAdminHandlers } from '../../src/frontend/admin-service.js'
import { bindGrpcServer, startGrpcServer, type GrpcServer } from '../../src/frontend/grpc-server.js'
import { createSystemHandlers } from '../../src/frontend/handlers/system.js'
import type { MemberRecord } from '../../src/persistence/store.js'
import type { ClusterView } from '../../src/server/cluster/cluster-view.js'
import { spawnSundial } from './cli-process.js'

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5)

function member(hostId: string, port: number, roles: string[]): MemberRecord {
  return {
    hostId,
    internalAddress: `127.0.0.1:${port}`,
    rpcAddress: roles.includes('frontend') ? '127.0.0.1:7233' : '',
    roles,
    sessionStart: T0,
    lastHeartbeat: T0 + port,
    recordExpiry: T0 + 60_000,
  }
}

const a = member('host-a', 7001, ['frontend', 'history'])
const b = member('host-b', 7002, ['history', 'matching'])
const view: ClusterView = {
  numHistoryShards: 3,
  self: () => a,
  members: () => Promise.resolve([a, b]),
  shards: () =>
    Promise.resolve([
      { shardId: 1, rangeId: 7, owner: 'host-a' },
      { shardId: 2, rangeId: 8, owner: 'host-b' },
      { shardId: 3, rangeId: 9, owner: 'host-b' },
    ]),
}

const logger = pino({ level: 'silent' })
let server: GrpcServer

before(async () => {
  server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    logger,
    workflowService: createSystemHandlers({ persistenceStore: 'sqlite', historyShardCount: 3 }),
    operatorService: {},
    adminService: createAdminHandlers(view, { clusterName: 'active', persistenceStore: 'sqlite' }),
  })
})
after(() => server.close())

async function sundial(args: string[], port = server.port) {
  const cli = spawnSundial([...args, '--address', `127.0.0.1:${port}`])
  const code = await cli.exit
  return { code, ...cli.out }
}

/** The lines of the section under `heading` (up to the next blank line), as cells. */
function section(stdout: string, heading: string): string[][] {
  const lines = stdout.split('\n')
  const start = lines.indexOf(heading)
  assert.ok(start >= 0, `no ${heading} in:\n${stdout}`)
  const end = lines.indexOf('', start)
  return lines.slice(start + 1, end < 0 ? undefined : end).map((l) => l.trim().split(/\s{2,}/))
}

test('cluster describe: settings, members, shards with --detail, and JSON', async () => {
  const [text, detail, json] = await Promise.all([
    sundial(['operator', 'cluster', 'describe']),
    sundial(['operator', 'cluster', 'describe', '--detail']),
    sundial(['operator', 'cluster', 'describe', '-o', 'json']),
  ])
  assert.equal(text.code, 0, text.stderr)
  const fields = Object.fromEntries(
    text.stdout
      .split('\n\n')[0]!
      .split('\n')
      .map((l) => l.trim().split(/\s{2,}/)),
  ) as Record<string, string>
  assert.deepEqual(fields, {
    ClusterName: 'active',
    PersistenceStore: 'sqlite',
    VisibilityStore: 'sqlite',
    HistoryShardCount: '3',
    CurrentHost: '127.0.0.1:7001',
  })
  assert.deepEqual(section(text.stdout, 'Members:'), [
    ['HostId', 'InternalAddress', 'RpcAddress', 'Roles', 'LastHeartbeat', 'Shards'],
    [
      'host-a',
      '127.0.0.1:7001',
      '127.0.0.1:7233',
      'frontend,history',
      new Date(T0 + 7001).toISOString(),
      '1',
    ],
    // No frontend: the empty address leaves its column blank.
    ['host-b', '127.0.0.1:7002', 'history,matching', new Date(T0 + 7002).toISOString(), '2'],
  ])
  assert.ok(!text.stdout.includes('Shards:'), text.stdout)

  assert.equal(detail.code, 0, detail.stderr)
  assert.deepEqual(section(detail.stdout, 'Shards:'), [
    ['ShardId', 'OwnerHostId', 'OwnerAddress', 'RangeId'],
    ['1', 'host-a', '127.0.0.1:7001', '7'],
    ['2', 'host-b', '127.0.0.1:7002', '8'],
    ['3', 'host-b', '127.0.0.1:7002', '9'],
  ])

  assert.equal(json.code, 0, json.stderr)
  const doc = JSON.parse(json.stdout) as Record<string, unknown>
  assert.equal(doc.clusterName, 'active')
  assert.equal(doc.historyShardCount, 3)
  assert.equal(doc.currentHost, 'host-a')
  assert.deepEqual(doc.members, [
    {
      hostId: 'host-a',
      internalAddress: '127.0.0.1:7001',
      rpcAddress: '127.0.0.1:7233',
      roles: ['frontend', 'history'],
      sessionStartTime: new Date(T0).toISOString(),
      lastHeartbeatTime: new Date(T0 + 7001).toISOString(),
      shardsOwned: 1,
    },
    {
      hostId: 'host-b',
      internalAddress: '127.0.0.1:7002',
      rpcAddress: '',
      roles: ['history', 'matching'],
      sessionStartTime: new Date(T0).toISOString(),
      lastHeartbeatTime: new Date(T0 + 7002).toISOString(),
      shardsOwned: 2,
    },
  ])
  assert.deepEqual((doc.shards as unknown[]).length, 3)
})

test('cluster health: SERVING exits 0, a server not serving yet exits 1', async () => {
  const serving = await sundial(['operator', 'cluster', 'health'])
  assert.equal(serving.code, 0, serving.stderr)
  assert.equal(serving.stdout, 'temporal.api.workflowservice.v1.WorkflowService: SERVING\n')

  const starting = await bindGrpcServer({ host: '127.0.0.1', port: 0, logger })
  try {
    const [text, json] = await Promise.all([
      sundial(['operator', 'cluster', 'health'], starting.port),
      sundial(['operator', 'cluster', 'health', '-o', 'json'], starting.port),
    ])
    assert.equal(text.code, 1)
    assert.equal(text.stdout, 'temporal.api.workflowservice.v1.WorkflowService: NOT_SERVING\n')
    assert.equal(json.code, 1)
    assert.deepEqual(JSON.parse(json.stdout), {
      service: 'temporal.api.workflowservice.v1.WorkflowService',
      status: 'NOT_SERVING',
    })
  } finally {
    await starting.close()
  }
})
