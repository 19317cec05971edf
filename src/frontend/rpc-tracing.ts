/**
 * A server span per RPC, wrapped around a handler map as `observed(...)` and the rate limiter
 * are. The parent comes from the caller: W3C `traceparent`/`tracestate` in the gRPC metadata (or
 * HTTP headers, which the HTTP API passes as metadata), else the Temporal header `_tracer-data`
 * that `@temporalio/interceptors-opentelemetry`'s client interceptor writes into the request
 * (a `json/plain` payload of the same W3C carrier). The handler runs in the span's context, so
 * history's commit spans and the store's spans nest under it.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { status as GrpcStatus, type Metadata } from '@grpc/grpc-js'
import { ServiceError } from '../common/errors.js'
import { ATTR_NAMESPACE, ATTR_RUN_ID, ATTR_WORKFLOW_ID } from '../common/trace-attributes.js'
import { payloadJsonValue, type PayloadBytes } from '../common/payload-value.js'
import type { CallContext } from './rpc-types.js'

/** The Temporal header the SDK's OpenTelemetry interceptors carry the trace context in. */
export const TRACE_HEADER = '_tracer-data'

export const WORKFLOW_SERVICE_NAME = 'temporal.api.workflowservice.v1.WorkflowService'

type AnyHandler = (request: unknown, ctx: CallContext) => Promise<unknown>

const propagator = new W3CTraceContextPropagator()

const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => {
    const values = carrier.get(key).map((v) => (typeof v === 'string' ? v : v.toString('utf8')))
    return values.length > 1 ? values : values[0]
  },
}

const recordGetter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key]
    return typeof value === 'string' ? value : undefined
  },
}

/**
 * Wraps each handler of `handlers` in a SERVER span named `<service>/<Rpc>`
 * (`temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution`). Without a tracer
 * the map is returned as it is.
 */
export function withTracing<H extends object>(
  handlers: H,
  tracer: Tracer | undefined,
  service = WORKFLOW_SERVICE_NAME,
): H {
  if (!tracer) return handlers
  const out: Record<string, AnyHandler> = {}
  for (const [rpc, handler] of Object.entries(handlers as Record<string, AnyHandler>)) {
    out[rpc] = (request, ctx) => {
      const parent = parentContext(request, ctx.metadata)
      const attributes: Attributes = {
        'rpc.system': 'grpc',
        'rpc.service': service,
        'rpc.method': ctx.rpcName,
        ...requestAttributes(request),
      }
      return tracer.startActiveSpan(
        `${service}/${ctx.rpcName}`,
        { kind: SpanKind.SERVER, attributes },
        parent,
        async (span) => {
          try {
            const response = await handler(request, ctx)
            span.setAttribute('rpc.grpc.status_code', GrpcStatus.OK)
            return response
          } catch (e: unknown) {
            recordError(span, e)
            throw e
          } finally {
            span.end()
          }
        },
      )
    }
  }
  return out as H
}

/**
 * The codes that are the server's fault, which alone make a server span an error (OpenTelemetry's
 * gRPC conventions): NOT_FOUND or ALREADY_EXISTS is an answer, not a failure of the server.
 */
const SERVER_FAULTS: ReadonlySet<number> = new Set([
  GrpcStatus.UNKNOWN,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.UNIMPLEMENTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DATA_LOSS,
])

function recordError(span: Span, e: unknown): void {
  // Anything but a ServiceError is answered as INTERNAL by the gRPC wrapper.
  const code = e instanceof ServiceError ? e.code : GrpcStatus.INTERNAL
  const message = e instanceof Error ? e.message : String(e)
  span.setAttribute('rpc.grpc.status_code', code)
  if (e instanceof Error) span.recordException(e)
  if (SERVER_FAULTS.has(code)) span.setStatus({ code: SpanStatusCode.ERROR, message })
}

/** The caller's context: W3C metadata first (the nearest hop), then the Temporal header. */
function parentContext(request: unknown, metadata: Metadata): Context {
  const fromMetadata = propagator.extract(ROOT_CONTEXT, metadata, metadataGetter)
  if (trace.getSpanContext(fromMetadata)) return fromMetadata
  const carrier = headerCarrier(request)
  if (carrier) {
    const fromHeader = propagator.extract(ROOT_CONTEXT, carrier, recordGetter)
    if (trace.getSpanContext(fromHeader)) return fromHeader
  }
  // A call with no remote parent starts a trace: whatever context grpc-js happens to run the
  // handler in is not the caller's.
  return ROOT_CONTEXT
}

interface HeaderFields {
  fields?: Record<string, PayloadBytes> | null
}

interface TracedRequest {
  header?: HeaderFields | null
  /** QueryWorkflow's query. */
  query?: { header?: HeaderFields | null } | null
  /** UpdateWorkflowExecution's update request. */
  request?: { input?: { header?: HeaderFields | null } | null } | null
}

/** The W3C carrier in the request's Temporal header, where the SDK interceptors put it. */
function headerCarrier(request: unknown): Record<string, unknown> | undefined {
  const r = request as TracedRequest | null
  const header = r?.header ?? r?.query?.header ?? r?.request?.input?.header
  const payload = header?.fields?.[TRACE_HEADER]
  if (!payload) return undefined
  const decoded = payloadJsonValue(payload)?.value
  return decoded && typeof decoded === 'object' ? (decoded as Record<string, unknown>) : undefined
}

interface ExecutionRef {
  workflowId?: string | null
  runId?: string | null
}

interface IdentifiedRequest {
  namespace?: unknown
  workflowId?: unknown
  workflowExecution?: ExecutionRef | null
  execution?: ExecutionRef | null
}

function requestAttributes(request: unknown): Attributes {
  const r = (request ?? {}) as IdentifiedRequest
  const execution = r.workflowExecution ?? r.execution
  const workflowId = typeof r.workflowId === 'string' ? r.workflowId : execution?.workflowId
  const attributes: Attributes = {}
  if (typeof r.namespace === 'string' && r.namespace) attributes[ATTR_NAMESPACE] = r.namespace
  if (workflowId) attributes[ATTR_WORKFLOW_ID] = workflowId
  if (execution?.runId) attributes[ATTR_RUN_ID] = execution.runId
  return attributes
}
