/**
 * `sundial server start-dev`: a single-node development server, as `temporal server start-dev`
 * starts one; `sundial server start`: the production start, configured by a YAML file,
 * environment variables and flags (src/server/config.ts).
 */
import { resolve } from 'node:path'
import { format } from 'node:util'
import * as grpc from '@grpc/grpc-js'
import { Command, Option } from 'commander'
import type { Logger } from 'pino'
import { StoreInUseError, StoreUnavailableError } from '../../persistence/errors.js'
import { describeStore, type StoreConfig } from '../../persistence/open-store.js'
import type { Store } from '../../persistence/store.js'
import { LOG_LEVELS, type LogLevel } from '../../server/log-levels.js'
import type { SecurityConfig, SecurityFlags } from '../../server/security-config.js'
import { SHARD_LOSS_ACTIONS, type ShardLossAction } from '../../server/shard-loss.js'
import { createServer, type SundialServer } from '../../server/server.js'
import {
  DynamicConfigError,
  parseDynamicConfig,
  type DynamicSettings,
} from '../../server/dynamic-config.js'
import {
  SQLITE_SYNCHRONOUS,
  type SqliteSynchronous,
} from '../../persistence/sqlite/sqlite-settings.js'
import { loadConfig } from '../load-config.js'
import { createLogger, LOG_FORMATS, type LogFormat } from '../logger.js'
import {
  collect,
  collectNamespace,
  collectSearchAttribute,
  collectSqlitePragma,
  formatAddress,
  parsePort,
  type SqlitePragmaFlags,
} from '../options.js'
import { stopOnSignals } from '../stop-on-signals.js'

/** start-dev's flags, named as `temporal server start-dev` names them. */
interface StartDevFlags {
  ip: string
  port: number
  dbFilename?: string
  namespace: string[]
  httpPort?: number
  metricsPort?: number
  uiPort?: number
  uiIp?: string
  headless?: boolean
  logFormat: LogFormat
  logLevel: string
  dynamicConfigValue: string[]
  searchAttribute: Map<string, number>
  sqlitePragma: SqlitePragmaFlags
  sqliteSynchronous?: SqliteSynchronous
}

/** What both start commands run with. */
interface RunOptions {
  ip: string
  port: number
  store: StoreConfig
  namespace: string[]
  logLevel: string
  logFormat: LogFormat
  migrate: boolean
  searchAttributes?: ReadonlyMap<string, number>
  dynamicConfig?: string[]
  /** Serve /metrics on this port (0: a free one); none when undefined. */
  metricsPort?: number
  /** Serve the HTTP API on this port; none when undefined. */
  httpPort?: number
  /** Serve the Web UI; none when undefined. */
  ui?: { host?: string; port: number }
  /** What to do once another server took the store's shard. */
  onShardLoss: ShardLossAction
  /** TLS, authorization, UI login, CORS, task-token key (`server start` only). */
  security?: SecurityConfig
  /** `server.internalPort`, `server.broadcastAddress` (`server start` only). */
  internal?: { port?: number; broadcastAddress?: string }
  /** `cluster.numHistoryShards` (`server start` only). */
  numHistoryShards?: number
}

export function serverCommand(): Command {
  const server = new Command('server').description('Run a Sundial server')
  server
    .command('start-dev')
    .description('Start a development server (embedded SQLite, in memory unless --db-filename)')
    .option('--ip <address>', 'interface to bind', '127.0.0.1')
    .option('-p, --port <port>', 'gRPC port (0 picks a free one)', parsePort, 7233)
    .option('-f, --db-filename <path>', 'SQLite file that keeps state across restarts')
    .option(
      '-n, --namespace <name>',
      'namespace to create besides "default" (repeatable)',
      collectNamespace,
      [],
    )
    .option(
      '--search-attribute <key=type>',
      'custom search attribute to register in the namespaces above (repeatable): Text, Keyword, Int, Double, Bool, Datetime or KeywordList',
      collectSearchAttribute,
      new Map<string, number>(),
    )
    .option(
      '--dynamic-config-value <key=json>',
      'Temporal dynamic config value (repeatable); keys Sundial has no use for are ignored',
      collect,
      [],
    )
    .option(
      '--metrics-port <port>',
      'port of the Prometheus /metrics endpoint (default: a free one)',
      parsePort,
    )
    .option(
      '--sqlite-pragma <pragma=value>',
      'SQLite pragma (repeatable): synchronous=off|normal|full|extra, journal_mode=wal|delete|truncate|persist|memory',
      collectSqlitePragma,
      {},
    )
    .addOption(
      new Option('--sqlite-synchronous <mode>', 'same as --sqlite-pragma synchronous=<mode>')
        .choices(SQLITE_SYNCHRONOUS)
        .hideHelp(),
    )
    .addOption(
      new Option('--log-format <format>', 'server log format, on stderr')
        .choices(LOG_FORMATS)
        .default('text'),
    )
    .addOption(
      new Option('--log-level <level>', 'server log level')
        .choices([...LOG_LEVELS, 'never'])
        .default('warn'),
    )
    .option('--http-port <port>', 'HTTP/JSON API port (default: a free one)', parsePort)
    .option('--ui-port <port>', 'Web UI port (default: --port + 1000)', parsePort)
    .option('--ui-ip <address>', 'Web UI interface (default: --ip)')
    .option('--headless', 'do not serve the Web UI')
    .action((flags: StartDevFlags) =>
      run({
        ip: flags.ip,
        port: flags.port,
        store: {
          kind: 'sqlite',
          filename: flags.dbFilename ? resolve(flags.dbFilename) : undefined,
          synchronous: flags.sqlitePragma.synchronous ?? flags.sqliteSynchronous ?? 'full',
          journalMode: flags.sqlitePragma.journalMode,
        },
        namespace: flags.namespace,
        logLevel: flags.logLevel,
        logFormat: flags.logFormat,
        migrate: true,
        // One process per SQLite file (a lock): a shard lost here means the file was tampered with.
        onShardLoss: 'exit',
        searchAttributes: flags.searchAttribute,
        dynamicConfig: flags.dynamicConfigValue,
        metricsPort: flags.metricsPort ?? 0,
        httpPort: flags.httpPort ?? 0,
        // As Temporal's dev server: the gRPC port + 1000, or a free port next to a free port.
        ui: flags.headless
          ? undefined
          : {
              host: flags.uiIp,
              port: flags.uiPort ?? (flags.port === 0 ? 0 : flags.port + 1000),
            },
      }),
    )
  server
    .command('start')
    .description('Start a server configured by a YAML file, SUNDIAL_* variables and flags')
    .option('-c, --config <path>', 'YAML config file (or SUNDIAL_CONFIG)')
    .option('--ip <address>', 'interface to bind (SUNDIAL_HOST; default 127.0.0.1)')
    .option('-p, --port <port>', 'gRPC port (SUNDIAL_GRPC_PORT; default 7233)', parsePort)
    .option('--db <store>', 'postgres:// URL, SQLite file, or sqlite::memory: (SUNDIAL_DB)')
    .option(
      '--migrate',
      'apply schema migrations at start (SUNDIAL_DB_MIGRATE); otherwise run `sundial db migrate`',
    )
    .option(
      '--metrics-port <port>',
      'port of the Prometheus /metrics endpoint (SUNDIAL_METRICS_PORT; default none)',
      parsePort,
    )
    .option('--http-port <port>', 'HTTP/JSON API port (SUNDIAL_HTTP_PORT; default 7243)', parsePort)
    .option('--ui-port <port>', 'Web UI port (SUNDIAL_UI_PORT; default none)', parsePort)
    .addOption(
      new Option(
        '--on-shard-loss <action>',
        'when another server takes the store: exit, or reacquire (SUNDIAL_ON_SHARD_LOSS; default exit)',
      ).choices(SHARD_LOSS_ACTIONS),
    )
    .addOption(
      new Option(
        '--log-level <level>',
        'log level, on stderr (SUNDIAL_LOG_LEVEL; default info)',
      ).choices(LOG_LEVELS),
    )
    .addOption(
      new Option('--log-format <format>', 'log format, on stderr')
        .choices(LOG_FORMATS)
        .default('json'),
    )
    .option('--tls-cert-file <path>', 'TLS certificate of every port (SUNDIAL_TLS_CERT_FILE)')
    .option('--tls-key-file <path>', 'its private key (SUNDIAL_TLS_KEY_FILE)')
    .option(
      '--tls-client-ca-file <path>',
      'CA that client certificates must chain to (repeatable; SUNDIAL_TLS_CLIENT_CA_FILES)',
      collect,
      [],
    )
    .option(
      '--tls-require-client-auth',
      'mTLS: refuse clients without a certificate (SUNDIAL_TLS_REQUIRE_CLIENT_AUTH)',
    )
    .addOption(
      new Option('--tls-min-version <version>', 'oldest TLS version (default 1.2)').choices([
        '1.2',
        '1.3',
      ]),
    )
    .option(
      '--auth-key-source-uri <url>',
      'JWKS URL whose keys sign bearer tokens; turns authorization on (repeatable; SUNDIAL_AUTH_KEY_SOURCE_URIS)',
      collect,
      [],
    )
    .action(start)
  return server
}

interface StartOptions extends SecurityFlags {
  config?: string
  migrate?: boolean
  metricsPort?: number
  httpPort?: number
  uiPort?: number
  onShardLoss?: ShardLossAction
  logFormat: LogFormat
  ip?: string
  port?: number
  db?: string
  logLevel?: LogLevel
}

async function start(opts: StartOptions): Promise<void> {
  const config = await loadConfig(opts.config, {
    host: opts.ip,
    grpcPort: opts.port,
    logLevel: opts.logLevel,
    db: opts.db,
    migrate: opts.migrate,
    metricsPort: opts.metricsPort,
    httpPort: opts.httpPort,
    uiPort: opts.uiPort,
    onShardLoss: opts.onShardLoss,
    tlsCertFile: opts.tlsCertFile,
    tlsKeyFile: opts.tlsKeyFile,
    tlsClientCaFile: opts.tlsClientCaFile,
    tlsRequireClientAuth: opts.tlsRequireClientAuth,
    tlsMinVersion: opts.tlsMinVersion,
    authKeySourceUri: opts.authKeySourceUri,
  })
  const inMemory = config.store.kind === 'sqlite' && config.store.filename === undefined
  await run({
    ip: config.host,
    port: config.grpcPort,
    store: config.store,
    namespace: config.namespaces,
    logLevel: config.logLevel,
    logFormat: opts.logFormat,
    metricsPort: config.metricsPort,
    httpPort: config.httpPort,
    ui: config.uiPort === undefined ? undefined : { port: config.uiPort },
    onShardLoss: config.onShardLoss,
    internal: { port: config.internalPort, broadcastAddress: config.broadcastAddress },
    numHistoryShards: config.numHistoryShards,
    security: config.security,
    dynamicConfig: config.dynamicConfig,
    // A database in memory starts empty every time: there is no separate step to run.
    migrate: config.migrate || inMemory,
  })
}

async function run(opts: RunOptions): Promise<void> {
  // stdout carries only the banner below, for people and scripts; logs go to stderr.
  const logger = await createLogger(opts.logLevel, opts.logFormat)
  routeGrpcLogs(logger)
  let dynamicConfig: DynamicSettings
  try {
    const parsed = parseDynamicConfig(opts.dynamicConfig ?? [])
    dynamicConfig = parsed.settings
    for (const key of parsed.ignored) {
      logger.debug({ key }, 'dynamic config key not used by Sundial; ignored')
    }
  } catch (e: unknown) {
    if (!(e instanceof DynamicConfigError)) throw e
    console.error(`sundial: dynamic config: ${e.message}`)
    process.exit(1)
  }
  const serve = (): Promise<SundialServer> =>
    createServer({
      host: opts.ip,
      port: opts.port,
      store: opts.store,
      namespaces: opts.namespace,
      searchAttributes: opts.searchAttributes,
      dynamicConfig,
      metrics: opts.metricsPort === undefined ? undefined : { port: opts.metricsPort },
      http: opts.httpPort === undefined ? undefined : { port: opts.httpPort },
      ui: opts.ui,
      migrate: opts.migrate,
      logger,
      internal: opts.internal,
      cluster: { numHistoryShards: opts.numHistoryShards },
      onShardLost: (e) => void onShardLost(e),
      ...securityOptions(opts.security),
    })
  const startOrExit = async (): Promise<SundialServer> => {
    try {
      return await serve()
    } catch (e: unknown) {
      console.error(`sundial: could not start the server: ${startFailure(e, opts)}`)
      process.exit(1)
    }
  }
  let server = await startOrExit()
  // Another server took the store: this one has stopped serving (health NOT_SERVING, calls
  // UNAVAILABLE). Exit for a supervisor to restart it, or start again here, which takes the
  // shard back with a new range id.
  const onShardLost = async (e: Error): Promise<void> => {
    logger.error({ err: e, action: opts.onShardLoss }, 'another server took this store')
    console.error(`sundial: another server took the store (${opts.onShardLoss})`)
    await server.stop()
    if (opts.onShardLoss === 'exit') process.exit(1)
    server = await startOrExit()
  }
  stopOnSignals({ stop: () => server.stop() })
  const namespaces = await namespaceNames(server.store)
  // The server's own `address` does not bracket IPv6 literals (`:::7233`).
  console.log(`Sundial server listening on ${formatAddress(opts.ip, server.port)}`)
  console.log(`Store: ${storeLine(opts.store)}`)
  console.log(`Namespaces: ${namespaces.join(', ')}`)
  const scheme = opts.security?.tls ? 'https' : 'http'
  if (server.httpPort !== undefined) {
    console.log(`HTTP API: ${scheme}://${formatAddress(opts.ip, server.httpPort)}`)
  }
  if (server.uiPort !== undefined) {
    console.log(`Web UI: ${scheme}://${formatAddress(opts.ui?.host ?? opts.ip, server.uiPort)}`)
  }
  if (server.metricsPort !== undefined) {
    console.log(`Metrics: http://${formatAddress(opts.ip, server.metricsPort)}/metrics`)
  }
}

/** The server options of the security settings (`server start`'s config). */
function securityOptions(security: SecurityConfig | undefined) {
  if (!security) return {}
  const { tls, authorization, uiAuth, cors, taskTokenKey } = security
  return {
    authorization,
    uiAuth,
    tls: tls && {
      certFile: tls.certFile,
      keyFile: tls.keyFile,
      clientCaFiles: tls.clientCaFiles,
      requireClientAuth: tls.requireClientAuth,
      minVersion: tls.minVersion,
      reloadIntervalMs: tls.reloadIntervalMs,
    },
    cors,
    taskTokenKey,
  }
}

/**
 * Sends grpc-js's own log (by default `E ...` lines on stderr) to the server logger at debug.
 * What matters in it also reaches our code as an error — a failed bind rejects `bindAsync` and is
 * reported by {@link startFailure} — so at the default level it would only repeat that.
 */
function routeGrpcLogs(logger: Logger): void {
  const log = (message?: unknown, ...rest: unknown[]): void =>
    logger.debug({ component: 'grpc' }, format(message, ...rest))
  grpc.setLogger({ error: log, info: log, debug: log })
  grpc.setLogVerbosity(
    logger.isLevelEnabled('debug') ? grpc.logVerbosity.DEBUG : grpc.logVerbosity.ERROR,
  )
}

/** A start-up error in words that name the flag or file to fix. */
function startFailure(e: unknown, opts: RunOptions): string {
  if (e instanceof StoreInUseError) return e.message
  const err = e instanceof Error ? (e as NodeJS.ErrnoException & { details?: string }) : undefined
  const message = err?.message ?? String(e)
  // grpc-js puts the listen error's text in the message, not in `code`.
  const text = `${message} ${err?.details ?? ''}`
  const address = formatAddress(opts.ip, opts.port)
  if (/EADDRINUSE|address already in use/i.test(text)) {
    // Node's listen errors (HTTP API, UI, metrics) name their port; grpc-js' do not.
    const port = (err as { port?: number } | undefined)?.port ?? opts.port
    const flag = port === opts.port ? '--port' : '--http-port, --ui-port or --metrics-port'
    return `port ${port} on ${opts.ip} is already in use (another server? choose one with ${flag})`
  }
  if (/EADDRNOTAVAIL/.test(text)) {
    return `cannot bind ${address}: --ip is not an address of this host`
  }
  if (/EACCES/.test(text)) return `cannot bind ${address}: permission denied`
  if (/Name resolution failed/.test(text)) return `cannot resolve --ip ${opts.ip}`
  const store = opts.store
  // better-sqlite3 throws SqliteError (code SQLITE_*) or, for a missing directory, a TypeError.
  if (
    store.kind === 'sqlite' &&
    store.filename &&
    (err?.code?.startsWith('SQLITE_') || /database/i.test(message))
  ) {
    return `cannot use SQLite file ${store.filename}: ${message}`
  }
  if (store.kind === 'postgres' && e instanceof StoreUnavailableError) {
    return `cannot reach ${describeStore(store)}: ${message}`
  }
  return message
}

/** The store line of the start banner; a PostgreSQL URL is shown without its password. */
function storeLine(store: StoreConfig): string {
  if (store.kind === 'postgres') return describeStore(store)
  return store.filename ? `SQLite file ${store.filename}` : 'in memory (state is lost on exit)'
}

/**
 * Every namespace in the store, `default` first: a file keeps those registered in earlier runs,
 * not only the ones named on this command line.
 */
async function namespaceNames(store: Store): Promise<string[]> {
  const names: string[] = []
  let pageToken: Uint8Array | undefined
  do {
    const page = await store.namespaces.listNamespaces({ pageSize: 100, pageToken })
    names.push(...page.namespaces.map((n) => n.name))
    pageToken = page.nextPageToken.length > 0 ? page.nextPageToken : undefined
  } while (pageToken)
  return ['default', ...names.filter((n) => n !== 'default')]
}
