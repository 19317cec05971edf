/** Errors thrown by stores. History translates them into service errors. */
import type { CurrentExecutionRecord } from './store.js'

/** A conditional write found the row changed (dbVersion moved, or the run already exists). */
export class ConditionFailedError extends Error {
  override name = 'ConditionFailedError'
}

/** The current-execution row of a workflow id was not what the write expected. */
export class CurrentWorkflowConditionFailedError extends Error {
  override name = 'CurrentWorkflowConditionFailedError'
  constructor(
    message: string,
    /** The run the row names now, if any. */
    readonly currentRunId: string | undefined,
    /**
     * The whole row as it is now, when there is one: its `createRequestId` lets a retried start
     * request be recognised as a duplicate, and its `status` tells history whether the run is
     * still open (Temporal's `CurrentWorkflowConditionFailedError` carries the same fields).
     */
    readonly current?: CurrentExecutionRecord,
  ) {
    super(message)
  }
}

export class NamespaceAlreadyExistsConflictError extends Error {
  override name = 'NamespaceAlreadyExistsConflictError'
}

/** Another node took the shard; this node must stop writing for it. */
export class ShardOwnershipLostError extends Error {
  override name = 'ShardOwnershipLostError'
}

/** The database is unreachable or failed in a way that may pass. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError'
}

/** The database schema is not the one this build needs, and the store was told not to migrate. */
export class SchemaVersionError extends Error {
  override name = 'SchemaVersionError'
}

/**
 * The SQLite file is held by another live process (a server, or a migration): a second server on
 * the same file would take its shard and leave the first one unable to write.
 */
export class StoreInUseError extends Error {
  override name = 'StoreInUseError'
}
