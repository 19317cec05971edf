/**
 * The gRPC server: WorkflowService, OperatorService, Sundial's AdminService and grpc.health.v1.Health
 * on one port.
 *
 * This is the one boundary where errors become wire statuses (as Temporal's
 * `common/rpc/interceptor/service_error_interceptor.go` and `mask_internal_error.go` do): a
 * `ServiceError` keeps its code and message and carries its typed failure in
 * `grpc-status-details-bin`, which the SDK decodes into its own error classes; anything else is
 * logged and answered INTERNAL with a masked message, so stack traces never reach clients. A
 * store that cannot be reached answers UNAVAILABLE, which the SDKs retry.
 */
import { randomBytes } from 'node:crypto'
import * as grpc from '@grpc/grpc-js'
import type { Logger } from 'pino'
import {
  ServiceError,
  UnavailableError,
  UnimplementedError,
  ensureError,
} from '../common/errors.js'
import { StoreUnavailableError } from '../persistence/errors.js'
import { root } from '../common/proto.js'
import { installFastDecompression } from './grpc-decompression.js'
import { adminServiceDefinition, type AdminServiceHandlers } from './admin-service.js'
import type { CallAuthorizer } from './auth/call-authorizer.js'
import type { TestServiceHandlers } from './handlers/test-service.js'
import type { CallContext, OperatorServiceHandlers, WorkflowServiceHandlers } from './rpc-types.js'
import {
  healthServiceDefinition,
  operatorServiceDefinition,
  testServiceDefinition,
  workflowServiceDefinition,
  type ReflectedServiceDefinition,
  type RpcMethod,
} from './service-definitions.js'

/** grpc-js' own default; a larger request is refused with RESOURCE_EXHAUSTED before decoding. */
export const DEFAULT_MAX_RECEIVE_MESSAGE_BYTES = 4 * 1024 * 1024

/** What Temporal says instead of an internal error's details (`mask_internal_error.go`). */
const MASKED_INTERNAL_MESSAGE = 'something went wrong, please retry'

/** Where and how to listen; what to serve comes later, through {@link GrpcServer.serve}. */
export interface GrpcListenOptions {
  /** Interface to bind (`127.0.0.1`, `0.0.0.0`, `::`). */
  host: string
  /** Port to bind; 0 picks a free one (read it from the result). */
  port: number
  /** Serve Temporal's TestService too (the time-skipping test server). */
  testService?: boolean
  logger: Logger
  /** Sees every call once it is answered (metrics). Must not throw. */
  observeCall?: CallObserver
  /** Runs before every RPC's handler (not the health service's); a rejection is the answer. */
  authorize?: CallAuthorizer
  /** TLS (and mTLS) for the port; plaintext when absent. */
  credentials?: grpc.ServerCredentials
  /** Largest request accepted, in bytes; default {@link DEFAULT_MAX_RECEIVE_MESSAGE_BYTES}. */
  maxReceiveMessageBytes?: number
  /**
   * How long `close()` waits for in-flight calls (already told to stop through their signal)
   * before cutting connections; default 5000 ms.
   */
  shutdownGraceMs?: number
}

/** The handler maps behind the bound services. */
export interface GrpcServices {
  workflowService: WorkflowServiceHandlers
  operatorService: OperatorServiceHandlers
  /** Temporal's TestService, for the time-skipping test server only. */
  testService?: TestServiceHandlers
  /** `sundial.admin.v1.AdminService` (DescribeCluster); its calls answer UNIMPLEMENTED without it. */
  adminService?: AdminServiceHandlers
}

export type GrpcServerOptions = Omit<GrpcListenOptions, 'testService'> & GrpcServices

export interface GrpcServer {
  /** The bound port (the real one when the options asked for 0). */
  readonly port: number
  /**
   * Starts answering with these handlers. Until then every call is answered UNAVAILABLE (which
   * the SDKs retry) and the health service says NOT_SERVING. Throws on a handler under a name
   * that is no RPC of its service.
   */
  serve(services: GrpcServices): void
  /**
   * Reports the server NOT_SERVING (false) or SERVING again (true) to health checks, and while
   * not serving answers every call UNAVAILABLE: for a server that lost its store's shard.
   */
  setServing(serving: boolean, reason?: string): void
  /** What calls are answered while the server does not serve; undefined while it serves. */
  readonly refusal: UnavailableError | undefined
  /**
   * Reports NOT_SERVING to health checks from now on while still answering calls: a server about
   * to stop, giving load balancers time to move traffic away.
   */
  drain(): void
  /**
   * Stops accepting calls, aborts the signal of every call in flight (so long polls return),
   * waits up to the grace period for them to finish, then closes all connections.
   */
  close(): Promise<void>
}

/**
 * `rpc` is the proto method name, `namespace` the request's (empty when it has none), `code` the
 * gRPC status answered (0 for OK) and `seconds` the handler's time.
 */
export type CallObserver = (rpc: string, namespace: string, code: number, seconds: number) => void

/**
 * What every call's wrapper shares. `handlers` is empty and `refusal` set until the server
 * serves; `refusal` is set again while it is not serving.
 */
interface Dispatch {
  inFlight: Set<AbortController>
  logger: Logger
  observe: CallObserver | undefined
  authorize: CallAuthorizer | undefined
  handlers: Map<string, Record<string, unknown>>
  refusal: UnavailableError | undefined
  draining: boolean
}

type UnaryImpl = (
  call: grpc.ServerUnaryCall<unknown, unknown>,
  callback: grpc.sendUnaryData<unknown>,
) => void
type AnyHandler = (request: unknown, ctx: CallContext) => Promise<unknown>

/** Binds and serves at once: {@link bindGrpcServer} then `serve`. */
export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServer> {
  const server = await bindGrpcServer({ ...opts, testService: opts.testService !== undefined })
  try {
    server.serve(opts)
  } catch (e: unknown) {
    await server.close()
    throw e
  }
  return server
}

/**
 * Binds the port with every service in place, answering UNAVAILABLE until `serve` is called:
 * a server takes its port before it opens its store, so that a second server started by mistake
 * fails on the port without touching the first one's store.
 */
export async function bindGrpcServer(opts: GrpcListenOptions): Promise<GrpcServer> {
  const { logger } = opts
  if (!installFastDecompression()) {
    logger.warn('grpc-js internals changed: compressed requests are inflated the slow way')
  }
  const d: Dispatch = {
    inFlight: new Set<AbortController>(),
    logger,
    observe: opts.observeCall,
    authorize: opts.authorize,
    handlers: new Map(),
    refusal: new UnavailableError('the server is starting, please retry'),
    draining: false,
  }
  const server = new grpc.Server({
    'grpc.max_receive_message_length':
      opts.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
    'grpc.max_send_message_length': -1,
  })

  // The admin service is always bound, so that before `serve` its calls are refused UNAVAILABLE
  // like every other call rather than UNIMPLEMENTED by grpc-js.
  const services = [
    workflowServiceDefinition(),
    operatorServiceDefinition(),
    adminServiceDefinition(),
  ]
  if (opts.testService) services.push(testServiceDefinition())
  for (const service of services) {
    const impl: grpc.UntypedServiceImplementation = {}
    for (const method of service.methods) {
      if (method.requestStream || method.responseStream) {
        // Temporal's public services are all unary; a streaming method would need its own path.
        throw new Error(`streaming RPC ${service.fullName}/${method.name} is not supported`)
      }
      impl[method.name] = unary(service.fullName, method, d)
    }
    server.addService(service.definition, impl)
  }
  server.addService(healthServiceDefinition().definition, healthImpl(d))

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`,
      opts.credentials ?? grpc.ServerCredentials.createInsecure(),
      (err, bound) => (err ? reject(err) : resolve(bound)),
    )
  })
  logger.info({ host: opts.host, port }, 'gRPC server listening')

  let closing: Promise<void> | undefined
  return {
    port,
    serve(handlers) {
      const maps: [ReflectedServiceDefinition, Record<string, unknown> | undefined][] = [
        [workflowServiceDefinition(), handlers.workflowService],
        [operatorServiceDefinition(), handlers.operatorService],
        [testServiceDefinition(), handlers.testService],
        [adminServiceDefinition(), handlers.adminService as Record<string, unknown> | undefined],
      ]
      for (const [service, map] of maps) {
        if (!map) continue
        // A handler under a name that is not an RPC would never run; fail at start instead.
        const known = new Set(service.methods.map((m) => m.key))
        const stray = Object.keys(map).filter((k) => !known.has(k))
        if (stray.length > 0) throw new Error(`${service.fullName} has no RPC ${stray.join(', ')}`)
        d.handlers.set(service.fullName, map)
      }
      d.refusal = undefined
    },
    setServing(serving, reason = 'the server is not serving') {
      d.refusal = serving ? undefined : new UnavailableError(reason)
    },
    get refusal() {
      return d.refusal
    },
    drain() {
      d.draining = true
    },
    close() {
      closing ??= shutdown(server, d.inFlight, opts.shutdownGraceMs ?? 5000)
      return closing
    },
  }
}

async function shutdown(
  server: grpc.Server,
  inFlight: Set<AbortController>,
  graceMs: number,
): Promise<void> {
  const graceful = new Promise<void>((resolve) => server.tryShutdown(() => resolve()))
  for (const controller of inFlight) controller.abort(new Error('server shutting down'))
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), graceMs)
  })
  const late = await Promise.race([graceful.then(() => false), timedOut])
  clearTimeout(timer)
  if (late) server.forceShutdown()
}

/**
 * The call's context. Its signal is aborted on client cancellation (grpc-js emits `cancelled`),
 * at the deadline (by our own timer: grpc-js answers DEADLINE_EXCEEDED itself but does not always
 * tell the handler), and on server shutdown.
 */
function callContext(
  call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>,
  rpcName: string,
  inFlight: Set<AbortController>,
): { ctx: CallContext; done: () => void } {
  const controller = new AbortController()
  inFlight.add(controller)
  const onCancel = () => controller.abort(new Error('call cancelled by the client'))
  call.on('cancelled', onCancel)
  const rawDeadline = call.getDeadline()
  const deadline = rawDeadline instanceof Date ? rawDeadline.getTime() : rawDeadline
  let timer: NodeJS.Timeout | undefined
  if (Number.isFinite(deadline)) {
    // setTimeout overflows past 2^31-1 ms; such deadlines are effectively none.
    const delay = Math.max(0, deadline - Date.now())
    if (delay < 2 ** 31 - 1) {
      timer = setTimeout(() => controller.abort(new Error('deadline exceeded')), delay)
      timer.unref()
    }
  }
  return {
    ctx: {
      signal: controller.signal,
      metadata: call.metadata,
      peer: call.getPeer(),
      deadline,
      rpcName,
    },
    done: () => {
      clearTimeout(timer)
      call.removeListener('cancelled', onCancel)
      inFlight.delete(controller)
    },
  }
}

function unary(serviceName: string, method: RpcMethod, d: Dispatch): UnaryImpl {
  const { inFlight, logger, observe, authorize } = d
  return (call, callback) => {
    if (d.refusal) {
      callback(toGrpcError(d.refusal, method, logger))
      return
    }
    const handler = d.handlers.get(serviceName)?.[method.key] as AnyHandler | undefined
    const started = performance.now()
    const field = (call.request as { namespace?: unknown } | null)?.namespace
    const namespace = typeof field === 'string' ? field : ''
    const answered = (code: number): void => {
      observe?.(method.name, namespace, code, (performance.now() - started) / 1000)
    }
    const { ctx, done } = callContext(call, method.name, inFlight)
    const target = { service: serviceName, rpc: method.name, namespace }
    // Through a promise so that a handler throwing synchronously is caught like a rejection.
    Promise.resolve()
      .then(() => authorize?.(target, call.metadata, ctx.peer))
      .then(() => {
        // Authorized first, as Temporal's interceptor chain does: an unserved RPC tells a caller
        // without the role nothing.
        if (!handler) throw new UnimplementedError(`unimplemented: ${method.name}`)
        return handler(call.request, ctx)
      })
      .then((response) => {
        // Encoding here, not in grpc-js, so that a malformed response is logged with its RPC.
        const bytes = method.responseType.encode(response as object).finish()
        callback(null, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
        answered(grpc.status.OK)
      })
      .catch((e: unknown) => {
        const error = toGrpcError(e, method, logger)
        callback(error)
        answered(error.code ?? grpc.status.UNKNOWN)
      })
      .finally(done)
  }
}

const Status = root.google.rpc.Status

/**
 * Maps a thrown value to the status sent to the client. Exported for the HTTP gateway, which
 * must answer with the same codes and details.
 */
export function toGrpcError(
  thrown: unknown,
  method: Pick<RpcMethod, 'name'>,
  logger: Logger,
): grpc.ServiceError {
  if (thrown instanceof ServiceError) {
    const metadata = new grpc.Metadata()
    const detail = thrown.detail()
    if (detail) {
      // As grpc-go does, the trailer is sent only when there are details to carry.
      const status = Status.encode({
        code: thrown.code,
        message: thrown.message,
        details: [{ type_url: `type.googleapis.com/${detail.typeName}`, value: detail.value }],
      }).finish()
      metadata.set('grpc-status-details-bin', Buffer.from(status))
    }
    return grpcError(thrown.code, thrown.message, metadata)
  }
  if (thrown instanceof StoreUnavailableError) {
    // The database is down or overloaded: the SDKs retry UNAVAILABLE with backoff.
    logger.warn({ err: thrown, rpc: method.name }, 'store unavailable')
    return grpcError(grpc.status.UNAVAILABLE, 'the persistence store is unavailable, please retry')
  }
  const error = ensureError(thrown)
  const errorId = randomBytes(4).toString('hex')
  logger.error({ err: error, rpc: method.name, errorId }, 'internal error')
  return grpcError(grpc.status.INTERNAL, `${MASKED_INTERNAL_MESSAGE} (${errorId})`)
}

function grpcError(
  code: grpc.status,
  message: string,
  metadata?: grpc.Metadata,
): grpc.ServiceError {
  return Object.assign(new Error(message), {
    code,
    details: message,
    metadata: metadata ?? new grpc.Metadata(),
  })
}

// ---------------------------------------------------------------------------------------------
// grpc.health.v1.Health

const ServingStatus = root.grpc.health.v1.HealthCheckResponse.ServingStatus

/** Services that report a status; '' is the server as a whole. */
const KNOWN_SERVICES = new Set([
  '',
  healthServiceDefinition().fullName,
  workflowServiceDefinition().fullName,
  operatorServiceDefinition().fullName,
])

type ServingStatus = (typeof ServingStatus)[keyof typeof ServingStatus]

/**
 * SERVING once the server serves, NOT_SERVING before that, while it refuses calls and while it
 * drains before stopping.
 */
function healthStatus(service: string, d: Dispatch): ServingStatus {
  if (!KNOWN_SERVICES.has(service)) return ServingStatus.SERVICE_UNKNOWN
  return d.refusal || d.draining ? ServingStatus.NOT_SERVING : ServingStatus.SERVING
}

/**
 * Check answers the status of the server and its services and NOT_FOUND for others, as the
 * reference health service does. Watch sends the status at once and again whenever it changes
 * (polled: the status changes a few times in a server's life), until the client or shutdown
 * ends the call.
 */
function healthImpl(d: Dispatch): grpc.UntypedServiceImplementation {
  return {
    Check(
      call: grpc.ServerUnaryCall<{ service: string }, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) {
      const status = healthStatus(call.request.service, d)
      if (status === ServingStatus.SERVICE_UNKNOWN) {
        callback(grpcError(grpc.status.NOT_FOUND, `unknown service ${call.request.service}`))
        return
      }
      callback(null, { status })
    },
    Watch(call: grpc.ServerWritableStream<{ service: string }, unknown>) {
      const { ctx, done } = callContext(call, 'Watch', d.inFlight)
      let sent = healthStatus(call.request.service, d)
      call.write({ status: sent })
      const poll = setInterval(() => {
        const now = healthStatus(call.request.service, d)
        if (now !== sent) call.write({ status: (sent = now) })
      }, HEALTH_WATCH_POLL_MS)
      ctx.signal.addEventListener('abort', () => {
        clearInterval(poll)
        done()
        call.end()
      })
    },
  }
}

const HEALTH_WATCH_POLL_MS = 500
