/**
 * `sundial.admin.v1.AdminService`: what operators see of a cluster of Sundial nodes sharing one
 * store. Modelled on Temporal's `temporal.server.api.adminservice.v1.AdminService.DescribeCluster`
 * (`service/frontend/admin_handler.go`), whose messages `@temporalio/proto` does not ship, so
 * they are defined here. Field numbers follow Temporal's `DescribeClusterResponse`,
 * `MembershipInfo`, `RingInfo` and `HostInfo` where the field exists there; Sundial's additions
 * (a member's row, the shard leases) take numbers Temporal does not use, so a Temporal decoder
 * reads the common fields and skips the rest.
 */
import protobuf from 'protobufjs'
import type { ClusterView } from '../server/cluster/cluster-view.js'
import { ROLES } from '../server/cluster/cluster-view.js'
import type { MemberRecord, ShardRecord } from '../persistence/store.js'
import type { CallContext } from './rpc-types.js'
import { buildServiceDefinition, type ReflectedServiceDefinition } from './service-definitions.js'

export const ADMIN_SERVICE = 'sundial.admin.v1.AdminService'

const int64 = (id: number) => ({ type: 'int64', id })
const string = (id: number) => ({ type: 'string', id })

/** The protobufjs JSON form of `sundial/admin/v1/*.proto`, with the one well-known type it uses. */
const ADMIN_PROTO: protobuf.INamespace = {
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Timestamp: { fields: { seconds: int64(1), nanos: { type: 'int32', id: 2 } } },
          },
        },
      },
    },
    sundial: {
      nested: {
        admin: {
          nested: {
            v1: {
              nested: {
                AdminService: {
                  methods: {
                    DescribeCluster: {
                      requestType: 'DescribeClusterRequest',
                      responseType: 'DescribeClusterResponse',
                      // Required by protobufjs 7's IMethod typing, though its reader treats it as
                      // optional.
                      comment: 'The live members, their roles and the history shard leases.',
                    },
                  },
                },
                DescribeClusterRequest: {
                  // Temporal's field: the cluster to describe; Sundial has one, so it is ignored.
                  fields: { clusterName: string(1) },
                },
                DescribeClusterResponse: {
                  fields: {
                    membershipInfo: { type: 'MembershipInfo', id: 3 },
                    clusterName: string(5),
                    historyShardCount: { type: 'int32', id: 6 },
                    persistenceStore: string(7),
                    shards: { rule: 'repeated', type: 'ShardInfo', id: 100 },
                  },
                },
                MembershipInfo: {
                  fields: {
                    currentHost: { type: 'HostInfo', id: 1 },
                    reachableMembers: { rule: 'repeated', type: 'string', id: 2 },
                    rings: { rule: 'repeated', type: 'RingInfo', id: 3 },
                  },
                },
                RingInfo: {
                  fields: {
                    role: string(1),
                    memberCount: { type: 'int32', id: 2 },
                    members: { rule: 'repeated', type: 'HostInfo', id: 3 },
                  },
                },
                HostInfo: {
                  fields: {
                    identity: string(1),
                    hostId: string(100),
                    rpcAddress: string(101),
                    roles: { rule: 'repeated', type: 'string', id: 102 },
                    sessionStartTime: { type: 'google.protobuf.Timestamp', id: 103 },
                    lastHeartbeatTime: { type: 'google.protobuf.Timestamp', id: 104 },
                    recordExpiryTime: { type: 'google.protobuf.Timestamp', id: 105 },
                  },
                },
                ShardInfo: {
                  fields: {
                    shardId: { type: 'int32', id: 1 },
                    ownerHostId: string(2),
                    ownerAddress: string(3),
                    rangeId: int64(4),
                  },
                },
              },
            },
          },
        },
      },
    },
  },
}

/** The admin service's reflection root; its types encode, decode and convert to plain objects. */
export const adminRoot = protobuf.Root.fromJSON(ADMIN_PROTO)

/** `google.protobuf.Timestamp` as a plain object. */
export interface Timestamp {
  seconds: number | protobuf.Long
  nanos: number
}

/** One node, as Temporal's `HostInfo` (`identity`) plus its membership row. */
export interface HostInfo {
  /** The node's internal address (`host:port`), as Temporal's identity is its membership address. */
  identity: string
  hostId: string
  /** The node's frontend address; empty without the frontend role. */
  rpcAddress: string
  roles: string[]
  sessionStartTime: Timestamp
  lastHeartbeatTime: Timestamp
  recordExpiryTime: Timestamp
}

/** The members running one role (Temporal's `RingInfo`). */
export interface RingInfo {
  role: string
  memberCount: number
  members: HostInfo[]
}

/** A history shard's lease and the live member holding it. */
export interface ShardInfo {
  shardId: number
  /** Empty when the shard was released. */
  ownerHostId: string
  /** The holder's internal address; empty when the holder is not a live member. */
  ownerAddress: string
  rangeId: number | protobuf.Long
}

export interface DescribeClusterResponse {
  clusterName: string
  historyShardCount: number
  persistenceStore: string
  membershipInfo: {
    currentHost: HostInfo
    /** The identities of the live members. */
    reachableMembers: string[]
    /** One ring per role, in {@link ROLES} order, members by host id. */
    rings: RingInfo[]
  }
  /** Every shard acquired so far, by shard id. */
  shards: ShardInfo[]
}

/** The handler map of the admin service, as `GrpcServices.adminService` takes it. */
export interface AdminServiceHandlers {
  describeCluster(
    request: { clusterName?: string },
    ctx: CallContext,
  ): Promise<DescribeClusterResponse>
}

let definition: ReflectedServiceDefinition | undefined

/** `sundial.admin.v1.AdminService`, built once, in the shape of the Temporal services' definitions. */
export function adminServiceDefinition(): ReflectedServiceDefinition {
  definition ??= buildServiceDefinition(adminRoot.lookupService(ADMIN_SERVICE))
  return definition
}

function timestamp(ms: number): Timestamp {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 }
}

function hostInfo(m: MemberRecord): HostInfo {
  return {
    identity: m.internalAddress,
    hostId: m.hostId,
    rpcAddress: m.rpcAddress,
    roles: [...m.roles],
    sessionStartTime: timestamp(m.sessionStart),
    lastHeartbeatTime: timestamp(m.lastHeartbeat),
    recordExpiryTime: timestamp(m.recordExpiry),
  }
}

function shardInfo(s: ShardRecord, addresses: ReadonlyMap<string, string>): ShardInfo {
  return {
    shardId: s.shardId,
    ownerHostId: s.owner,
    ownerAddress: addresses.get(s.owner) ?? '',
    rangeId: s.rangeId,
  }
}

/**
 * The admin service over a node's view of its cluster. Every call reads the store afresh (members
 * and shards at once), so two nodes asked together tell the same story.
 */
export function createAdminHandlers(
  view: ClusterView,
  info: { clusterName: string; persistenceStore: string },
): AdminServiceHandlers {
  return {
    async describeCluster() {
      const [members, shards] = await Promise.all([view.members(), view.shards()])
      const hosts = members.map(hostInfo)
      const addresses = new Map(members.map((m) => [m.hostId, m.internalAddress]))
      return {
        clusterName: info.clusterName,
        historyShardCount: view.numHistoryShards,
        persistenceStore: info.persistenceStore,
        membershipInfo: {
          currentHost: hostInfo(view.self()),
          reachableMembers: hosts.map((h) => h.identity),
          rings: ROLES.map((role) => {
            const ring = hosts.filter((h) => h.roles.includes(role))
            return { role, memberCount: ring.length, members: ring }
          }),
        },
        shards: shards.map((s) => shardInfo(s, addresses)),
      }
    },
  }
}
