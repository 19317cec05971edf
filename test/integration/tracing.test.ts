/**
 * OpenTelemetry end to end: the SDK's client interceptor makes a client span and carries its
 * context in the request's Temporal header; the server's RPC span is its child, history's commit
 * span and the store's spans nest under that. Both sides export OTLP/HTTP JSON to a receiver in
 * this process, so the test reads the spans as a collector would.
 */
import assert from 'node:assert/strict'
import { createServer as createHttpServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { propagation } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client'
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry'
import { pino } from 'pino'
import { createServer, type SundialServer } from '../../src/server/server.js'
import { testStoreConfig } from '../../src/testing/test-store.js'
import { eventually, uid } from './harness.js'

/** One span as the receiver decoded it from OTLP JSON. */
interface ReceivedSpan {
  service: string
  traceId: string
  spanId: string
  parentSpanId: string
  name: string
  kind: number
  statusCode: number
  attributes: Record<string, unknown>
}

/** OTLP's span kinds and status codes (opentelemetry-proto `trace.proto`). */
const SPAN_KIND_SERVER = 2
const STATUS_CODE_ERROR = 2

interface OtlpValue {
  stringValue?: string
  intValue?: string | number
  boolValue?: boolean
  doubleValue?: number
}
interface OtlpAttribute {
  key: string
  value: OtlpValue
}
interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] }
    scopeSpans?: {
      spans?: {
        traceId: string
        spanId: string
        parentSpanId?: string
        name: string
        kind: number
        status?: { code?: number }
        attributes?: OtlpAttribute[]
      }[]
    }[]
  }[]
}

function attributeMap(attributes: OtlpAttribute[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const { key, value } of attributes ?? []) {
    out[key] =
      value.stringValue ??
      (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
      value.boolValue ??
      value.doubleValue
  }
  return out
}

/** An OTLP/HTTP receiver: `POST /v1/traces` with JSON bodies. */
async function startReceiver(): Promise<{ server: Server; url: string; spans: ReceivedSpan[] }> {
  const spans: ReceivedSpan[] = []
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end()
        return
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpRequest
      for (const rs of body.resourceSpans ?? []) {
        const service = String(attributeMap(rs.resource?.attributes)['service.name'])
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              service,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              kind: s.kind,
              statusCode: s.status?.code ?? 0,
              attributes: attributeMap(s.attributes),
            })
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { server, url: `http://127.0.0.1:${port}`, spans }
}

const START_RPC = 'temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution'

let receiver: Awaited<ReturnType<typeof startReceiver>>
let server: SundialServer
let connection: Connection
let clientTracing: BasicTracerProvider
let tracedClient: Client

before(async () => {
  receiver = await startReceiver()
  // The server reads the standard variables, as it would from its environment.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json'
  process.env.OTEL_BSP_SCHEDULE_DELAY = '50'
  // No worker: starting a workflow is all the test needs, and the bundle would cost seconds.
  server = await createServer({
    port: 0,
    logger: pino({ level: 'warn' }),
    store: await testStoreConfig(),
  })
  connection = await Connection.connect({ address: server.address })
  // The SDK interceptor injects with the global propagator, as an application would set it.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  clientTracing = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'tracing-test-client' }),
    spanProcessors: [
      new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` })),
    ],
  })
  tracedClient = new Client({
    connection,
    interceptors: {
      workflow: [
        new OpenTelemetryWorkflowClientInterceptor({
          tracer: clientTracing.getTracer('tracing-test'),
        }),
      ],
    },
  })
})

after(async () => {
  await clientTracing.shutdown()
  await connection.close()
  await server.stop()
  await new Promise((resolve) => receiver.server.close(resolve))
})

/** The spans received so far with this trace id. */
function traceOf(traceId: string): ReceivedSpan[] {
  return receiver.spans.filter((s) => s.traceId === traceId)
}

test('a started workflow: client span, server RPC span as its child, commit and store spans under it', async () => {
  const workflowId = uid('traced')
  await tracedClient.workflow.start('tracedWorkflow', { taskQueue: uid('tq'), workflowId })
  await clientTracing.forceFlush()
  const client = receiver.spans.find(
    (s) => s.service === 'tracing-test-client' && s.name === 'StartWorkflow:tracedWorkflow',
  )
  assert.ok(client, 'the interceptor exported no StartWorkflow span')

  const spans = await eventually(() => {
    const trace = traceOf(client.traceId)
    const names = trace.map((s) => s.name)
    assert.ok(names.includes(START_RPC), `no server span yet: ${names.join(', ')}`)
    assert.ok(names.includes('persistence.executions.updateWorkflowExecutions'))
    return Promise.resolve(trace)
  })
  const rpcSpan = spans.find((s) => s.name === START_RPC)
  assert.ok(rpcSpan)
  assert.equal(rpcSpan.service, 'sundial')
  assert.equal(rpcSpan.kind, SPAN_KIND_SERVER)
  assert.equal(rpcSpan.parentSpanId, client.spanId, 'the server span is not the client span child')
  assert.deepEqual(
    {
      system: rpcSpan.attributes['rpc.system'],
      service: rpcSpan.attributes['rpc.service'],
      method: rpcSpan.attributes['rpc.method'],
      status: rpcSpan.attributes['rpc.grpc.status_code'],
      namespace: rpcSpan.attributes['temporal.namespace'],
      workflowId: rpcSpan.attributes['temporal.workflow_id'],
    },
    {
      system: 'grpc',
      service: 'temporal.api.workflowservice.v1.WorkflowService',
      method: 'StartWorkflowExecution',
      status: 0,
      namespace: 'default',
      workflowId,
    },
  )

  const commit = spans.find((s) => s.name === 'history.commit')
  assert.ok(commit, 'no history.commit span')
  assert.equal(commit.parentSpanId, rpcSpan.spanId)
  assert.equal(commit.attributes['temporal.workflow_id'], workflowId)
  const write = spans.find((s) => s.name === 'persistence.executions.updateWorkflowExecutions')
  assert.ok(write)
  assert.equal(write.parentSpanId, commit.spanId)

  // Every store span of the call descends from the server span.
  const byId = new Map(spans.map((s) => [s.spanId, s]))
  const stores = spans.filter((s) => s.name.startsWith('persistence.'))
  for (const s of stores) {
    let up = byId.get(s.parentSpanId)
    while (up && up !== rpcSpan) up = byId.get(up.parentSpanId)
    assert.equal(up, rpcSpan, `${s.name} is not under the server span`)
  }
})

test('a W3C traceparent in the gRPC metadata is the parent; a refused start keeps its gRPC code', async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
  const parentId = '00f067aa0ba902b7'
  const traced = await Connection.connect({
    address: server.address,
    metadata: { traceparent: `00-${traceId}-${parentId}-01` },
  })
  try {
    const client = new Client({ connection: traced })
    const workflowId = uid('traceparent')
    const options = { taskQueue: uid('tq'), workflowId }
    await client.workflow.start('tracedWorkflow', options)
    await assert.rejects(
      client.workflow.start('tracedWorkflow', options),
      WorkflowExecutionAlreadyStartedError,
    )
  } finally {
    await traced.close()
  }
  const starts = await eventually(() => {
    const found = traceOf(traceId).filter((s) => s.name === START_RPC)
    assert.equal(found.length, 2, `${found.length} server spans in the trace`)
    return Promise.resolve(found)
  })
  for (const s of starts) assert.equal(s.parentSpanId, parentId)
  const codes = starts.map((s) => s.attributes['rpc.grpc.status_code']).sort()
  assert.deepEqual(codes, [0, 6])
  // ALREADY_EXISTS is an answer, not a server fault (OpenTelemetry's gRPC conventions).
  assert.ok(starts.every((s) => s.statusCode !== STATUS_CODE_ERROR))
})
