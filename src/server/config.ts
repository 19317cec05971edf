/**
 * Production settings for `sundial server start`: a YAML file, then environment variables, then
 * command-line flags, each overriding the one before; defaults fill the rest. Unknown keys and
 * bad values are errors that name the key, so a typo does not silently start a different server.
 *
 * ```yaml
 * server:
 *   host: 0.0.0.0        # SUNDIAL_HOST
 *   grpcPort: 7233       # SUNDIAL_GRPC_PORT
 *   logLevel: info       # SUNDIAL_LOG_LEVEL
 *   metricsPort: 9090    # SUNDIAL_METRICS_PORT: Prometheus /metrics (off when absent)
 *   httpPort: 7243       # SUNDIAL_HTTP_PORT: Temporal's HTTP/JSON API
 *   uiPort: 8233         # SUNDIAL_UI_PORT: the Web UI (off when absent)
 *   onShardLoss: exit    # SUNDIAL_ON_SHARD_LOSS: exit, or reacquire (restart in-process)
 *   internalPort: 7234   # SUNDIAL_INTERNAL_PORT: where other nodes call this one (default: a free port)
 *   broadcastAddress: 10.0.0.5  # SUNDIAL_BROADCAST_ADDRESS: the address other nodes reach it at
 * cluster:
 *   numHistoryShards: 16 # SUNDIAL_NUM_HISTORY_SHARDS: fixed at the store's first start
 * store:                 # SUNDIAL_DB: a postgres:// URL, a SQLite file path, or sqlite::memory:
 *   migrate: false       # SUNDIAL_DB_MIGRATE, --migrate: apply schema migrations at start
 *   sqlite:              # either sqlite or postgres
 *     filename: /var/lib/sundial/sundial.db
 *     synchronous: full  # SUNDIAL_SQLITE_SYNCHRONOUS
 *   postgres:
 *     url: postgres://sundial@db:5432/sundial   # password: in the URL or PGPASSWORD
 *     schema: public     # SUNDIAL_POSTGRES_SCHEMA
 *     poolSize: 20       # SUNDIAL_POSTGRES_POOL_SIZE
 *     tls:               # or libpq's sslmode=... in the URL
 *       caFile: /etc/sundial/pg-ca.pem          # SUNDIAL_POSTGRES_TLS_CA_FILE
 *       certFile: /etc/sundial/pg-client.pem    # SUNDIAL_POSTGRES_TLS_CERT_FILE
 *       keyFile: /etc/sundial/pg-client.key     # SUNDIAL_POSTGRES_TLS_KEY_FILE
 *       rejectUnauthorized: true                # SUNDIAL_POSTGRES_TLS_REJECT_UNAUTHORIZED
 *       servername: db.internal                 # SUNDIAL_POSTGRES_TLS_SERVERNAME
 *     passwordFile: /etc/sundial/pg/password      # SUNDIAL_POSTGRES_PASSWORD_FILE (read per connection)
 * namespaces: [orders]   # SUNDIAL_NAMESPACES=orders,billing (created at start if missing)
 * dynamicConfig:         # Temporal's dynamic config keys, as --dynamic-config-value takes them
 *   frontend.namespaceRPS: 5000
 * ```
 * and the security sections (`tls`, `authorization`, `global`, `ui`, `server.cors`,
 * `server.taskTokenKeyFile`) described in security-config.ts.
 */
import { accessSync, constants } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import type { PostgresTlsFiles, StoreConfig } from '../persistence/open-store.js'
import { LOG_LEVELS, type LogLevel } from './log-levels.js'
import {
  authorizationSchema,
  corsSchema,
  resolveSecurity,
  SecurityConfigError,
  tlsSchema,
  uiSchema,
  type SecurityConfig,
  type SecurityFlags,
} from './security-config.js'
import { SHARD_LOSS_ACTIONS, type ShardLossAction } from './shard-loss.js'

export interface ServerConfig {
  host: string
  grpcPort: number
  logLevel: LogLevel
  /** Port of the Prometheus `/metrics` endpoint; none when undefined. */
  metricsPort?: number
  /** Port of the HTTP/JSON API (default 7243, as Temporal's). */
  httpPort: number
  /** Port of the Web UI; none when undefined. */
  uiPort?: number
  /** What the server does once another server took its store's shard. */
  onShardLoss: ShardLossAction
  /** Port of the internal gRPC service other nodes call; a free one when undefined. */
  internalPort?: number
  /** The address other nodes reach this node at; by default the host (loopback for 0.0.0.0). */
  broadcastAddress?: string
  /** History shards of the store: fixed at its first start (default 16), refused if changed. */
  numHistoryShards?: number
  store: StoreConfig
  /** Apply schema migrations at start; otherwise a store behind this build is refused. */
  migrate: boolean
  namespaces: string[]
  security: SecurityConfig
  /** Temporal dynamic config values, as `KEY=JSON` (what `--dynamic-config-value` takes). */
  dynamicConfig: string[]
}

/** Settings given on the command line; absent ones fall through to env, file and defaults. */
export type ConfigOverrides = Partial<
  Pick<
    ServerConfig,
    | 'host'
    | 'grpcPort'
    | 'logLevel'
    | 'migrate'
    | 'metricsPort'
    | 'httpPort'
    | 'uiPort'
    | 'onShardLoss'
  >
> &
  SecurityFlags & {
    db?: string
  }

/** A configuration that cannot be used; the message names the key and its source. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

const NAMESPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/
const POSTGRES_URL = /^postgres(ql)?:\/\//i
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

const fileSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).optional(),
        grpcPort: z.number().int().min(0).max(65535).optional(),
        logLevel: z.enum(LOG_LEVELS).optional(),
        metricsPort: z.number().int().min(0).max(65535).optional(),
        httpPort: z.number().int().min(0).max(65535).optional(),
        uiPort: z.number().int().min(0).max(65535).optional(),
        onShardLoss: z.enum(SHARD_LOSS_ACTIONS).optional(),
        internalPort: z.number().int().min(0).max(65535).optional(),
        broadcastAddress: z.string().min(1).optional(),
        cors: corsSchema.optional(),
        taskTokenKeyFile: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    store: z
      .object({
        sqlite: z
          .object({
            filename: z.string().min(1).optional(),
            synchronous: z.enum(['full', 'normal']).optional(),
          })
          .strict()
          .optional(),
        postgres: z
          .object({
            url: z.string().regex(POSTGRES_URL, 'not a postgres:// URL').optional(),
            schema: z.string().regex(SCHEMA_NAME, 'not a schema name').optional(),
            poolSize: z.number().int().min(1).max(1000).optional(),
            tls: z
              .object({
                caFile: z.string().min(1).optional(),
                certFile: z.string().min(1).optional(),
                keyFile: z.string().min(1).optional(),
                rejectUnauthorized: z.boolean().optional(),
                servername: z.string().min(1).optional(),
              })
              .strict()
              .optional(),
            passwordFile: z.string().min(1).optional(),
          })
          .strict()
          .optional(),
        migrate: z.boolean().optional(),
      })
      .strict()
      .refine((store) => !(store.sqlite && store.postgres), 'give either sqlite or postgres')
      .optional(),
    namespaces: z.array(z.string().regex(NAMESPACE_NAME, 'not a namespace name')).optional(),
    cluster: z
      .object({ numHistoryShards: z.number().int().min(1).max(16_384).optional() })
      .strict()
      .optional(),
    tls: tlsSchema.optional(),
    authorization: authorizationSchema.optional(),
    global: z
      .object({ tls: tlsSchema.optional(), authorization: authorizationSchema.optional() })
      .strict()
      .optional(),
    ui: uiSchema.optional(),
    dynamicConfig: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()

type FileConfig = z.infer<typeof fileSchema>

/** Reads and checks the YAML file at `path`. */
export async function readConfigFile(path: string): Promise<FileConfig> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e: unknown) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`)
  }
  const { parse } = await import('yaml')
  let raw: unknown
  try {
    raw = parse(text) ?? {}
  } catch (e: unknown) {
    throw new ConfigError(`config file ${path} is not valid YAML: ${(e as Error).message}`)
  }
  const checked = fileSchema.safeParse(raw)
  if (!checked.success) throw new ConfigError(`config file ${path}: ${problems(checked.error)}`)
  return checked.data
}

/** The settings in force: `flags` over `env` over `file` over defaults. */
export function resolveServerConfig(
  file: FileConfig,
  env: NodeJS.ProcessEnv,
  flags: ConfigOverrides,
): ServerConfig {
  const fromEnv = envConfig(env)
  const namespaces = fromEnv.namespaces ?? file.namespaces ?? []
  return {
    host: flags.host ?? fromEnv.host ?? file.server?.host ?? '127.0.0.1',
    grpcPort: flags.grpcPort ?? fromEnv.grpcPort ?? file.server?.grpcPort ?? 7233,
    logLevel: flags.logLevel ?? fromEnv.logLevel ?? file.server?.logLevel ?? 'info',
    metricsPort: flags.metricsPort ?? fromEnv.metricsPort ?? file.server?.metricsPort,
    httpPort: flags.httpPort ?? fromEnv.httpPort ?? file.server?.httpPort ?? 7243,
    uiPort: flags.uiPort ?? fromEnv.uiPort ?? file.server?.uiPort,
    onShardLoss: flags.onShardLoss ?? fromEnv.onShardLoss ?? file.server?.onShardLoss ?? 'exit',
    internalPort: fromEnv.internalPort ?? file.server?.internalPort,
    broadcastAddress: fromEnv.broadcastAddress ?? file.server?.broadcastAddress,
    numHistoryShards: fromEnv.numHistoryShards ?? file.cluster?.numHistoryShards,
    store: resolveStore(file.store, fromEnv, flags.db ?? fromEnv.db),
    migrate: flags.migrate ?? fromEnv.migrate ?? file.store?.migrate ?? false,
    namespaces: [...new Set(namespaces)],
    security: security(file, env, flags),
    dynamicConfig: Object.entries(file.dynamicConfig ?? {}).map(
      ([key, value]) => `${key}=${JSON.stringify(value)}`,
    ),
  }
}

function security(file: FileConfig, env: NodeJS.ProcessEnv, flags: ConfigOverrides) {
  try {
    return resolveSecurity(
      {
        tls: file.tls,
        authorization: file.authorization,
        global: file.global,
        ui: file.ui,
        cors: file.server?.cors,
        taskTokenKeyFile: file.server?.taskTokenKeyFile,
      },
      env,
      flags,
    )
  } catch (e: unknown) {
    if (e instanceof SecurityConfigError) throw new ConfigError(e.message)
    throw e
  }
}

/**
 * The store: `--db` / SUNDIAL_DB picks the kind and where (a URL or a file) when given, else the
 * file's section; the other settings of that kind come from the environment, then the file.
 */
function resolveStore(
  file: FileConfig['store'],
  fromEnv: ReturnType<typeof envConfig>,
  db: string | undefined,
): StoreConfig {
  const given = db === undefined ? undefined : parseDb(db)
  const url = given ? given.url : file?.postgres?.url
  if (url !== undefined || (given === undefined && file?.postgres)) {
    if (url === undefined) throw new ConfigError('store.postgres.url: required')
    const pg = file?.postgres
    const tls: PostgresTlsFiles = { ...pg?.tls, ...definedOnly(fromEnv.postgresTls) }
    return {
      kind: 'postgres',
      url,
      schema: fromEnv.postgresSchema ?? pg?.schema,
      poolSize: fromEnv.postgresPoolSize ?? pg?.poolSize,
      tls: Object.keys(tls).length > 0 ? tls : undefined,
      passwordFile: checkedPasswordFile(fromEnv.postgresPasswordFile ?? pg?.passwordFile),
    }
  }
  return {
    kind: 'sqlite',
    filename: given && 'filename' in given ? given.filename : file?.sqlite?.filename,
    synchronous: fromEnv.sqliteSynchronous ?? file?.sqlite?.synchronous ?? 'full',
  }
}

/** The password file, checked readable at start so that a wrong path fails with its key. */
function checkedPasswordFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined
  try {
    accessSync(path, constants.R_OK)
  } catch (e: unknown) {
    throw new ConfigError(
      `store.postgres.passwordFile: cannot read ${path}: ${(e as Error).message}`,
    )
  }
  return path
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

const envPort = z
  .string()
  .regex(/^\d+$/, 'not a port number')
  .transform(Number)
  .pipe(z.number().max(65535, 'not a port number'))
  .optional()

const envSchema = z.object({
  SUNDIAL_HOST: z.string().min(1).optional(),
  SUNDIAL_GRPC_PORT: envPort,
  SUNDIAL_METRICS_PORT: envPort,
  SUNDIAL_HTTP_PORT: envPort,
  SUNDIAL_UI_PORT: envPort,
  SUNDIAL_LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  SUNDIAL_ON_SHARD_LOSS: z.enum(SHARD_LOSS_ACTIONS).optional(),
  SUNDIAL_INTERNAL_PORT: envPort,
  SUNDIAL_BROADCAST_ADDRESS: z.string().min(1).optional(),
  SUNDIAL_NUM_HISTORY_SHARDS: z
    .string()
    .regex(/^\d+$/, 'not a number')
    .transform(Number)
    .pipe(z.number().min(1).max(16_384))
    .optional(),
  SUNDIAL_DB: z.string().min(1).optional(),
  SUNDIAL_SQLITE_SYNCHRONOUS: z.enum(['full', 'normal']).optional(),
  SUNDIAL_POSTGRES_SCHEMA: z.string().regex(SCHEMA_NAME, 'not a schema name').optional(),
  SUNDIAL_POSTGRES_POOL_SIZE: z
    .string()
    .regex(/^\d+$/, 'not a number')
    .transform(Number)
    .pipe(z.number().min(1).max(1000))
    .optional(),
  SUNDIAL_POSTGRES_TLS_CA_FILE: z.string().min(1).optional(),
  SUNDIAL_POSTGRES_TLS_CERT_FILE: z.string().min(1).optional(),
  SUNDIAL_POSTGRES_TLS_KEY_FILE: z.string().min(1).optional(),
  SUNDIAL_POSTGRES_TLS_REJECT_UNAUTHORIZED: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  SUNDIAL_POSTGRES_TLS_SERVERNAME: z.string().min(1).optional(),
  SUNDIAL_POSTGRES_PASSWORD_FILE: z.string().min(1).optional(),
  SUNDIAL_DB_MIGRATE: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  SUNDIAL_NAMESPACES: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== ''),
    )
    .pipe(z.array(z.string().regex(NAMESPACE_NAME, 'not a namespace name')))
    .optional(),
})

function envConfig(env: NodeJS.ProcessEnv) {
  const checked = envSchema.safeParse(env)
  if (!checked.success) throw new ConfigError(`environment: ${problems(checked.error)}`)
  const e = checked.data
  return {
    host: e.SUNDIAL_HOST,
    grpcPort: e.SUNDIAL_GRPC_PORT,
    metricsPort: e.SUNDIAL_METRICS_PORT,
    httpPort: e.SUNDIAL_HTTP_PORT,
    uiPort: e.SUNDIAL_UI_PORT,
    logLevel: e.SUNDIAL_LOG_LEVEL,
    onShardLoss: e.SUNDIAL_ON_SHARD_LOSS,
    internalPort: e.SUNDIAL_INTERNAL_PORT,
    broadcastAddress: e.SUNDIAL_BROADCAST_ADDRESS,
    numHistoryShards: e.SUNDIAL_NUM_HISTORY_SHARDS,
    db: e.SUNDIAL_DB,
    sqliteSynchronous: e.SUNDIAL_SQLITE_SYNCHRONOUS,
    postgresSchema: e.SUNDIAL_POSTGRES_SCHEMA,
    postgresPoolSize: e.SUNDIAL_POSTGRES_POOL_SIZE,
    postgresTls: {
      caFile: e.SUNDIAL_POSTGRES_TLS_CA_FILE,
      certFile: e.SUNDIAL_POSTGRES_TLS_CERT_FILE,
      keyFile: e.SUNDIAL_POSTGRES_TLS_KEY_FILE,
      rejectUnauthorized: e.SUNDIAL_POSTGRES_TLS_REJECT_UNAUTHORIZED,
      servername: e.SUNDIAL_POSTGRES_TLS_SERVERNAME,
    },
    postgresPasswordFile: e.SUNDIAL_POSTGRES_PASSWORD_FILE,
    migrate: e.SUNDIAL_DB_MIGRATE,
    namespaces: e.SUNDIAL_NAMESPACES,
  }
}

/**
 * `--db` / `SUNDIAL_DB`: a `postgres://` URL, a SQLite file path (optionally `sqlite:` prefixed),
 * or `sqlite::memory:`.
 */
function parseDb(db: string): { url: string } | { url: undefined; filename: string | undefined } {
  if (POSTGRES_URL.test(db)) {
    try {
      new URL(db)
    } catch {
      throw new ConfigError('--db: not a valid postgres:// URL')
    }
    return { url: db }
  }
  const path = db.replace(/^sqlite:/i, '')
  if (path === ':memory:') return { url: undefined, filename: undefined }
  if (path === '') throw new ConfigError('--db: empty SQLite file name')
  return { url: undefined, filename: path }
}

function problems(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`)
    .join('; ')
}
