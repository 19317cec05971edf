import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import { pino } from 'pino'
import type { MemberRecord, ShardRecord } from '../persistence/store.js'
import type { ClusterView } from '../server/cluster/cluster-view.js'
import {
  adminRoot,
  adminServiceDefinition,
  createAdminHandlers,
  type DescribeClusterResponse,
} from './admin-service.js'
import type { CallTarget } from './auth/call-authorizer.js'
import { Role } from './auth/claims.js'
import { authorizeClaims } from './auth/default-authorizer.js'
import { bindGrpcServer, startGrpcServer, type GrpcServer } from './grpc-server.js'

const ResponseType = adminRoot.lookupType('sundial.admin.v1.DescribeClusterResponse')

interface AdminClient extends grpc.Client {
  describeCluster(
    req: object,
    cb: (err: grpc.ServiceError | null, res?: object) => void,
  ): grpc.ClientUnaryCall
}

const AdminClientCtor = grpc.makeGenericClientConstructor(
  adminServiceDefinition().definition,
  'AdminService',
) as unknown as new (address: string, credentials: grpc.ChannelCredentials) => AdminClient

function describeCluster(client: AdminClient): Promise<DescribeClusterResponse> {
  return new Promise((resolve, reject) =>
    client.describeCluster({}, (err, res) =>
      err || !res
        ? reject(err ?? new Error('no response'))
        : resolve(
            ResponseType.toObject(res as ReturnType<typeof ResponseType.decode>, {
              longs: Number,
              defaults: true,
              arrays: true,
            }) as DescribeClusterResponse,
          ),
    ),
  )
}

async function grpcCode(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p
  } catch (e: unknown) {
    return (e as grpc.ServiceError).code
  }
  assert.fail('expected the call to fail')
}

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678)

function member(hostId: string, port: number, roles: string[]): MemberRecord {
  return {
    hostId,
    internalAddress: `10.0.0.${port % 250}:${port}`,
    rpcAddress: roles.includes('frontend') ? `10.0.0.${port % 250}:7233` : '',
    roles,
    sessionStart: T0,
    lastHeartbeat: T0 + 1000,
    recordExpiry: T0 + 11_000,
  }
}

// A fixed view: DescribeCluster's mapping is what is under test here, not the store's queries.
const a = member('host-a', 7001, ['frontend', 'history', 'matching', 'worker'])
const b = member('host-b', 7002, ['history'])
const shards: ShardRecord[] = [
  { shardId: 1, rangeId: 3, owner: 'host-a' },
  { shardId: 2, rangeId: 4, owner: 'host-b' },
  // Held last by a node whose row expired: no address to show.
  { shardId: 3, rangeId: 2, owner: 'host-gone' },
  { shardId: 4, rangeId: 5, owner: '' },
]
const view: ClusterView = {
  numHistoryShards: 4,
  self: () => a,
  members: () => Promise.resolve([a, b]),
  shards: () => Promise.resolve(shards),
}

describe('AdminService.DescribeCluster', () => {
  const logger = pino({ level: 'silent' })
  const targets: CallTarget[] = []
  let server: GrpcServer
  let client: AdminClient

  before(async () => {
    server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      authorize: (target) => void targets.push(target),
      workflowService: {},
      operatorService: {},
      adminService: createAdminHandlers(view, {
        clusterName: 'active',
        persistenceStore: 'sqlite',
      }),
    })
    client = new AdminClientCtor(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure())
  })

  after(async () => {
    client.close()
    await server.close()
  })

  test('answers members, rings and shard owners over gRPC', async () => {
    const res = await describeCluster(client)
    assert.equal(res.clusterName, 'active')
    assert.equal(res.historyShardCount, 4)
    assert.equal(res.persistenceStore, 'sqlite')
    const info = res.membershipInfo
    assert.equal(info.currentHost.identity, a.internalAddress)
    assert.equal(info.currentHost.hostId, 'host-a')
    assert.equal(info.currentHost.rpcAddress, '10.0.0.1:7233')
    assert.deepEqual(info.currentHost.roles, a.roles)
    const t0Seconds = Math.floor(T0 / 1000)
    assert.deepEqual(info.currentHost.sessionStartTime, { seconds: t0Seconds, nanos: 678e6 })
    assert.deepEqual(info.currentHost.lastHeartbeatTime, { seconds: t0Seconds + 1, nanos: 678e6 })
    assert.deepEqual(info.reachableMembers, [a.internalAddress, b.internalAddress])
    assert.deepEqual(
      info.rings.map((r) => [r.role, r.memberCount, r.members.map((m) => m.identity)]),
      [
        ['frontend', 1, [a.internalAddress]],
        ['history', 2, [a.internalAddress, b.internalAddress]],
        ['matching', 1, [a.internalAddress]],
        ['worker', 1, [a.internalAddress]],
      ],
    )
    assert.deepEqual(res.shards, [
      { shardId: 1, ownerHostId: 'host-a', ownerAddress: a.internalAddress, rangeId: 3 },
      { shardId: 2, ownerHostId: 'host-b', ownerAddress: b.internalAddress, rangeId: 4 },
      { shardId: 3, ownerHostId: 'host-gone', ownerAddress: '', rangeId: 2 },
      { shardId: 4, ownerHostId: '', ownerAddress: '', rangeId: 5 },
    ])
  })

  test('the authorizer sees a cluster-scoped admin call', async () => {
    targets.length = 0
    await describeCluster(client)
    const target = targets.at(-1)
    assert.deepEqual(target, {
      service: 'sundial.admin.v1.AdminService',
      rpc: 'DescribeCluster',
      namespace: '',
    })
    const claims = (system: number, ns: [string, number][] = []) => ({
      subject: 'op',
      system,
      namespaces: new Map(ns),
    })
    assert.equal(authorizeClaims(claims(Role.Admin), target).allow, true)
    assert.equal(authorizeClaims(claims(Role.Writer), target).allow, false)
    // Admin of a namespace is not admin of the cluster.
    assert.equal(authorizeClaims(claims(Role.Undefined, [['', Role.Admin]]), target).allow, false)
  })
})

test('DescribeCluster is UNAVAILABLE before serve and UNIMPLEMENTED without handlers', async () => {
  const server = await bindGrpcServer({
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
  })
  const client = new AdminClientCtor(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure())
  try {
    assert.equal(await grpcCode(describeCluster(client)), grpc.status.UNAVAILABLE)
    server.serve({ workflowService: {}, operatorService: {} })
    assert.equal(await grpcCode(describeCluster(client)), grpc.status.UNIMPLEMENTED)
  } finally {
    client.close()
    await server.close()
  }
})
