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
 * store:                 # SUNDIAL_DB: a SQLite file path, or sqlite::memory:
 *   migrate: false       # SUNDIAL_DB_MIGRATE, --migrate: apply schema migrations at start
 *   sqlite:
 *     filename: /var/lib/sundial/sundial.db
 *     synchronous: full  # SUNDIAL_SQLITE_SYNCHRONOUS
 * namespaces: [orders]   # SUNDIAL_NAMESPACES=orders,billing (created at start if missing)
 * tls: {}                # reserved: TLS and mTLS come with their issue
 * auth: {}               # reserved: JWT authorization comes with its issue
 * ```
 */
import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { LOG_LEVELS, type LogLevel } from './log-levels.js'

export interface ServerConfig {
  host: string
  grpcPort: number
  logLevel: LogLevel
  /** SQLite file; in memory when undefined. */
  sqliteFilename: string | undefined
  sqliteSynchronous: 'full' | 'normal'
  /** Apply schema migrations at start; otherwise a store behind this build is refused. */
  migrate: boolean
  namespaces: string[]
}

/** Settings given on the command line; absent ones fall through to env, file and defaults. */
export type ConfigOverrides = Partial<
  Pick<ServerConfig, 'host' | 'grpcPort' | 'logLevel' | 'migrate'>
> & {
  db?: string
}

/** A configuration that cannot be used; the message names the key and its source. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

const NAMESPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/

const reserved = (what: string) =>
  z
    .looseObject({})
    .refine(
      (section) => Object.keys(section).length === 0,
      `${what} is not supported yet; leave the section empty or remove it`,
    )
    .optional()

const fileSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).optional(),
        grpcPort: z.number().int().min(0).max(65535).optional(),
        logLevel: z.enum(LOG_LEVELS).optional(),
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
        migrate: z.boolean().optional(),
      })
      .strict()
      .optional(),
    namespaces: z.array(z.string().regex(NAMESPACE_NAME, 'not a namespace name')).optional(),
    tls: reserved('tls'),
    auth: reserved('auth'),
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
  const db = flags.db ?? fromEnv.db
  const store = db === undefined ? undefined : parseDb(db)
  const namespaces = fromEnv.namespaces ?? file.namespaces ?? []
  return {
    host: flags.host ?? fromEnv.host ?? file.server?.host ?? '127.0.0.1',
    grpcPort: flags.grpcPort ?? fromEnv.grpcPort ?? file.server?.grpcPort ?? 7233,
    logLevel: flags.logLevel ?? fromEnv.logLevel ?? file.server?.logLevel ?? 'info',
    sqliteFilename: store ? store.filename : file.store?.sqlite?.filename,
    sqliteSynchronous:
      fromEnv.sqliteSynchronous ?? file.store?.sqlite?.synchronous ?? ('full' as const),
    migrate: flags.migrate ?? fromEnv.migrate ?? file.store?.migrate ?? false,
    namespaces: [...new Set(namespaces)],
  }
}

const envSchema = z.object({
  SUNDIAL_HOST: z.string().min(1).optional(),
  SUNDIAL_GRPC_PORT: z
    .string()
    .regex(/^\d+$/, 'not a port number')
    .transform(Number)
    .pipe(z.number().max(65535, 'not a port number'))
    .optional(),
  SUNDIAL_LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  SUNDIAL_DB: z.string().min(1).optional(),
  SUNDIAL_SQLITE_SYNCHRONOUS: z.enum(['full', 'normal']).optional(),
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
    logLevel: e.SUNDIAL_LOG_LEVEL,
    db: e.SUNDIAL_DB,
    sqliteSynchronous: e.SUNDIAL_SQLITE_SYNCHRONOUS,
    migrate: e.SUNDIAL_DB_MIGRATE,
    namespaces: e.SUNDIAL_NAMESPACES,
  }
}

/**
 * `--db` / `SUNDIAL_DB`: a SQLite file path (optionally `sqlite:` prefixed) or `sqlite::memory:`.
 * A `postgres://` URL is refused until the PostgreSQL store exists.
 */
function parseDb(db: string): { filename: string | undefined } {
  if (/^postgres(ql)?:\/\//i.test(db)) {
    throw new ConfigError('--db: the PostgreSQL store is not available in this version')
  }
  const path = db.replace(/^sqlite:/i, '')
  if (path === ':memory:') return { filename: undefined }
  if (path === '') throw new ConfigError('--db: empty SQLite file name')
  return { filename: path }
}

function problems(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`)
    .join('; ')
}
