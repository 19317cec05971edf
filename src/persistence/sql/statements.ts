/**
 * Every fixed statement of the stores, written once for SQLite and PostgreSQL. Parameters are
 * `@name`: better-sqlite3 binds them by name as written, and the PostgreSQL store numbers them
 * (dialect.ts `numberParameters`). Inserts use `ON CONFLICT DO NOTHING` and report a conflict by
 * changing no row, which both databases count the same way.
 */
import type { SqlDialect } from './dialect.js'

const whereRun = 'namespace_id = @namespaceId AND workflow_id = @workflowId AND run_id = @runId'
const whereCurrent = 'namespace_id = @namespaceId AND workflow_id = @workflowId'

const namespaceColumns = 'id, name, notification_version, data'
const queueColumns = `namespace_id, task_queue, kind, task_id, workflow_id, run_id,
  scheduled_event_id, created_time, expiry_time`
const timerColumns = 'fire_time, task_id, namespace_id, workflow_id, run_id, data'

/** The columns of a visibility row, in the order list queries return them (VisibilityTuple). */
export const visibilityColumns = `namespace_id, run_id, workflow_id, workflow_type, task_queue,
  status, start_time, execution_time, close_time, history_length, history_size_bytes,
  state_transition_count, parent_workflow_id, parent_run_id, root_workflow_id, root_run_id,
  search_attributes, search_attribute_payloads, memo`

const jobColumns = 'namespace_id, kind, job_id, version, wake_time, data'
const whereJob = 'namespace_id = @namespaceId AND kind = @kind AND job_id = @jobId'
const memberColumns = `host_id, internal_address, rpc_address, roles, session_start,
  last_heartbeat, record_expiry`

/** A job write commits only while the shard is still held at the writer's range id. */
const fenced = 'EXISTS (SELECT 1 FROM shards WHERE shard_id = @shardId AND range_id = @rangeId)'

export function statements(d: SqlDialect) {
  return {
    jobs: {
      insert: `INSERT INTO worker_jobs (${jobColumns})
        SELECT @namespaceId, @kind, @jobId, @version, @wakeTime, @data WHERE ${fenced}
        ON CONFLICT DO NOTHING`,
      get: `SELECT ${jobColumns} FROM worker_jobs WHERE ${whereJob}`,
      update: `UPDATE worker_jobs SET version = @version, wake_time = @wakeTime, data = @data
        WHERE ${whereJob} AND version = @expected AND ${fenced}`,
      delete: `DELETE FROM worker_jobs WHERE ${whereJob} AND ${fenced}`,
      list: `SELECT ${jobColumns} FROM worker_jobs
        WHERE namespace_id = @namespaceId AND kind = @kind AND job_id > @after
        ORDER BY job_id LIMIT @limit`,
      listWaking: `SELECT ${jobColumns} FROM worker_jobs
        WHERE wake_time > 0 AND (namespace_id, kind, job_id) > (@namespaceId, @kind, @jobId)
        ORDER BY namespace_id, kind, job_id LIMIT @limit`,
      shardRange: 'SELECT range_id FROM shards WHERE shard_id = @shardId',
    },

    namespaces: {
      insert: `INSERT INTO namespaces (id, name, notification_version, data)
        VALUES (@id, @name, @notificationVersion, @data)
        ON CONFLICT DO NOTHING`,
      byId: `SELECT ${namespaceColumns} FROM namespaces WHERE id = @id`,
      byName: `SELECT ${namespaceColumns} FROM namespaces WHERE name = @name`,
      listFirst: `SELECT ${namespaceColumns} FROM namespaces ORDER BY name LIMIT @limit`,
      listAfter: `SELECT ${namespaceColumns} FROM namespaces WHERE name > @after
        ORDER BY name LIMIT @limit`,
      update: `UPDATE namespaces SET name = @name, notification_version = @notificationVersion,
          data = @data
        WHERE id = @id AND notification_version = @expected`,
      delete: 'DELETE FROM namespaces WHERE id = @id',
      deleteSearchAttributes: 'DELETE FROM custom_search_attributes WHERE namespace_id = @id',
    },

    executions: {
      get: `SELECT db_version, status, next_event_id, state FROM executions WHERE ${whereRun}`,
      insert: `INSERT INTO executions
          (namespace_id, workflow_id, run_id, db_version, status, next_event_id, state)
        VALUES (@namespaceId, @workflowId, @runId, @dbVersion, @status, @nextEventId, @state)
        ON CONFLICT DO NOTHING`,
      update: `UPDATE executions
        SET db_version = @dbVersion, status = @status, next_event_id = @nextEventId,
          state = @state
        WHERE ${whereRun} AND db_version = @expected`,
      delete: `DELETE FROM executions WHERE ${whereRun} AND db_version = @expected`,
      shardRange: `SELECT range_id${d.shardReadTransactionId} FROM shards
        WHERE shard_id = @shardId${d.shardReadLock}`,
    },

    current: {
      get: `SELECT run_id, create_request_id, status, start_time
        FROM current_executions WHERE ${whereCurrent}`,
      insert: `INSERT INTO current_executions
          (namespace_id, workflow_id, run_id, create_request_id, status, start_time)
        VALUES (@namespaceId, @workflowId, @runId, @createRequestId, @status, @startTime)
        ON CONFLICT DO NOTHING`,
      replace: `UPDATE current_executions
        SET run_id = @runId, create_request_id = @createRequestId, status = @status,
          start_time = @startTime
        WHERE ${whereCurrent} AND run_id = @expected`,
      updateStatus: `UPDATE current_executions SET status = @status WHERE ${whereRun}`,
      delete: `DELETE FROM current_executions WHERE ${whereRun}`,
    },

    history: {
      insert: `INSERT INTO history_batches (run_id, first_event_id, last_event_id, data)
        VALUES (@runId, @first, @last, @data)
        ON CONFLICT DO NOTHING`,
      // Batches are contiguous, so the first one overlapping the range is the last batch
      // starting at or before minEventId; seeking to it through the primary key keeps reading
      // page n of a long history from scanning pages 1..n-1. `last_event_id >= @minEventId`
      // still guards against a gap before minEventId.
      read: `SELECT first_event_id, last_event_id, data FROM history_batches
        WHERE run_id = @runId
          AND first_event_id >= coalesce(
            (SELECT max(first_event_id) FROM history_batches
             WHERE run_id = @runId AND first_event_id <= @minEventId), @minEventId)
          AND first_event_id < @maxEventId
          AND last_event_id >= @minEventId
        ORDER BY first_event_id
        LIMIT @limit`,
      delete: 'DELETE FROM history_batches WHERE run_id = @runId',
    },

    visibility: {
      // An update in place touches only the indexes over changed columns (status, close time);
      // a delete and re-insert would rewrite the row in every index.
      upsert: `INSERT INTO executions_visibility
          (namespace_id, run_id, workflow_id, workflow_type, task_queue, status, start_time,
           execution_time, close_time, execution_duration, history_length, history_size_bytes,
           state_transition_count, parent_workflow_id, parent_run_id, root_workflow_id,
           root_run_id, search_attributes, search_attribute_payloads, memo)
        VALUES (@namespaceId, @runId, @workflowId, @workflowType, @taskQueue, @status,
           @startTime, @executionTime, @closeTime, @executionDuration, @historyLength,
           @historySizeBytes, @stateTransitionCount, @parentWorkflowId, @parentRunId,
           @rootWorkflowId, @rootRunId, @searchAttributes, @searchAttributePayloads, @memo)
        ON CONFLICT (namespace_id, run_id) DO UPDATE SET
          status = excluded.status, close_time = excluded.close_time,
          execution_duration = excluded.execution_duration,
          history_length = excluded.history_length,
          history_size_bytes = excluded.history_size_bytes,
          state_transition_count = excluded.state_transition_count,
          search_attributes = excluded.search_attributes,
          search_attribute_payloads = excluded.search_attribute_payloads, memo = excluded.memo`,
      delete: `DELETE FROM executions_visibility
        WHERE namespace_id = @namespaceId AND run_id = @runId`,
      listAttributes: `SELECT namespace_id, name, type FROM custom_search_attributes
        WHERE namespace_id = @namespaceId ORDER BY name`,
      listAllAttributes: `SELECT namespace_id, name, type FROM custom_search_attributes
        ORDER BY namespace_id, name`,
      addAttribute: `INSERT INTO custom_search_attributes (namespace_id, name, type)
        VALUES (@namespaceId, @name, @type) ON CONFLICT DO NOTHING`,
      removeAttribute: `DELETE FROM custom_search_attributes
        WHERE namespace_id = @namespaceId AND name = @name`,
    },

    tasks: {
      insertQueueTask: `INSERT INTO queue_tasks
          (namespace_id, task_queue, kind, task_id, workflow_id, run_id, scheduled_event_id,
           created_time, expiry_time)
        VALUES (@namespaceId, @taskQueue, @kind, @taskId, @workflowId, @runId,
           @scheduledEventId, @createdTime, @expiryTime)
        ON CONFLICT DO NOTHING`,
      deleteQueueTask: `DELETE FROM queue_tasks WHERE namespace_id = @namespaceId
        AND task_queue = @taskQueue AND kind = @kind AND task_id = @taskId`,
      // Task ids come from shard range ids and so are unique across queues; the trailing key
      // columns only make the order total should that ever not hold.
      listQueueTasks: `SELECT ${queueColumns} FROM queue_tasks WHERE task_id > @afterTaskId
        ORDER BY task_id, namespace_id, task_queue, kind LIMIT @limit`,
      insertTimerTask: `INSERT INTO timer_tasks
          (fire_time, task_id, namespace_id, workflow_id, run_id, data)
        VALUES (@fireTime, @taskId, @namespaceId, @workflowId, @runId, @data)
        ON CONFLICT DO NOTHING`,
      deleteTimerTask: 'DELETE FROM timer_tasks WHERE fire_time = @fireTime AND task_id = @taskId',
      listTimers: `SELECT ${timerColumns} FROM timer_tasks WHERE fire_time < @fireBefore
        ORDER BY fire_time, task_id LIMIT @limit`,
      // A row-value comparison, which both databases answer with a seek on the primary key.
      listTimersAfter: `SELECT ${timerColumns} FROM timer_tasks
        WHERE fire_time < @fireBefore AND (fire_time, task_id) > (@afterFireTime, @afterTaskId)
        ORDER BY fire_time, task_id LIMIT @limit`,
    },

    cluster: {
      initMetadata: `INSERT INTO cluster_metadata (key, value) VALUES (@key, @value)
        ON CONFLICT DO NOTHING`,
      getMetadata: 'SELECT value FROM cluster_metadata WHERE key = @key',
      // One statement, so two openers racing for the shard always get distinct range ids. The
      // VALUES id is drawn before the row lock is taken: on PostgreSQL a racing acquire of the
      // same shard may draw a later id and commit first, so the update draws again rather than
      // move the shard's range id backwards (its task ids would then fall below ones written).
      acquireShard: `INSERT INTO shards (shard_id, range_id, owner)
        VALUES (@shardId, ${d.nextRangeId}, @owner)
        ON CONFLICT (shard_id) DO UPDATE SET
          range_id = CASE WHEN excluded.range_id > shards.range_id THEN excluded.range_id
            ELSE ${d.nextRangeId} END,
          owner = excluded.owner
        RETURNING range_id`,
      releaseShard: `UPDATE shards SET owner = ''
        WHERE shard_id = @shardId AND range_id = @rangeId AND owner = @owner`,
      listShards: 'SELECT shard_id, range_id, owner FROM shards ORDER BY shard_id',
      upsertMember: `INSERT INTO cluster_membership (${memberColumns})
        VALUES (@hostId, @internalAddress, @rpcAddress, @roles, @sessionStart, @lastHeartbeat,
          @recordExpiry)
        ON CONFLICT (host_id) DO UPDATE SET internal_address = excluded.internal_address,
          rpc_address = excluded.rpc_address, roles = excluded.roles,
          session_start = excluded.session_start, last_heartbeat = excluded.last_heartbeat,
          record_expiry = excluded.record_expiry`,
      listMembers: `SELECT ${memberColumns} FROM cluster_membership
        WHERE record_expiry > @aliveAt ORDER BY host_id`,
      deleteMember: 'DELETE FROM cluster_membership WHERE host_id = @hostId',
      pruneMembers: 'DELETE FROM cluster_membership WHERE record_expiry < @expiredBefore',
    },
  }
}

export type Statements = ReturnType<typeof statements>
