/**
 * `sundial operator cluster describe | health`, as Temporal's `temporal operator cluster`
 * (`cli/temporalcli/commands.operator_cluster.go`): the cluster's settings from
 * WorkflowService.GetClusterInfo, Sundial's members and shard leases from
 * AdminService.DescribeCluster, and a gRPC health check of the WorkflowService.
 */
import { Command } from 'commander'
import { toNumber } from '../../common/proto.js'
import { reportFailure } from '../client/cli-error.js'
import { withClientOptions, type ClientFlags } from '../client/options.js'
import type { ClusterDescription } from '../client/admin-client.js'
import { Output } from '../client/output.js'
import { card, table } from '../client/render.js'
import { clientAction } from '../client/run.js'
import type { ClientSession } from '../client/session.js'

/** What `health` checks, as Temporal's CLI does. */
const WORKFLOW_SERVICE = 'temporal.api.workflowservice.v1.WorkflowService'

interface DescribeFlags extends ClientFlags {
  detail?: boolean
}

/** The `operator cluster` command tree, client flags on each leaf. */
export function operatorClusterCommand(): Command {
  const cluster = new Command('cluster').description('Cluster operations')
  withClientOptions(
    cluster
      .command('describe')
      .description('Describe the cluster: its settings, members and shards')
      .option('--detail', 'also list every history shard and its owner')
      .action(clientAction(describeCluster)),
  )
  withClientOptions(
    cluster
      .command('health')
      .description('Check the health of the frontend')
      .action((flags: ClientFlags) => clusterHealth(flags)),
  )
  return cluster
}

/** A proto Timestamp (int64 seconds read as a number) in RFC 3339, or '' when unset. */
function time(ts: { seconds: unknown; nanos: number } | null | undefined): string {
  if (!ts) return ''
  const ms = toNumber(ts.seconds as number) * 1000 + Math.floor(ts.nanos / 1e6)
  return ms === 0 ? '' : new Date(ms).toISOString()
}

async function describeCluster(s: ClientSession, f: DescribeFlags): Promise<void> {
  const { openAdminClient } = await import('../client/admin-client.js')
  const admin = openAdminClient(f)
  let info: Awaited<ReturnType<ClientSession['workflowService']['getClusterInfo']>>
  let cluster: ClusterDescription
  try {
    ;[info, cluster] = await Promise.all([
      s.call('getting the cluster info', () => s.workflowService.getClusterInfo({})),
      admin.describeCluster(),
    ])
  } finally {
    admin.close()
  }
  const members = uniqueMembers(cluster)
  const owned = new Map<string, number>()
  for (const shard of cluster.shards) {
    if (shard.ownerHostId) owned.set(shard.ownerHostId, (owned.get(shard.ownerHostId) ?? 0) + 1)
  }

  s.out.json({
    clusterName: info.clusterName ?? '',
    persistenceStore: info.persistenceStore ?? '',
    visibilityStore: info.visibilityStore ?? '',
    historyShardCount: info.historyShardCount ?? 0,
    currentHost: cluster.membershipInfo.currentHost.hostId,
    members: members.map((m) => ({
      hostId: m.hostId,
      internalAddress: m.identity,
      rpcAddress: m.rpcAddress,
      roles: m.roles,
      sessionStartTime: time(m.sessionStartTime),
      lastHeartbeatTime: time(m.lastHeartbeatTime),
      shardsOwned: owned.get(m.hostId) ?? 0,
    })),
    // Always in JSON: scripts want the whole picture without a flag.
    shards: cluster.shards,
  })
  s.out.text(
    card([
      ['ClusterName', info.clusterName ?? ''],
      ['PersistenceStore', info.persistenceStore ?? ''],
      ['VisibilityStore', info.visibilityStore ?? ''],
      ['HistoryShardCount', String(info.historyShardCount ?? 0)],
      ['CurrentHost', cluster.membershipInfo.currentHost.identity],
    ]),
  )
  s.out.text([
    '',
    'Members:',
    ...table(
      ['HostId', 'InternalAddress', 'RpcAddress', 'Roles', 'LastHeartbeat', 'Shards'],
      members.map((m) => [
        m.hostId,
        m.identity,
        m.rpcAddress,
        m.roles.join(','),
        time(m.lastHeartbeatTime),
        String(owned.get(m.hostId) ?? 0),
      ]),
    ),
  ])
  if (f.detail) {
    s.out.text([
      '',
      'Shards:',
      ...table(
        ['ShardId', 'OwnerHostId', 'OwnerAddress', 'RangeId'],
        cluster.shards.map((sh) => [
          String(sh.shardId),
          sh.ownerHostId,
          sh.ownerAddress,
          String(sh.rangeId),
        ]),
      ),
    ])
  }
}

/**
 * The live members once each, by host id. The rings hold every member under each of its roles;
 * `reachableMembers` has only addresses, so the rings are where a member's row is.
 */
function uniqueMembers(cluster: ClusterDescription) {
  const byId = new Map<string, ClusterDescription['membershipInfo']['currentHost']>()
  for (const ring of cluster.membershipInfo.rings) {
    for (const m of ring.members) byId.set(m.hostId, m)
  }
  return [...byId.values()].sort((a, b) => a.hostId.localeCompare(b.hostId))
}

/**
 * A bare health check, without the session's GetSystemInfo first: a server that refuses calls
 * must still be able to say NOT_SERVING. Exits 1 unless SERVING.
 */
async function clusterHealth(flags: ClientFlags): Promise<void> {
  try {
    const { openAdminClient } = await import('../client/admin-client.js')
    const admin = openAdminClient(flags)
    let status: string
    try {
      status = await admin.checkHealth(WORKFLOW_SERVICE)
    } finally {
      admin.close()
    }
    const out = new Output(flags.output, flags.jsonShorthandPayloads)
    out.json({ service: WORKFLOW_SERVICE, status })
    out.text(`${WORKFLOW_SERVICE}: ${status}`)
    if (status !== 'SERVING') process.exitCode = 1
  } catch (e: unknown) {
    reportFailure(e)
  }
}
