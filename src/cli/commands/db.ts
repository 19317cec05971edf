/**
 * `sundial db status` and `sundial db migrate`: the schema of the store a `server start` with the
 * same settings would open (`--db`, SUNDIAL_DB or the config file), for deployments that migrate
 * as a step of their own before starting servers (Temporal's `temporal-sql-tool`).
 */
import Database from 'better-sqlite3'
import { Command } from 'commander'
import { describeStore, type StoreConfig } from '../../persistence/open-store.js'
import type { SchemaStatus } from '../../persistence/sql/migration.js'
import { StoreInUseError } from '../../persistence/errors.js'
import * as sqliteMigrations from '../../persistence/sqlite/migrations.js'
import { SqliteFileLock } from '../../persistence/sqlite/sqlite-file-lock.js'
import { loadConfig } from '../load-config.js'

interface DbOptions {
  config?: string
  db?: string
}

/** One store's schema, as the two commands need it. */
interface SchemaTarget {
  label: string
  status(): Promise<SchemaStatus>
  migrate(): Promise<number[]>
  close(): Promise<void>
}

export function dbCommand(): Command {
  const db = new Command('db').description("Inspect and migrate the store's schema")
  const withStoreOptions = (c: Command) =>
    c
      .option('-c, --config <path>', 'YAML config file (or SUNDIAL_CONFIG)')
      .option('--db <store>', 'postgres:// URL or SQLite file (SUNDIAL_DB)')
  withStoreOptions(db.command('status'))
    .description('Print the schema version of the store and the migrations this build would apply')
    .action((opts: DbOptions) => run(opts, false))
  withStoreOptions(db.command('migrate'))
    .description('Apply the migrations the store is missing, each in its own transaction')
    .action((opts: DbOptions) => run(opts, true))
  return db
}

async function run(opts: DbOptions, apply: boolean): Promise<void> {
  const { store } = await loadConfig(opts.config, { db: opts.db })
  const target = store.kind === 'sqlite' ? sqliteTarget(store, apply) : await postgresTarget(store)
  try {
    const before = await target.status()
    if (!apply) {
      print(target.label, before)
      return
    }
    const applied = await target.migrate()
    console.log(
      applied.length === 0
        ? `${target.label}: schema version ${before.current}, up to date`
        : `${target.label}: applied ${applied.join(', ')}; schema version ${(await target.status()).current}`,
    )
  } catch (e: unknown) {
    fail(`${target.label}: ${(e as Error).message}`)
  } finally {
    await target.close()
  }
}

function sqliteTarget(store: StoreConfig & { kind: 'sqlite' }, apply: boolean): SchemaTarget {
  const filename = store.filename
  if (filename === undefined) fail('no SQLite file: give --db, SUNDIAL_DB or store.sqlite.filename')
  let database: Database.Database
  // A migration would change the schema under a running server: refused while one holds the file.
  let lock: SqliteFileLock | undefined
  try {
    if (apply) lock = SqliteFileLock.acquire(filename, 'sundial db migrate')
    database = new Database(filename, { fileMustExist: !apply, timeout: 5000 })
  } catch (e: unknown) {
    lock?.release()
    if (e instanceof StoreInUseError) fail(e.message)
    fail(`cannot open SQLite file ${filename}: ${(e as Error).message}`)
  }
  return {
    label: filename,
    status: () => Promise.resolve(sqliteMigrations.schemaStatus(database)),
    migrate: () => Promise.resolve(sqliteMigrations.migrate(database)),
    close: () => {
      database.close()
      lock?.release()
      return Promise.resolve()
    },
  }
}

async function postgresTarget(store: StoreConfig & { kind: 'postgres' }): Promise<SchemaTarget> {
  const [{ PostgresDatabase }, pgMigrations] = await Promise.all([
    import('../../persistence/postgres/postgres-database.js'),
    import('../../persistence/postgres/migrations.js'),
  ])
  const database = new PostgresDatabase({
    url: store.url,
    schema: store.schema,
    connectTimeoutMs: 10_000,
  })
  return {
    label: describeStore(store),
    status: () => database.withClient((c) => pgMigrations.schemaStatus(c)),
    migrate: () => database.withClient((c) => pgMigrations.migrate(c)),
    close: () => database.close(),
  }
}

function print(label: string, s: SchemaStatus): void {
  console.log(`${label}: schema version ${s.current}, this build's ${s.latest}`)
  if (s.current > s.latest) console.log('newer than this build: upgrade Sundial')
  else if (s.pending.length === 0) console.log('up to date')
  else for (const m of s.pending) console.log(`pending: ${m.version} ${m.description}`)
}

function fail(message: string): never {
  console.error(`sundial: ${message}`)
  process.exit(1)
}
