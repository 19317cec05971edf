/** The shape of a versioned schema step, shared by both stores' migration lists. */
import { SchemaVersionError } from '../errors.js'

/** One schema step. */
export interface Migration {
  /** Strictly increasing, starting at 1, with no gaps. */
  version: number
  /** A short description, stored beside the version for operators. */
  description: string
  /** The DDL to run (may hold several statements). */
  sql: string
}

export interface SchemaStatus {
  /** The newest version recorded in the database; 0 for a new one. */
  current: number
  /** The newest version this build knows. */
  latest: number
  /** Migrations this build would apply, oldest first. */
  pending: readonly Migration[]
}

/**
 * For stores opened without migrating: the schema must already be this build's. Returns the
 * error to throw when it is not.
 */
export function schemaMismatch(current: number, latest: number): SchemaVersionError | undefined {
  if (current === latest) return undefined
  return new SchemaVersionError(
    current < latest
      ? `database schema is at version ${current}, this build needs ${latest}: run \`sundial db migrate\``
      : `database schema version ${current} is newer than this build knows (${latest})`,
  )
}

/** Throws unless `list` numbers its steps 1, 2, 3, ... in order, without gaps. */
export function checkMigrationList(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration ${i} has version ${m.version}, want ${i + 1}`)
    }
  })
}
