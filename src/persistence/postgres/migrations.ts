/**
 * Versioned schema migrations for the PostgreSQL store, the same concepts as SQLite's
 * (sqlite/migrations.ts) in PostgreSQL's types. Each migration runs in its own transaction with
 * the `schema_version` row that records it, under a transaction-scoped advisory lock, so several
 * servers starting together apply each step once and the others wait, then find it done.
 *
 * Migrations are append-only: never edit one that has shipped; add the next version instead.
 *
 * Text columns are `COLLATE "C"`: byte order, as SQLite compares, whatever the database's locale,
 * so keys sort and visibility queries compare the same way on both stores (and faster).
 */
import type pg from 'pg'
import { POSTGRES_TEXT_MATCH_FUNCTION_SQL } from '../../visibility/query/postgres-text-match.js'
import { checkMigrationList, type Migration, type SchemaStatus } from '../sql/migration.js'

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'initial schema',
    sql: `
      CREATE TABLE namespaces (
        id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
        name TEXT COLLATE "C" NOT NULL UNIQUE,
        notification_version BIGINT NOT NULL,
        data TEXT NOT NULL
      );

      CREATE TABLE executions (
        namespace_id TEXT COLLATE "C" NOT NULL,
        workflow_id TEXT COLLATE "C" NOT NULL,
        run_id TEXT COLLATE "C" NOT NULL,
        db_version BIGINT NOT NULL,
        status INTEGER NOT NULL,
        next_event_id BIGINT NOT NULL,
        state BYTEA NOT NULL,
        PRIMARY KEY (namespace_id, workflow_id, run_id)
      );

      CREATE TABLE current_executions (
        namespace_id TEXT COLLATE "C" NOT NULL,
        workflow_id TEXT COLLATE "C" NOT NULL,
        run_id TEXT COLLATE "C" NOT NULL,
        create_request_id TEXT NOT NULL,
        status INTEGER NOT NULL,
        start_time BIGINT NOT NULL,
        PRIMARY KEY (namespace_id, workflow_id)
      );

      CREATE TABLE history_batches (
        run_id TEXT COLLATE "C" NOT NULL,
        first_event_id BIGINT NOT NULL,
        last_event_id BIGINT NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (run_id, first_event_id)
      );

      CREATE TABLE queue_tasks (
        namespace_id TEXT COLLATE "C" NOT NULL,
        task_queue TEXT COLLATE "C" NOT NULL,
        kind INTEGER NOT NULL,
        task_id BIGINT NOT NULL,
        workflow_id TEXT COLLATE "C" NOT NULL,
        run_id TEXT COLLATE "C" NOT NULL,
        scheduled_event_id BIGINT NOT NULL,
        created_time BIGINT NOT NULL,
        expiry_time BIGINT NOT NULL,
        PRIMARY KEY (namespace_id, task_queue, kind, task_id)
      );
      CREATE INDEX queue_tasks_by_task_id ON queue_tasks (task_id);

      CREATE TABLE timer_tasks (
        fire_time BIGINT NOT NULL,
        task_id BIGINT NOT NULL,
        namespace_id TEXT COLLATE "C" NOT NULL,
        workflow_id TEXT COLLATE "C" NOT NULL,
        run_id TEXT COLLATE "C" NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (fire_time, task_id)
      );

      CREATE TABLE cluster_metadata (
        key TEXT COLLATE "C" NOT NULL PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE shards (
        shard_id INTEGER NOT NULL PRIMARY KEY,
        range_id BIGINT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'visibility and custom search attributes',
    // Custom search attributes live in one jsonb document, as in SQLite's JSON column; the
    // default order (open runs first, then by close time) is served by its own index.
    sql: `
      CREATE TABLE executions_visibility (
        namespace_id TEXT COLLATE "C" NOT NULL,
        run_id TEXT COLLATE "C" NOT NULL,
        workflow_id TEXT COLLATE "C" NOT NULL,
        workflow_type TEXT COLLATE "C" NOT NULL,
        task_queue TEXT COLLATE "C" NOT NULL,
        status INTEGER NOT NULL,
        start_time BIGINT NOT NULL,
        execution_time BIGINT NOT NULL,
        close_time BIGINT,
        execution_duration BIGINT,
        history_length BIGINT NOT NULL,
        history_size_bytes BIGINT NOT NULL,
        state_transition_count BIGINT NOT NULL,
        parent_workflow_id TEXT COLLATE "C",
        parent_run_id TEXT COLLATE "C",
        root_workflow_id TEXT COLLATE "C" NOT NULL,
        root_run_id TEXT COLLATE "C" NOT NULL,
        search_attributes JSONB NOT NULL,
        search_attribute_payloads BYTEA,
        memo BYTEA,
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
        namespace_id TEXT COLLATE "C" NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        type INTEGER NOT NULL,
        PRIMARY KEY (namespace_id, name)
      );

      ${POSTGRES_TEXT_MATCH_FUNCTION_SQL};
    `,
  },
  {
    version: 3,
    description: 'internal worker jobs: schedules and batch operations',
    // One row of state per job; wake_time > 0 only while the job needs the worker, so loading
    // at start reads the jobs with work ahead (the partial index) and skips idle ones.
    sql: `
      CREATE TABLE worker_jobs (
        namespace_id TEXT COLLATE "C" NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        job_id TEXT COLLATE "C" NOT NULL,
        version BIGINT NOT NULL,
        wake_time BIGINT NOT NULL,
        data TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (namespace_id, kind, job_id)
      );
      CREATE INDEX worker_jobs_waking ON worker_jobs (namespace_id, kind, job_id)
        WHERE wake_time > 0;
    `,
  },
  {
    version: 4,
    description: 'cluster membership and shard owners',
    // After Temporal's cluster_membership (schema/postgresql/v12/temporal/schema.sql), but one row
    // per node rather than per role, its roles a JSON array. Listing the live members and
    // pruning the dead both range over record_expiry.
    // Range ids are unique across shards from here on, drawn from a sequence: nodes acquire
    // different shards at once, and a max(range_id) + 1 read by each would agree. It starts above
    // every range id the shards already have, which until now were counted per shard.
    sql: `
      CREATE TABLE cluster_membership (
        host_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
        internal_address TEXT NOT NULL,
        rpc_address TEXT NOT NULL,
        roles TEXT NOT NULL,
        session_start BIGINT NOT NULL,
        last_heartbeat BIGINT NOT NULL,
        record_expiry BIGINT NOT NULL
      );
      CREATE INDEX cluster_membership_by_expiry ON cluster_membership (record_expiry);

      ALTER TABLE shards ADD COLUMN owner TEXT COLLATE "C" NOT NULL DEFAULT '';

      CREATE SEQUENCE shard_range_ids AS BIGINT OWNED BY shards.range_id;
      SELECT setval('shard_range_ids', COALESCE((SELECT max(range_id) FROM shards), 0) + 1, false);
    `,
  },
]

/** Any constant shared by every Sundial: the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 0x53_75_6e_64 // "Sund"

const createVersionTable = `CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER NOT NULL PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`

/**
 * Brings the schema up to the newest version in `list`, each missing migration in its own
 * transaction. Returns the versions applied. Throws if the database records a version newer
 * than `list` knows.
 */
export async function migrate(
  client: pg.ClientBase,
  list: readonly Migration[] = migrations,
): Promise<number[]> {
  checkMigrationList(list)
  const applied: number[] = []
  for (const m of list) {
    await client.query('BEGIN')
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
      await client.query(createVersionTable)
      const current = await currentVersion(client)
      if (current > list.length) {
        throw new Error(
          `database schema version ${current} is newer than this build knows (${list.length})`,
        )
      }
      if (current < m.version) {
        await client.query(m.sql)
        await client.query(
          'INSERT INTO schema_version (version, description, applied_at) VALUES ($1, $2, $3)',
          [m.version, m.description, Date.now()],
        )
        applied.push(m.version)
      }
      await client.query('COMMIT')
    } catch (e: unknown) {
      await client.query('ROLLBACK').catch(() => {})
      throw e
    }
  }
  return applied
}

/** Where the schema stands against `list`, without changing anything. */
export async function schemaStatus(
  client: pg.ClientBase,
  list: readonly Migration[] = migrations,
): Promise<SchemaStatus> {
  const { rows } = await client.query<{ exists: boolean }>(
    "SELECT to_regclass('schema_version') IS NOT NULL AS exists",
  )
  const current = rows[0]?.exists ? await currentVersion(client) : 0
  return { current, latest: list.length, pending: list.filter((m) => m.version > current) }
}

/** The versions recorded, in order (for tests and diagnostics). */
export async function appliedVersions(client: pg.ClientBase): Promise<number[]> {
  const { rows } = await client.query<{ version: number }>(
    'SELECT version FROM schema_version ORDER BY version',
  )
  return rows.map((r) => r.version)
}

async function currentVersion(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ v: number | null }>(
    'SELECT max(version) AS v FROM schema_version',
  )
  return rows[0]?.v ?? 0
}
