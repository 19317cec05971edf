/**
 * Prometheus metrics on `http://<host>:<port>/metrics`, as Temporal's server exposes them: the
 * frontend's `service_requests`, `service_errors` and `service_latency` per operation and
 * namespace, the engine's metrics (`serverMetrics`, see prometheus-metrics.ts), plus the Node.js
 * process metrics. Loaded only when a metrics port is configured.
 */
import type { Logger } from 'pino'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { CallObserver } from '../frontend/grpc-server.js'
import { startHttpServer } from '../frontend/http/http-server.js'
import { LATENCY_BUCKETS, PrometheusServerMetrics } from './prometheus-metrics.js'

export interface MetricsEndpoint {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number
  /** Records one answered gRPC or HTTP API call. */
  readonly observeCall: CallObserver
  /**
   * What history, matching, the store decorator and the timer queue report to. Call
   * `setNamespaceNames` once namespaces are loaded; until then namespace ids label the series.
   */
  readonly serverMetrics: PrometheusServerMetrics
  close(): Promise<void>
}

export async function startMetricsEndpoint(
  host: string,
  port: number,
  logger: Logger,
  opts: { taskQueueLabelLimit?: number } = {},
): Promise<MetricsEndpoint> {
  const registry = new Registry()
  const serverMetrics = new PrometheusServerMetrics({
    registry,
    taskQueueLabelLimit: opts.taskQueueLabelLimit,
  })
  collectDefaultMetrics({ register: registry })
  const labelNames = ['operation', 'namespace'] as const
  const requests = new Counter({
    name: 'service_requests',
    help: 'gRPC requests answered, by operation and namespace',
    labelNames,
    registers: [registry],
  })
  const errors = new Counter({
    name: 'service_errors',
    help: 'gRPC requests answered with an error, by operation, namespace and status code',
    labelNames: [...labelNames, 'status_code'],
    registers: [registry],
  })
  const latency = new Histogram({
    name: 'service_latency',
    help: 'Time to answer a gRPC request, in seconds (long polls included)',
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  })

  const server = await startHttpServer({
    host,
    port,
    logger,
    name: 'metrics',
    async handle(req, res) {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n')
        return
      }
      const text = await registry.metrics()
      res.writeHead(200, { 'content-type': registry.contentType }).end(text)
    },
  })
  return {
    port: server.port,
    observeCall(operation, namespace, code, seconds) {
      const labels = { operation, namespace }
      requests.inc(labels)
      latency.observe(labels, seconds)
      if (code !== 0) errors.inc({ ...labels, status_code: String(code) })
    },
    serverMetrics,
    close: () => server.close(),
  }
}
