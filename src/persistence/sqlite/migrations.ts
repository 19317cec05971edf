/**
 * Versioned schema migrations for the SQLite store. Each migration runs once, in its own
 * `BEGIN IMMEDIATE` transaction together with the `schema_version` row that records it, so a
 * crash mid-migration leaves the previous version intact and a concurrent opener of the same
 * file waits on the write lock and then sees the version already applied.
 *
 * Migrations are append-only: never edit one that has shipped; add the next version instead.
 */
import type Database from 'better-sqlite3'
import { checkMigrationList, type Migration, type SchemaStatus } from '../sql/migration.js'

/**
 * The schema, oldest first.
 *
 * Tables holding potentially large blobs (`executions.state`, `history_batches.data`) are rowid
 * tables with a separate primary-key index: SQLite advises against WITHOUT ROWID when rows are
 * larger than about a twentieth of a page (https://sqlite.org/withoutrowid.html, section 4),
 * because index b-tree leaves spill such rows to overflow pages much sooner than table leaves.
 * The small, purely key-addressed tables are WITHOUT ROWID to skip the extra rowid lookup.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'initial schema',
    sql: `
      CREATE TABLE namespaces (
        id TEXT NOT NULL PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        notification_version INTEGER NOT NULL,
        data TEXT NOT NULL
      );

      CREATE TABLE executions (
        namespace_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        db_version INTEGER NOT NULL,
        status INTEGER NOT NULL,
        next_event_id INTEGER NOT NULL,
        state BLOB NOT NULL,
        PRIMARY KEY (namespace_id, workflow_id, run_id)
      );

      CREATE TABLE current_executions (
        namespace_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        create_request_id TEXT NOT NULL,
        status INTEGER NOT NULL,
        start_time INTEGER NOT NULL,
        PRIMARY KEY (namespace_id, workflow_id)
      ) WITHOUT ROWID;

      CREATE TABLE history_batches (
        run_id TEXT NOT NULL,
        first_event_id INTEGER NOT NULL,
        last_event_id INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (run_id, first_event_id)
      );

      CREATE TABLE queue_tasks (
        namespace_id TEXT NOT NULL,
        task_queue TEXT NOT NULL,
        kind INTEGER NOT NULL,
        task_id INTEGER NOT NULL,
        workflow_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        scheduled_event_id INTEGER NOT NULL,
        created_time INTEGER NOT NULL,
        expiry_time INTEGER NOT NULL,
        PRIMARY KEY (namespace_id, task_queue, kind, task_id)
      ) WITHOUT ROWID;
      CREATE INDEX queue_tasks_by_task_id ON queue_tasks (task_id);

      CREATE TABLE timer_tasks (
        fire_time INTEGER NOT NULL,
        task_id INTEGER NOT NULL,
        namespace_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (fire_time, task_id)
      ) WITHOUT ROWID;

      CREATE TABLE cluster_metadata (
        key TEXT NOT NULL PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE shards (
        shard_id INTEGER NOT NULL PRIMARY KEY,
        range_id INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'visibility and custom search attributes',
    // Custom search attributes live in one JSON column (queried with json_extract) rather than
    // Temporal's fixed Keyword01..Int03 columns: a namespace may register any number of each type.
    // The default order (open runs first, then by close time) is served by its own index.
    sql: `
      CREATE TABLE executions_visibility (
        namespace_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        workflow_type TEXT NOT NULL,
        task_queue TEXT NOT NULL,
        status INTEGER NOT NULL,
        start_time INTEGER NOT NULL,
        execution_time INTEGER NOT NULL,
        close_time INTEGER,
        execution_duration INTEGER,
        history_length INTEGER NOT NULL,
        history_size_bytes INTEGER NOT NULL,
        state_transition_count INTEGER NOT NULL,
        parent_workflow_id TEXT,
        parent_run_id TEXT,
        root_workflow_id TEXT NOT NULL,
        root_run_id TEXT NOT NULL,
        search_attributes TEXT NOT NULL,
        search_attribute_payloads BLOB,
        memo BLOB,
        PRIMARY KEY (namespace_id, run_id)
      );
      CREATE INDEX executions_visibility_default_order ON executions_visibility
        (namespace_id, coalesce(close_time, 8640000000000000) DESC, start_time DESC, run_id);
      CREATE INDEX executions_visibility_workflow_id ON executions_visibility
        (namespace_id, workflow_id);
      CREATE INDEX executions_visibility_workflow_type ON executions_visibility
        (namespace_id, workflow_type);
      CREATE INDEX executions_visibility_status ON executions_visibility (namespace_id, status);

      CREATE TABLE custom_search_attributes (
        namespace_id TEXT NOT NULL,
        name TEXT NOT NULL,
        type INTEGER NOT NULL,
        PRIMARY KEY (namespace_id, name)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    description: 'internal worker jobs: schedules and batch operations',
    // One row of state per job; wake_time > 0 only while the job needs the worker, so loading
    // at start reads the jobs with work ahead (the partial index) and skips idle ones.
    sql: `
      CREATE TABLE worker_jobs (
        namespace_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        job_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        wake_time INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (namespace_id, kind, job_id)
      );
      CREATE INDEX worker_jobs_waking ON worker_jobs (namespace_id, kind, job_id)
        WHERE wake_time > 0;
    `,
  },
  {
    version: 4,
    description: 'cluster membership and shard owners',
    // After Temporal's cluster_membership (schema/sqlite/v3/temporal/schema.sql), but one row
    // per node rather than per role, its roles a JSON array. Listing the live members and
    // pruning the dead both range over record_expiry.
    // Range ids are unique across shards from here on: acquireShard takes max(range_id) + 1
    // over the table, which SQLite's single writer keeps free of races.
    sql: `
      CREATE TABLE cluster_membership (
        host_id TEXT NOT NULL PRIMARY KEY,
        internal_address TEXT NOT NULL,
        rpc_address TEXT NOT NULL,
        roles TEXT NOT NULL,
        session_start INTEGER NOT NULL,
        last_heartbeat INTEGER NOT NULL,
        record_expiry INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX cluster_membership_by_expiry ON cluster_membership (record_expiry);

      ALTER TABLE shards ADD COLUMN owner TEXT NOT NULL DEFAULT '';
    `,
  },
]

/**
 * Brings `db` up to the newest version in `list`, applying each missing migration in order, each
 * in its own transaction. Returns the versions it applied (empty when already current).
 * Throws if the database records a version newer than `list` knows, since this build would
 * then misread the schema.
 */
export function migrate(db: Database.Database, list: readonly Migration[] = migrations): number[] {
  checkMigrationList(list)
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`)
  const current = db.prepare<[], { v: number | null }>(
    'SELECT max(version) AS v FROM schema_version',
  )
  const record = db.prepare<[number, string, number], void>(
    'INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)',
  )
  const known = list.length
  const found = current.get()?.v ?? 0
  if (found > known) {
    throw new Error(`database schema version ${found} is newer than this build knows (${known})`)
  }

  const applied: number[] = []
  for (const m of list) {
    // Re-read the version inside the write transaction: another process may have migrated
    // between our first read and taking the lock.
    const step = db.transaction(() => {
      if ((current.get()?.v ?? 0) >= m.version) return false
      db.exec(m.sql)
      record.run(m.version, m.description, Date.now())
      return true
    })
    if (step.immediate()) applied.push(m.version)
  }
  return applied
}

/** Where `db`'s schema stands against `list`, without changing anything. */
export function schemaStatus(
  db: Database.Database,
  list: readonly Migration[] = migrations,
): SchemaStatus {
  const hasTable = db
    .prepare<[], number>(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
    )
    .pluck()
    .get()
  const current = hasTable
    ? (db.prepare<[], number | null>('SELECT max(version) FROM schema_version').pluck().get() ?? 0)
    : 0
  return { current, latest: list.length, pending: list.filter((m) => m.version > current) }
}

/** The versions recorded in `db`, in order (for tests and diagnostics). */
export function appliedVersions(db: Database.Database): number[] {
  return db.prepare<[], number>('SELECT version FROM schema_version ORDER BY version').pluck().all()
}
