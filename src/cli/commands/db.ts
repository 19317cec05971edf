/**
 * `sundial db status` and `sundial db migrate`: the schema of the store a `server start` with the
 * same settings would open (`--db`, SUNDIAL_DB or the config file), for deployments that migrate
 * as a step of their own before starting servers (Temporal's `temporal-sql-tool`).
 */
import Database from 'better-sqlite3'
import { Command } from 'commander'
import { migrate, schemaStatus, type SchemaStatus } from '../../persistence/sqlite/migrations.js'
import { loadConfig } from '../load-config.js'

interface DbOptions {
  config?: string
  db?: string
}

export function dbCommand(): Command {
  const db = new Command('db').description("Inspect and migrate the store's schema")
  const withStoreOptions = (c: Command) =>
    c
      .option('-c, --config <path>', 'YAML config file (or SUNDIAL_CONFIG)')
      .option('--db <store>', 'SQLite file (SUNDIAL_DB)')
  withStoreOptions(db.command('status'))
    .description('Print the schema version of the store and the migrations this build would apply')
    .action((opts: DbOptions) => run(opts, false))
  withStoreOptions(db.command('migrate'))
    .description('Apply the migrations the store is missing, each in its own transaction')
    .action((opts: DbOptions) => run(opts, true))
  return db
}

async function run(opts: DbOptions, apply: boolean): Promise<void> {
  const { sqliteFilename: filename } = await loadConfig(opts.config, { db: opts.db })
  if (filename === undefined) fail('no SQLite file: give --db, SUNDIAL_DB or store.sqlite.filename')
  let database: Database.Database
  try {
    database = new Database(filename, { fileMustExist: !apply, timeout: 5000 })
  } catch (e: unknown) {
    fail(`cannot open SQLite file ${filename}: ${(e as Error).message}`)
  }
  try {
    const before = schemaStatus(database)
    if (!apply) {
      print(filename, before)
      return
    }
    const applied = migrate(database)
    console.log(
      applied.length === 0
        ? `${filename}: schema version ${before.current}, up to date`
        : `${filename}: applied ${applied.join(', ')}; schema version ${schemaStatus(database).current}`,
    )
  } finally {
    database.close()
  }
}

function print(filename: string, s: SchemaStatus): void {
  console.log(`${filename}: schema version ${s.current}, this build's ${s.latest}`)
  if (s.current > s.latest) console.log('newer than this build: upgrade Sundial')
  else if (s.pending.length === 0) console.log('up to date')
  else for (const m of s.pending) console.log(`pending: ${m.version} ${m.description}`)
}

function fail(message: string): never {
  console.error(`sundial: ${message}`)
  process.exit(1)
}
