/**
 * A connected client command: the SDK's `Connection` (its gRPC stubs, TLS, API key and headers),
 * the namespace and identity requests carry, the output, and RPC failures turned into
 * `<what> failed: <server message> (<GRPC_CODE>)`. Loaded only by client commands (run.ts imports
 * it on demand), so that server commands never load `@temporalio/client`.
 */
import { hostname, userInfo } from 'node:os'
import * as grpc from '@grpc/grpc-js'
import {
  Connection,
  defaultGrpcRetryOptions,
  isGrpcServiceError,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
} from '@temporalio/client'
import { defaultPayloadConverter } from '@temporalio/common'
import type { pb } from '../../common/proto.js'
import { CliError } from './cli-error.js'
import { connectionPlan, type ConnectionPlan } from './connection-options.js'
import type { ClientFlags } from './options.js'
import { Output } from './output.js'

/** What a client command works with once connected. */
export interface ClientSession {
  readonly workflowService: Connection['workflowService']
  readonly operatorService: Connection['operatorService']
  readonly namespace: string
  readonly identity: string
  readonly out: Output
  /** Runs one RPC; a gRPC failure becomes a CliError `<what> failed: <message> (<CODE>)`. */
  call<T>(what: string, rpc: () => Promise<T>): Promise<T>
  /** Values as payloads by the SDK's default payload converter (JSON values → json/plain). */
  toPayloads(values: unknown[]): pb.Payload[]
}

/** Connects (one GetSystemInfo call proves the server answers), runs `fn`, and disconnects. */
export async function withSession(
  flags: ClientFlags,
  fn: (session: ClientSession) => Promise<void>,
): Promise<void> {
  const started = Date.now()
  const plan = connectionPlan(flags)
  const connection = Connection.lazy(connectionOptions(plan))
  try {
    await connection
      .withDeadline(started + plan.connectTimeoutMs, () =>
        connection.workflowService.getSystemInfo({}),
      )
      .catch((e: unknown) => {
        throw rpcFailure(`connecting to ${plan.address}`, e)
      })
    const session: ClientSession = {
      workflowService: connection.workflowService,
      operatorService: connection.operatorService,
      namespace: flags.namespace,
      identity: flags.identity ?? defaultIdentity(),
      out: new Output(flags.output, flags.jsonShorthandPayloads),
      async call(what, rpc) {
        try {
          return await rpc()
        } catch (e: unknown) {
          throw rpcFailure(what, e)
        }
      },
      toPayloads: (values) => values.map((v) => defaultPayloadConverter.toPayload(v)),
    }
    await (flags.commandTimeout === undefined
      ? fn(session)
      : connection.withDeadline(started + flags.commandTimeout, () => fn(session)))
  } finally {
    await connection.close()
  }
}

function connectionOptions(plan: ConnectionPlan): ConnectionOptions {
  const base: ConnectionOptions = {
    address: plan.address,
    metadata: plan.metadata,
    // The SDK's default retries UNAVAILABLE for about 20 s; a person at a prompt wants to hear
    // sooner that nothing answers.
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 3 }))],
  }
  const tls = plan.tls
  if (!tls) return { ...base, apiKey: plan.apiKey, tls: false }
  if (!tls.skipHostVerification) {
    return {
      ...base,
      apiKey: plan.apiKey,
      tls: {
        serverNameOverride: tls.serverNameOverride,
        serverRootCACertificate: tls.serverRootCACertificate,
        clientCertPair: tls.clientCertPair,
      },
    }
  }
  // The SDK's TLS options cannot skip the host name check; grpc-js's credentials can. The API
  // key then travels as the header the SDK would have set, since `credentials` and `apiKey`
  // exclude each other.
  const credentials = grpc.credentials.createSsl(
    tls.serverRootCACertificate ?? null,
    tls.clientCertPair?.key ?? null,
    tls.clientCertPair?.crt ?? null,
    { checkServerIdentity: () => undefined },
  )
  return {
    ...base,
    credentials,
    metadata: plan.apiKey
      ? { ...plan.metadata, authorization: `Bearer ${plan.apiKey}` }
      : plan.metadata,
    channelArgs: tls.serverNameOverride
      ? {
          'grpc.ssl_target_name_override': tls.serverNameOverride,
          'grpc.default_authority': tls.serverNameOverride,
        }
      : undefined,
  }
}

/** `<what> failed: <server message> (<GRPC_CODE_NAME>)`, or the error's own message. */
export function rpcFailure(what: string, e: unknown): CliError {
  if (e instanceof CliError) return e
  // The SDK wraps some gRPC errors (connect failures) in its own ServiceError with the cause.
  const grpcError = isGrpcServiceError(e)
    ? e
    : e instanceof Error && isGrpcServiceError(e.cause)
      ? e.cause
      : undefined
  if (grpcError) {
    const code = (grpc.status[grpcError.code] as string | undefined) ?? String(grpcError.code)
    // grpc-js ends connection errors with an empty "Resolution note:".
    const message = (grpcError.details || grpcError.message).replace(/\s*Resolution note:\s*$/, '')
    return new CliError(`${what} failed: ${message} (${code})`)
  }
  return new CliError(`${what} failed: ${e instanceof Error ? e.message : String(e)}`)
}

function defaultIdentity(): string {
  let user = 'unknown'
  try {
    user = userInfo().username
  } catch {
    // No passwd entry for this uid (some containers): the host name still tells who called.
  }
  return `sundial-cli:${user}@${hostname()}`
}
