/**
 * Calls the SDK's `Connection` cannot make: Sundial's AdminService (which `@temporalio/client`
 * does not know) and a bare gRPC health check (which must answer even when the server refuses
 * every other call, so it cannot wait behind the session's GetSystemInfo). A plain grpc-js
 * client over the same address, TLS, API key and headers as the session's connection.
 */
import * as grpc from '@grpc/grpc-js'
import {
  adminRoot,
  adminServiceDefinition,
  type DescribeClusterResponse,
  type ShardInfo,
} from '../../frontend/admin-service.js'
import { healthServiceDefinition } from '../../frontend/service-definitions.js'
import { connectionPlan, type ConnectionPlan } from './connection-options.js'
import type { ClientFlags } from './options.js'
import { rpcFailure } from './session.js'

/** DescribeCluster's answer with int64 fields as numbers (all fit: range ids, seconds). */
export type ClusterDescription = Omit<DescribeClusterResponse, 'shards'> & {
  shards: (Omit<ShardInfo, 'rangeId'> & { rangeId: number })[]
}

export interface AdminClient {
  /** `sundial.admin.v1.AdminService/DescribeCluster`; a failure is a CliError naming the call. */
  describeCluster(): Promise<ClusterDescription>
  /**
   * `grpc.health.v1.Health/Check` of `service`: its status name (`SERVING`, `NOT_SERVING`), or
   * a CliError when the server cannot be asked.
   */
  checkHealth(service: string): Promise<string>
  close(): void
}

const DescribeClusterResponseType = adminRoot.lookupType('sundial.admin.v1.DescribeClusterResponse')

/** grpc.health.v1.HealthCheckResponse.ServingStatus, by number. */
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN']

/** A client for `flags`' server; no connection is made until the first call. */
export function openAdminClient(flags: ClientFlags): AdminClient {
  const plan = connectionPlan(flags)
  const client = new grpc.Client(plan.address, credentials(plan), channelOptions(plan))
  const metadata = new grpc.Metadata()
  for (const [key, value] of Object.entries(plan.metadata)) metadata.set(key, value)
  if (plan.apiKey) metadata.set('authorization', `Bearer ${plan.apiKey}`)

  const unary = <Res>(
    def: grpc.MethodDefinition<unknown, unknown>,
    request: object,
    what: string,
  ): Promise<Res> =>
    new Promise<Res>((resolve, reject) => {
      // One deadline per call: these commands make one or two calls, so the connect timeout
      // (already capped by --command-timeout) bounds each.
      const deadline = Date.now() + plan.connectTimeoutMs
      client.makeUnaryRequest(
        def.path,
        def.requestSerialize,
        def.responseDeserialize,
        request,
        metadata,
        { deadline },
        (err, response) => (err ? reject(rpcFailure(what, err)) : resolve(response as Res)),
      )
    })

  return {
    async describeCluster() {
      const def = adminServiceDefinition().definition.DescribeCluster!
      const message = await unary<object>(def, {}, 'describing the cluster')
      return DescribeClusterResponseType.toObject(
        message as ReturnType<typeof DescribeClusterResponseType.decode>,
        { longs: Number, defaults: true, arrays: true },
      ) as ClusterDescription
    },
    async checkHealth(service) {
      const def = healthServiceDefinition().definition.Check!
      const response = await unary<{ status?: number }>(
        def,
        { service },
        `checking the health of ${service}`,
      )
      const status = response.status ?? 0
      return SERVING_STATUS[status] ?? String(status)
    },
    close: () => client.close(),
  }
}

/** The session's TLS, as grpc-js credentials (session.ts hands the same plan to the SDK). */
function credentials(plan: ConnectionPlan): grpc.ChannelCredentials {
  const tls = plan.tls
  if (!tls) return grpc.credentials.createInsecure()
  return grpc.credentials.createSsl(
    tls.serverRootCACertificate ?? null,
    tls.clientCertPair?.key ?? null,
    tls.clientCertPair?.crt ?? null,
    tls.skipHostVerification ? { checkServerIdentity: () => undefined } : undefined,
  )
}

function channelOptions(plan: ConnectionPlan): grpc.ChannelOptions {
  const name = plan.tls?.serverNameOverride
  return name ? { 'grpc.ssl_target_name_override': name, 'grpc.default_authority': name } : {}
}
