/**
 * Temporal's HTTP/JSON API: each request is routed by the `google.api.http` annotations
 * (http-routes.ts), turned into the RPC's request (http-request.ts), and handed to the very
 * handler maps the gRPC server serves, so validation, namespace checks and behaviour are the
 * same and no handler logic is written twice. Answers are the protobuf JSON mapping with
 * Temporal's payload shorthand (`?noPayloadShorthand` turns it off, `?pretty` indents). Errors
 * are grpc-gateway's `{code, message, details}` with the gRPC code and the matching HTTP status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import * as grpc from '@grpc/grpc-js'
import type { Logger } from 'pino'
import { ResourceExhaustedError, UnimplementedError } from '../../common/errors.js'
import { root } from '../../common/proto.js'
import { toProtoJson } from '../../common/proto-json.js'
import type { CallAuthorizer } from '../auth/call-authorizer.js'
import { browserRefusal, handleCors, type CorsOptions } from './browser-guard.js'
import { toGrpcError, type CallObserver } from '../grpc-server.js'
import type { CallContext, OperatorServiceHandlers, WorkflowServiceHandlers } from '../rpc-types.js'
import { buildRequest } from './http-request.js'
import { HttpRouter, type RouteMatch } from './http-routes.js'

export interface HttpApiDeps {
  workflowService: WorkflowServiceHandlers
  operatorService: OperatorServiceHandlers
  logger: Logger
  observeCall?: CallObserver
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number
  /** While this returns an error, every call is answered with it (a server not serving). */
  refusal?: () => Error | undefined
  /** Runs before every call's handler, as on the gRPC port; a rejection is the answer. */
  authorize?: CallAuthorizer
  /** Origins whose pages may call the API (CORS); none when absent. */
  cors?: CorsOptions
  /**
   * Why the server should get no traffic now (draining, store unreachable), for `GET /ready`;
   * undefined when ready.
   */
  readiness?: () => Promise<string | undefined>
}

/** Answers one request; `signal` aborts it on server shutdown. */
export type HttpApiHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
) => Promise<void>

type AnyHandler = (request: unknown, ctx: CallContext) => Promise<unknown>

/** grpc-gateway's HTTP status for each gRPC code (runtime/errors.go HTTPStatusFromCode). */
const HTTP_STATUS: Readonly<Record<number, number>> = {
  [grpc.status.OK]: 200,
  [grpc.status.CANCELLED]: 499,
  [grpc.status.UNKNOWN]: 500,
  [grpc.status.INVALID_ARGUMENT]: 400,
  [grpc.status.DEADLINE_EXCEEDED]: 504,
  [grpc.status.NOT_FOUND]: 404,
  [grpc.status.ALREADY_EXISTS]: 409,
  [grpc.status.PERMISSION_DENIED]: 403,
  [grpc.status.UNAUTHENTICATED]: 401,
  [grpc.status.RESOURCE_EXHAUSTED]: 429,
  [grpc.status.FAILED_PRECONDITION]: 400,
  [grpc.status.ABORTED]: 409,
  [grpc.status.OUT_OF_RANGE]: 400,
  [grpc.status.UNIMPLEMENTED]: 501,
  [grpc.status.INTERNAL]: 500,
  [grpc.status.UNAVAILABLE]: 503,
  [grpc.status.DATA_LOSS]: 500,
}

const Status = root.google.rpc.Status
const WORKFLOW_SERVICE = 'temporal.api.workflowservice.v1.WorkflowService'
const OPERATOR_SERVICE = 'temporal.api.operatorservice.v1.OperatorService'

export function createHttpApi(deps: HttpApiDeps): HttpApiHandler {
  const router = new HttpRouter()
  const { logger } = deps
  return async (req, res, signal) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const pretty = url.searchParams.has('pretty') && url.searchParams.get('pretty') !== 'false'
    const send = (status: number, body: unknown): void => {
      const text = JSON.stringify(body, null, pretty ? 2 : undefined)
      res.writeHead(status, { 'content-type': 'application/json' }).end(`${text}\n`)
    }
    let segments: string[]
    try {
      segments = url.pathname.split('/').slice(1).map(decodeURIComponent)
    } catch {
      return send(400, {
        code: grpc.status.INVALID_ARGUMENT,
        message: 'malformed path',
        details: [],
      })
    }
    if (req.method === 'GET' && (url.pathname === '/health' || url.pathname === '/ready')) {
      return send(...(await probe(url.pathname, deps)))
    }
    if (handleCors(req, res, deps.cors)) return
    const refused = browserRefusal(req, deps.cors)
    if (refused) {
      const code =
        refused.status === 403 ? grpc.status.PERMISSION_DENIED : grpc.status.INVALID_ARGUMENT
      return send(refused.status, { code, message: refused.message, details: [] })
    }
    if (segments.at(-1) === '') segments.pop()
    const found = router.match(req.method ?? 'GET', segments)
    if (!('route' in found)) {
      if (found.allowed.length > 0) {
        res.setHeader('allow', [...new Set(found.allowed)].join(', '))
        return send(405, {
          code: grpc.status.UNIMPLEMENTED,
          message: 'Method Not Allowed',
          details: [],
        })
      }
      return send(404, { code: grpc.status.NOT_FOUND, message: 'Not Found', details: [] })
    }
    const { method } = found.route
    const started = performance.now()
    let code: number = grpc.status.OK
    try {
      const shorthand = !url.searchParams.has('noPayloadShorthand')
      const response = await call(found, url.searchParams, req, signal, shorthand)
      send(
        200,
        toProtoJson(method.responseType.fullName.replace(/^\./, ''), response as object, {
          payloadShorthand: shorthand,
        }),
      )
    } catch (e: unknown) {
      const error = toGrpcError(e, method, logger)
      code = error.code ?? grpc.status.UNKNOWN
      send(HTTP_STATUS[code] ?? 500, errorBody(error))
    } finally {
      const namespace = found.variables.find(([path]) => path.join('.') === 'namespace')?.[1]
      deps.observeCall?.(method.name, namespace ?? '', code, (performance.now() - started) / 1000)
    }
  }

  async function call(
    match: RouteMatch,
    query: URLSearchParams,
    req: IncomingMessage,
    serverSignal: AbortSignal,
    shorthand: boolean,
  ): Promise<unknown> {
    const { route } = match
    const handlers = (
      route.service === 'workflow' ? deps.workflowService : deps.operatorService
    ) as Record<string, AnyHandler | undefined>
    const refused = deps.refusal?.()
    if (refused) throw refused
    const handler = handlers[route.method.key]
    const bodyText = route.body ? await readBody(req, deps.maxBodyBytes) : ''
    const request = buildRequest(match, query, bodyText, shorthand)
    const metadata = metadataOf(req)
    const peer = `ipv4:${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? ''}`
    const namespace = (request as { namespace?: unknown }).namespace
    await deps.authorize?.(
      {
        service: route.service === 'workflow' ? WORKFLOW_SERVICE : OPERATOR_SERVICE,
        rpc: route.method.name,
        namespace: typeof namespace === 'string' ? namespace : '',
      },
      metadata,
      peer,
    )
    if (!handler) throw new UnimplementedError(`unimplemented: ${route.method.name}`)
    const controller = new AbortController()
    const abort = (): void => controller.abort()
    serverSignal.addEventListener('abort', abort, { once: true })
    // The client went away before the answer (a long poll it gave up on).
    req.socket.once('close', abort)
    try {
      return await handler(request, {
        signal: controller.signal,
        metadata,
        peer,
        deadline: Infinity,
        rpcName: route.method.name,
      })
    } finally {
      serverSignal.removeEventListener('abort', abort)
      req.socket.off('close', abort)
    }
  }
}

/**
 * Kubernetes' probes: `/health` answers 200 while the process runs (liveness), `/ready` 200 only
 * while the server takes calls, its store answers and it is not draining (readiness), else 503
 * with the reason.
 */
async function probe(path: string, deps: HttpApiDeps): Promise<[number, unknown]> {
  if (path === '/health') return [200, { status: 'SERVING' }]
  let reason = deps.refusal?.()?.message
  try {
    reason ??= await deps.readiness?.()
  } catch (e: unknown) {
    reason = `not ready: ${e instanceof Error ? e.message : String(e)}`
  }
  return reason === undefined
    ? [200, { status: 'SERVING' }]
    : [503, { status: 'NOT_SERVING', reason }]
}

/** grpc-gateway's error document: the google.rpc.Status, details included, as JSON. */
function errorBody(error: grpc.ServiceError): unknown {
  const bin = error.metadata?.get('grpc-status-details-bin')[0]
  if (Buffer.isBuffer(bin)) return toProtoJson('google.rpc.Status', Status.decode(bin))
  return { code: error.code, message: error.details, details: [] }
}

/** HTTP headers as gRPC metadata, so handlers see `authorization`, `client-name` and the like. */
function metadataOf(req: IncomingMessage): grpc.Metadata {
  const metadata = new grpc.Metadata()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':') || name.endsWith('-bin')) continue
    for (const v of Array.isArray(value) ? value : [value]) metadata.add(name, v)
  }
  return metadata
}

/** The body, as text; its type was checked by {@link browserRefusal}. */
async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buffer = chunk as Buffer
    size += buffer.length
    if (size > limit) throw new ResourceExhaustedError(`the request body exceeds ${limit} bytes`)
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
