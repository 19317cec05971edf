/**
 * OpenTelemetry tracing, off unless the standard OTEL_* variables ask for it: an OTLP endpoint
 * (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`), with
 * `OTEL_TRACES_EXPORTER` unset or `otlp` and `OTEL_SDK_DISABLED` not `true`.
 *
 * The SDK is imported only then, as metrics' prom-client is: a server without tracing does not
 * pay for loading it. The tracer provider is this server's own and is not registered globally
 * (an embedded server must not take over its host application's tracing); only the
 * AsyncLocalStorage context manager is, when none is, since `@opentelemetry/api`'s context is
 * global and spans must follow the awaits from an RPC into history and the store.
 *
 * `env` decides whether tracing runs, the endpoint, the protocol and `service.name`. The SDK reads
 * the other standard variables from `process.env` itself: `OTEL_EXPORTER_OTLP_*_HEADERS`,
 * `_TIMEOUT`, `_COMPRESSION`, the certificate files, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_BSP_*`
 * and `OTEL_TRACES_SAMPLER(_ARG)`.
 */
import type { Tracer } from '@opentelemetry/api'
import type { Logger } from 'pino'
import { packageVersion } from '../frontend/handlers/system.js'
import type { HistoryEngineDeps } from '../history/history-engine.js'
import type { Store } from '../persistence/store.js'

export type TracingEnv = Readonly<Record<string, string | undefined>>

/**
 * A running tracer provider, with the decorators bound to its tracer (loaded with the SDK, so
 * that the composition root imports none of them when tracing is off).
 */
export interface Tracing {
  /** Sundial's tracer, for `withTracing`, `tracedStore` and `traceCommits`. */
  readonly tracer: Tracer
  /** `withTracing(handlers, tracer, service)`: a SERVER span per RPC. */
  handlers<H extends object>(handlers: H, service?: string): H
  /** `tracedStore(store, tracer)`: a span per store call. */
  store(store: Store): Store
  /** `traceCommits(tracer)`: the history engine's `traceCommit` hook. */
  readonly traceCommit: NonNullable<HistoryEngineDeps['traceCommit']>
  /** Where spans go, for the start-up log. */
  readonly url: string
  /** Exports every span ended so far. */
  forceFlush(): Promise<void>
  /** Exports what is pending and stops; later spans are dropped. */
  shutdown(): Promise<void>
}

type Protocol = 'http/protobuf' | 'http/json'

/** What `env` asks for: undefined when tracing is off. */
export function tracingConfig(
  env: TracingEnv,
  logger?: Logger,
): { url: string; protocol: Protocol; serviceName?: string } | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined
  const exporters = (env.OTEL_TRACES_EXPORTER ?? 'otlp').split(',').map((e) => e.trim())
  if (!exporters.includes('otlp')) {
    if (!exporters.includes('none')) {
      logger?.warn(
        { OTEL_TRACES_EXPORTER: env.OTEL_TRACES_EXPORTER },
        'tracing is off: only the otlp traces exporter is supported',
      )
    }
    return undefined
  }
  const url = tracesUrl(env)
  if (!url) return undefined
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ??
    env.OTEL_EXPORTER_OTLP_PROTOCOL ??
    'http/protobuf'
  ).trim()
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    logger?.warn(
      { protocol },
      'tracing is off: the OTLP protocol must be http/protobuf or http/json (grpc is not supported)',
    )
    return undefined
  }
  // Default `sundial`, applied under OTEL_RESOURCE_ATTRIBUTES' service.name.
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || undefined
  return { url, protocol, serviceName }
}

/** The traces URL the OTLP/HTTP specification derives from the endpoint variables. */
function tracesUrl(env: TracingEnv): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()
  if (traces) return traces
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()
  if (!base) return undefined
  return `${base.replace(/\/+$/, '')}/v1/traces`
}

/**
 * Starts exporting spans when `env` configures it; undefined (having loaded nothing) otherwise.
 * Spans are batched (`OTEL_BSP_*`); `shutdown()` flushes them.
 */
export async function startTracing(env: TracingEnv, logger: Logger): Promise<Tracing | undefined> {
  const config = tracingConfig(env, logger)
  if (!config) return undefined
  const [api, sdk, resources, semconv, hooks, exporterModule, rpc, store, commit] =
    await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
      import('@opentelemetry/context-async-hooks'),
      config.protocol === 'http/json'
        ? import('@opentelemetry/exporter-trace-otlp-http')
        : import('@opentelemetry/exporter-trace-otlp-proto'),
      import('../frontend/rpc-tracing.js'),
      import('../persistence/traced-store.js'),
      import('../history/commit-tracing.js'),
    ])
  installContextManager(api, hooks)
  // Export failures are the SDK's diagnostics, otherwise silent.
  api.diag.setLogger(
    {
      error: (message, ...args) => logger.warn({ args }, `tracing: ${message}`),
      warn: (message, ...args) => logger.warn({ args }, `tracing: ${message}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    { logLevel: api.DiagLogLevel.WARN, suppressOverrideMessage: true },
  )
  // Later wins: Sundial's defaults, then OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME.
  const resource = resources
    .defaultResource()
    .merge(
      resources.resourceFromAttributes({
        [semconv.ATTR_SERVICE_NAME]: 'sundial',
        [semconv.ATTR_SERVICE_VERSION]: packageVersion(),
      }),
    )
    .merge(resources.detectResources({ detectors: [resources.envDetector] }))
    .merge(
      resources.resourceFromAttributes(
        config.serviceName ? { [semconv.ATTR_SERVICE_NAME]: config.serviceName } : {},
      ),
    )
  const exporter = new exporterModule.OTLPTraceExporter({ url: config.url })
  const provider = new sdk.BasicTracerProvider({
    resource,
    spanProcessors: [new sdk.BatchSpanProcessor(exporter)],
  })
  logger.info({ url: config.url, protocol: config.protocol }, 'exporting traces')
  const tracer = provider.getTracer('sundial', packageVersion())
  return {
    tracer,
    handlers: (handlers, service) => rpc.withTracing(handlers, tracer, service),
    store: (s) => store.tracedStore(s, tracer),
    traceCommit: commit.traceCommits(tracer),
    url: config.url,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  }
}

let contextManagerInstalled = false

function installContextManager(
  api: typeof import('@opentelemetry/api'),
  hooks: typeof import('@opentelemetry/context-async-hooks'),
): void {
  if (contextManagerInstalled) return
  contextManagerInstalled = true
  const manager = new hooks.AsyncLocalStorageContextManager().enable()
  // False when the host application registered one already; spans follow its context then.
  if (!api.context.setGlobalContextManager(manager)) manager.disable()
}
