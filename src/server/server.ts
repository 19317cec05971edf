/**
 * The composition root: opens the store, wires frontend, history, matching and the timer queue
 * together, and serves gRPC. `createServer` is what the CLI and the tests use; it resolves once
 * the server accepts calls, with every stored task and timer loaded.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { randomBytes, randomUUID } from 'node:crypto'
import { pino, type Logger } from 'pino'
import { RealClock, VirtualClock, type Clock } from '../common/clock.js'
import { TaskTokenSigner } from '../common/task-token.js'
import { long } from '../common/proto.js'
import { ensureError } from '../common/errors.js'
import { frontendLimits, MAX_REQUEST_BYTES } from '../frontend/limits.js'
import { NamespaceRateLimiter, withNamespaceRateLimit } from '../frontend/namespace-rate-limit.js'
import { historyLimits } from '../history/history-limits.js'
import { bindGrpcServer, type GrpcServer } from '../frontend/grpc-server.js'
import {
  createNamespaceHandlers,
  createOperatorNamespaceHandlers,
} from '../frontend/handlers/namespaces.js'
import { createSystemHandlers } from '../frontend/handlers/system.js'
import { createTestServiceHandlers } from '../frontend/handlers/test-service.js'
import { createQueryHandlers } from '../frontend/handlers/queries.js'
import { createTaskHandlers } from '../frontend/handlers/tasks.js'
import { createWorkerHandlers } from '../frontend/handlers/workers.js'
import {
  createOperatorVisibilityHandlers,
  createVisibilityHandlers,
} from '../frontend/handlers/visibility.js'
import { createWorkflowHandlers } from '../frontend/handlers/workflows.js'
import { CLUSTER_NAME, NamespaceRegistry } from '../frontend/namespace-registry.js'
import { withNamespaceStateCheck } from '../frontend/namespace-state.js'
import type { CallContext, WorkflowServiceHandlers } from '../frontend/rpc-types.js'
import { HistoryEngine } from '../history/history-engine.js'
import { executeTimer } from '../history/queues/timer-executor.js'
import { TimerQueue } from '../history/queues/timer-queue.js'
import { MatchingEngine } from '../matching/matching-engine.js'
import { meteredStore } from '../persistence/metered-store.js'
import { openStore, type StoreConfig } from '../persistence/open-store.js'
import { ShardOwnershipLostError } from '../persistence/errors.js'
import type { Store, TimerTask } from '../persistence/store.js'
import { SearchAttributeRegistry } from '../visibility/search-attribute-registry.js'
import { createInternalWorker } from '../worker/internal-worker.js'
import { NamespaceDeleter } from '../worker/namespace-deleter.js'
import type { DynamicSettings } from './dynamic-config.js'
import { meteredTimerExecutor } from './metered-timers.js'
import type { MetricsEndpoint } from './metrics.js'
import type { CorsOptions } from '../frontend/http/browser-guard.js'
import { createAuthorizer, type AuthorizationOptions } from '../frontend/auth/authorizer.js'
import type { CallAuthorizer } from '../frontend/auth/call-authorizer.js'
import type { UiAuthOptions } from '../frontend/ui-auth/ui-auth.js'
import { openFrontendTls, type FrontendTlsOptions } from './tls/frontend-tls.js'
import type { WebEndpoints } from './web-endpoints.js'
import { TimeSkipper } from './time-skipper.js'
import { startTracing } from './tracing.js'
import { ShardSet } from './cluster/shard-set.js'
import { ROLES, type ClusterView } from './cluster/cluster-view.js'
import { Membership } from './cluster/membership.js'
import { createAdminHandlers } from '../frontend/admin-service.js'
import { DEFAULT_NUM_HISTORY_SHARDS } from '../common/shard-id.js'

export interface ServerOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string
  /** gRPC port; default 7233, 0 picks a free one. */
  port?: number
  /** The store to open; default SQLite in memory. */
  store?: StoreConfig
  /** Apply schema migrations at start (default); false refuses a database that is behind. */
  migrate?: boolean
  /**
   * Cluster settings. `numHistoryShards` (default 16) is fixed at the store's first start; a
   * different value later is refused.
   */
  cluster?: { numHistoryShards?: number }
  /**
   * The internal gRPC port other nodes call (`server.internalPort`; default a free one) and the
   * address they reach this node at (`server.broadcastAddress`; default the host, loopback when
   * the host is a wildcard). Both are advertised in the store's membership table.
   */
  internal?: { port?: number; broadcastAddress?: string }
  /** Namespaces to create at start besides `default`. */
  namespaces?: string[]
  /**
   * Custom search attributes (name to IndexedValueType) to register at start in `default` and
   * in `namespaces`, as `temporal server start-dev --search-attribute` does.
   */
  searchAttributes?: ReadonlyMap<string, number>
  /** Serve Temporal's HTTP/JSON API on this port (0: a free one). */
  http?: { host?: string; port: number }
  /**
   * The key task tokens are signed with (HMAC), at least 32 bytes; by default one generated
   * once and kept in the store.
   */
  taskTokenKey?: Buffer
  /** TLS (and mTLS) on the gRPC, HTTP API and UI ports, files re-read when they change. */
  tls?: FrontendTlsOptions
  /** JWT authorization of every call (Temporal's default claim mapper and authorizer). */
  authorization?: AuthorizationOptions
  /** An OIDC login (authorization code + PKCE) in front of the Web UI. */
  uiAuth?: UiAuthOptions
  /** Origins whose web pages may call the HTTP API (CORS); none by default. */
  cors?: CorsOptions
  /** Serve the Web UI (and the HTTP API under `/api/` on the same origin) on this port. */
  ui?: { host?: string; port: number }
  /** Serve Prometheus metrics on `http://<host>:<port>/metrics` (port 0: a free one). */
  metrics?: { host?: string; port: number }
  /** Settings from Temporal's dynamic config keys (`--dynamic-config-value`). */
  dynamicConfig?: DynamicSettings
  /** How long task polls wait before returning empty; default 60 s. */
  longPollMs?: number
  logger?: Logger
  /** Ignored with `timeSkipping`, which brings its own virtual clock. */
  clock?: Clock
  /**
   * Serve Temporal's TestService and skip idle virtual time (`sundial-test-server`). Closed runs
   * are then kept until deleted: retention timers would be skipped to and delete them under a
   * test that still wants to read them.
   */
  timeSkipping?: { startUnlocked?: boolean }
  /**
   * Sees each WorkflowService call that succeeded, after it is answered: its RPC name
   * (`pollWorkflowTaskQueue`), request and response. For tests and tracing; must not throw.
   */
  observeCalls?: (rpc: string, request: unknown, response: unknown) => void
  /**
   * Called once when another server has taken this server's shard (two servers on one
   * PostgreSQL database): by then the server answers every call UNAVAILABLE and its health
   * check NOT_SERVING. The CLI exits or restarts the server from here. Must not throw.
   */
  onShardLost?: (error: Error) => void
}

export interface SundialServer {
  /** `host:port` to give an SDK. */
  readonly address: string
  readonly port: number
  readonly store: Store
  /** With `http`: the bound HTTP API port. */
  readonly httpPort?: number
  /** With `ui`: the bound Web UI port. */
  readonly uiPort?: number
  /** With `metrics`: the bound metrics port. */
  readonly metricsPort?: number
  /** With `timeSkipping`: the virtual clock's controller. */
  readonly timeSkipper?: TimeSkipper
  stop(): Promise<void>
}

const OPERATOR_SERVICE_NAME = 'temporal.api.operatorservice.v1.OperatorService'

/**
 * The store's number of history shards: the configured one at the store's first start, and
 * refused when it differs later (runs already sit in the shards the first count gave them).
 */
async function fixedShardCount(store: Store, configured: number | undefined): Promise<number> {
  const wanted = configured ?? DEFAULT_NUM_HISTORY_SHARDS
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > MAX_HISTORY_SHARDS) {
    throw new Error(
      `cluster.numHistoryShards must be an integer from 1 to ${MAX_HISTORY_SHARDS}, not ${wanted}`,
    )
  }
  const { value } = await store.cluster.getOrInitMetadata({
    key: 'num-history-shards',
    value: String(wanted),
  })
  const stored = Number(value)
  if (configured !== undefined && stored !== configured) {
    throw new Error(
      `cluster.numHistoryShards is ${configured}, but this store was created with ${stored} ` +
        'shards and the count cannot change: remove the setting or set it to ' +
        String(stored),
    )
  }
  return stored
}

/** How often the namespace and search-attribute caches are read again from the store. */
const CACHE_REFRESH_MS = 10_000

/** Temporal's ceiling is far higher; a node acquires every shard it owns at start. */
const MAX_HISTORY_SHARDS = 16_384

export async function createServer(opts: ServerOptions = {}): Promise<SundialServer> {
  const logger = opts.logger ?? pino({ level: 'info' })
  const virtualClock = opts.timeSkipping ? new VirtualClock() : undefined
  const clock = virtualClock ?? opts.clock ?? new RealClock()
  const dynamic = opts.dynamicConfig ?? {}
  const host = opts.host ?? '127.0.0.1'
  const storeConfig = opts.store ?? { kind: 'sqlite' }
  // Unique per process start: the node's identity in the membership table and shard leases.
  const hostId = randomUUID()
  // The ports close first (calls in flight finish against a live engine), then what started
  // after them, in the reverse order of starting; stop() and a failed start run the same.
  let listeners: Listeners | undefined
  const started: (() => unknown)[] = []
  let stopping: Promise<void> | undefined
  let draining = false
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      // Health checks fail first, while calls are still served, for traffic to move away.
      draining = true
      const failHealthMs = dynamic.shutdownFailHealthCheckMs ?? 0
      if (listeners && failHealthMs > 0) {
        listeners.grpc.drain()
        await sleep(failHealthMs)
      }
      await listeners?.close()
      for (const stop of [...started].reverse()) await stop()
    })())
  try {
    // Every port is bound before the store is opened, so that a server started by mistake beside
    // a running one fails on its port and leaves the other's store alone.
    listeners = await bindListeners(opts, host, logger)
    warnIfExposed(opts, host, logger)
    const { grpc, web, metrics } = listeners
    const address = `${host}:${grpc.port}`
    // Before the store, so that its calls are traced; stopped last, so that every span is flushed.
    const tracing = await startTracing(process.env, logger)
    if (tracing) started.push(() => tracing.shutdown())
    // With metrics, every store call is timed and counted (persistence_* metrics).
    const serverMetrics = metrics?.serverMetrics
    const opened = await openStore(
      storeConfig,
      opts.migrate ?? true,
      `sundial server on ${address}`,
    )
    const metered = serverMetrics ? meteredStore(opened, serverMetrics) : opened
    // Traced outside the metrics, so that each store span includes the metrics' time.
    const store = tracing?.store(metered) ?? metered
    started.push(() => store.close())
    const skipper =
      virtualClock &&
      new TimeSkipper({
        clock: virtualClock,
        tasks: store.tasks,
        logger,
        startUnlocked: opts.timeSkipping?.startUnlocked,
      })
    const namespaces = new NamespaceRegistry({ store: store.namespaces })
    await namespaces.ensureDefaults(opts.namespaces ?? [])
    const allNamespaces = await namespaces.loadAll()
    serverMetrics?.setNamespaceNames((id) => namespaces.cachedById(id)?.name)
    // A key given in config (nodes sharing one store must share it), else one kept in the store.
    const tokenKey =
      opts.taskTokenKey ??
      Buffer.from(
        (
          await store.cluster.getOrInitMetadata({
            key: 'task-token-key',
            value: randomBytes(32).toString('base64'),
          })
        ).value,
        'base64',
      )
    let shardLost = false
    const onShardLost = (error: Error): void => {
      if (shardLost) return
      shardLost = true
      grpc.setServing(false, 'shard ownership lost: another server owns this store')
      opts.onShardLost?.(error)
    }
    const shards = new ShardSet({
      cluster: store.cluster,
      numHistoryShards: await fixedShardCount(store, opts.cluster?.numHistoryShards),
      hostId,
      onAcquired: (shardId) => serverMetrics?.shardAcquired(shardId),
      onReleased: (shardId) => serverMetrics?.shardReleased(shardId),
    })
    await shards.acquireAll()
    // Handed back after everything started later has stopped, before the store closes.
    started.push(() => shards.releaseAll())
    const broadcast = opts.internal?.broadcastAddress ?? advertisedHost(host)
    const membership = new Membership({
      cluster: store.cluster,
      logger,
      self: {
        hostId,
        internalAddress: `${broadcast}:${listeners.internal.port}`,
        rpcAddress: `${broadcast}:${grpc.port}`,
        roles: [...ROLES],
        sessionStart: Date.now(),
      },
      // A shard another server acquired is found within a heartbeat, not at the next write.
      afterBeat: async () => {
        const lost = await shards.lost()
        if (lost.length === 0) return
        onShardLost(
          new ShardOwnershipLostError(`shards ${lost.join(', ')} were acquired by another server`),
        )
      },
    })
    await membership.start()
    started.push(() => membership.stop())
    const clusterView: ClusterView = {
      numHistoryShards: shards.numHistoryShards,
      self: () => membership.self(),
      members: async () => (await store.cluster.listMembers({ aliveAt: Date.now() })).members,
      shards: async () => (await store.cluster.listShards()).shards,
    }
    const adminService = createAdminHandlers(clusterView, {
      clusterName: CLUSTER_NAME,
      persistenceStore: storeConfig.kind,
    })
    const searchAttributes = await SearchAttributeRegistry.load(store.visibility)
    // Other nodes' namespace and search-attribute changes reach this node's caches (Temporal
    // refreshes its namespace cache every 10 s too).
    const refresher = setInterval(() => {
      Promise.all([namespaces.refresh(), searchAttributes.refresh()]).catch((e: unknown) =>
        logger.warn({ err: ensureError(e) }, 'refreshing the namespace caches failed'),
      )
    }, CACHE_REFRESH_MS)
    refresher.unref()
    started.push(() => clearInterval(refresher))
    if (opts.searchAttributes?.size) {
      for (const name of new Set(['default', ...(opts.namespaces ?? [])])) {
        const ns = await namespaces.getByName(name)
        await searchAttributes.register(ns.id, opts.searchAttributes)
      }
    }
    const history = new HistoryEngine({
      store,
      clock,
      logger,
      tokens: new TaskTokenSigner(tokenKey),
      shards,
      searchAttributeTypes: (namespaceId) => searchAttributes.types(namespaceId),
      historyLimits: historyLimits(dynamic),
      // Every namespace is cached (loaded below, and each register/update caches its result).
      namespaceRetentionMs: (namespaceId) =>
        skipper ? 0 : namespaces.cachedById(namespaceId)?.retentionMs,
      observer: skipper,
      metrics: serverMetrics,
      onShardLost,
      traceCommit: tracing?.traceCommit,
    })
    const matching = new MatchingEngine({
      store,
      clock,
      logger,
      longPollMs: opts.longPollMs ?? dynamic.longPollMs ?? 60_000,
      metrics: serverMetrics,
    })
    const executeTimerTask = (task: TimerTask): Promise<void> => executeTimer(history, task)
    const timers = new TimerQueue({
      store,
      clock,
      logger,
      execute: serverMetrics
        ? meteredTimerExecutor(serverMetrics, executeTimerTask)
        : executeTimerTask,
      onFired: skipper && (() => skipper.timerFired()),
    })
    history.setTaskSinks({
      addQueueTasks: (tasks) => matching.addTasks(tasks),
      addTimers: (t) => timers.add(t),
      removeTimers: (keys) => timers.remove(keys),
    })
    await matching.loadBacklog()
    started.push(() => timers.stop())
    await timers.start()
    const deleter = new NamespaceDeleter({
      namespaces,
      history,
      visibility: store.visibility,
      searchAttributes,
      clock,
      logger,
    })
    started.push(() => deleter.stop())
    deleter.resume(allNamespaces)

    // The worker acts through the handler map below, which includes its own handlers.
    let workflowService: WorkflowServiceHandlers = {}
    const limits = frontendLimits(dynamic)
    const worker = createInternalWorker({
      limits,
      jobs: store.jobs,
      shards,
      clock,
      logger,
      namespaces,
      searchAttributes,
      frontend: () => workflowService,
      onShardLost,
    })
    started.push(() => worker.stop())

    const updates = { sync: dynamic.syncUpdate ?? true, async: dynamic.asyncUpdate ?? true }
    const visibility = { store: store.visibility, namespaces, searchAttributes }
    const handlers = {
      workflowService: observed(
        opts.observeCalls,
        withNamespaceStateCheck(namespaces, {
          ...createNamespaceHandlers({
            limits: {
              blobSizeLimitError: long(limits.blobSizeLimit),
              memoSizeLimitError: long(limits.memoSizeLimit),
              workflowTaskCompletionSizeLimitError: long(MAX_REQUEST_BYTES),
            },
            registry: namespaces,
            // What workers may rely on in this namespace: updates are implemented, both waiting for
            // the result (sync) and returning once accepted (async).
            capabilities: { syncUpdate: updates.sync, asyncUpdate: updates.async },
          }),
          ...createSystemHandlers({
            persistenceStore: storeConfig.kind,
            historyShardCount: shards.numHistoryShards,
          }),
          ...createWorkflowHandlers({ history, namespaces, limits, searchAttributes, updates }),
          ...createTaskHandlers({ history, matching, namespaces, limits }),
          ...createQueryHandlers({ history, matching, namespaces, limits }),
          ...createWorkerHandlers({ history, matching, namespaces }),
          ...createVisibilityHandlers(visibility),
          ...worker.handlers,
        }),
      ),
      operatorService: withNamespaceStateCheck(namespaces, {
        ...createOperatorVisibilityHandlers(visibility),
        ...createOperatorNamespaceHandlers({ registry: namespaces, deleter }),
      }),
    }
    workflowService = handlers.workflowService
    // Clients' calls are rate limited per namespace; the internal worker's (above) are not.
    const limited = withNamespaceRateLimit(
      new NamespaceRateLimiter(limits.rateLimits),
      handlers.workflowService,
    )
    // Traced outermost, so that a rate-limited call has its span too; the internal worker's calls
    // (above) have none of their own.
    const served = {
      workflowService: tracing?.handlers(limited) ?? limited,
      operatorService:
        tracing?.handlers(handlers.operatorService, OPERATOR_SERVICE_NAME) ??
        handlers.operatorService,
    }
    await worker.start()
    listeners.internal.serve({ workflowService: {}, operatorService: {}, adminService })
    grpc.serve({
      ...served,
      adminService,
      testService: skipper && createTestServiceHandlers(skipper),
    })
    web?.serve({
      ...served,
      logger,
      observeCall: metrics?.observeCall,
      maxBodyBytes: MAX_REQUEST_BYTES,
      refusal: () => grpc.refusal,
      cors: opts.cors,
      authorize: listeners.authorize,
      readiness: async () => {
        if (draining) return 'draining: the server is stopping'
        // The store answers (a read of one namespace row).
        await store.namespaces.listNamespaces({ pageSize: 1 })
        return undefined
      },
    })
    if (skipper) started.push(() => skipper.stop())
    return {
      address,
      port: grpc.port,
      store,
      timeSkipper: skipper,
      metricsPort: metrics?.port,
      httpPort: web?.httpPort,
      uiPort: web?.uiPort,
      stop: stopAll,
    }
  } catch (e: unknown) {
    await stopAll()
    throw e
  }
}

/**
 * Warns when the server listens beyond loopback without TLS or without authorization: then
 * anyone who reaches a port can read the traffic, or act as any user (delete a namespace,
 * terminate any workflow).
 */
function warnIfExposed(opts: ServerOptions, host: string, logger: Logger): void {
  if (isLoopback(host)) return
  const missing = [!opts.tls && 'TLS', !opts.authorization && 'authorization'].filter(Boolean)
  if (missing.length === 0) return
  logger.warn(
    { host, missing },
    `listening on ${host} without ${missing.join(' or ')}: anyone who can reach the ports can ${
      opts.authorization ? 'read the traffic' : 'call every API, admin ones included'
    }; configure tls and authorization (README, Security)`,
  )
}

/** The host other nodes can reach a node bound to `host` at, when none is configured. */
function advertisedHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '::1'
  return host
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host)
}

/** The ports a server listens on, bound and answering UNAVAILABLE until they serve. */
interface Listeners {
  grpc: GrpcServer
  /** The internal port, where the other nodes of the cluster call this one. */
  internal: GrpcServer
  /** The authorizer the ports check calls with; none without authorization. */
  authorize?: CallAuthorizer
  web?: WebEndpoints
  metrics?: MetricsEndpoint
  close(): Promise<void>
}

async function bindListeners(
  opts: ServerOptions,
  host: string,
  logger: Logger,
): Promise<Listeners> {
  const closers: (() => Promise<void>)[] = []
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c()
  }
  try {
    const tls = opts.tls && (await openFrontendTls(opts.tls, logger))
    if (tls) closers.push(() => Promise.resolve(tls.close()))
    const authorizer =
      opts.authorization &&
      createAuthorizer(opts.authorization, { logger, auditLogger: logger.child({ audit: true }) })
    if (authorizer) closers.push(() => Promise.resolve(authorizer.close()))
    let metrics: MetricsEndpoint | undefined
    if (opts.metrics) {
      // Loaded on demand: prom-client costs start-up time that embedded servers need not pay.
      const { startMetricsEndpoint } = await import('./metrics.js')
      const endpoint = await startMetricsEndpoint(
        opts.metrics.host ?? host,
        opts.metrics.port,
        logger,
      )
      closers.push(() => endpoint.close())
      metrics = endpoint
    }
    const grpc = await bindGrpcServer({
      host,
      port: opts.port ?? 7233,
      logger,
      maxReceiveMessageBytes: MAX_REQUEST_BYTES,
      testService: opts.timeSkipping !== undefined,
      observeCall: metrics?.observeCall,
      credentials: tls?.grpcCredentials,
      authorize: authorizer?.authorize,
    })
    closers.push(() => grpc.close())
    // The internal port is a gRPC server of the same kind, without the clients' authorization:
    // it serves the admin service now, and the calls nodes forward to each other later.
    const internal = await bindGrpcServer({
      host,
      port: opts.internal?.port ?? 0,
      logger,
      maxReceiveMessageBytes: MAX_REQUEST_BYTES,
    })
    closers.push(() => internal.close())
    let web: WebEndpoints | undefined
    if (opts.http || opts.ui) {
      // Loaded on demand, like metrics: the JSON mapping and the asset server cost start-up time.
      const { bindWebEndpoints } = await import('./web-endpoints.js')
      const endpoints = await bindWebEndpoints({
        host,
        http: opts.http,
        ui: opts.ui,
        logger,
        tls: tls?.http,
        uiAuth: opts.uiAuth,
      })
      closers.push(() => endpoints.close())
      web = endpoints
    }
    return { grpc, internal, web, metrics, authorize: authorizer?.authorize, close }
  } catch (e: unknown) {
    await close()
    throw e
  }
}

type AnyHandler = (request: unknown, ctx: CallContext) => Promise<unknown>

/** Wraps every handler so that `observe` sees its request and response. */
function observed(
  observe: ServerOptions['observeCalls'],
  handlers: WorkflowServiceHandlers,
): WorkflowServiceHandlers {
  if (!observe) return handlers
  const out: Record<string, AnyHandler> = {}
  for (const [rpc, handler] of Object.entries(handlers as Record<string, AnyHandler>)) {
    out[rpc] = async (request, ctx) => {
      const response = await handler(request, ctx)
      observe(rpc, request, response)
      return response
    }
  }
  return out
}
