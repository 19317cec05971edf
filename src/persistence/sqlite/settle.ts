/**
 * Helpers shared by the SQLite store groups: better-sqlite3 is synchronous, so each store method
 * runs its statements inline and hands the outcome back as a settled promise, with driver
 * failures translated into the store's own errors.
 */
import Database from 'better-sqlite3'
import { ensureError } from '../../common/errors.js'
import { StoreUnavailableError } from '../errors.js'

/**
 * Result codes (primary code before any `_` suffix) for failures that may pass on retry: another
 * connection holding the lock past `busy_timeout`, a full or failing disk, memory pressure.
 * Everything else (constraint violations, misuse, corruption) is a bug or needs an operator.
 */
const transientCodes = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_CANTOPEN',
  'SQLITE_NOMEM',
  'SQLITE_PROTOCOL',
])

/** Turns a driver failure into a store error; store errors pass through unchanged. */
export function toStoreError(e: unknown): Error {
  const err = ensureError(e)
  if (err instanceof Database.SqliteError) {
    const primary = /^SQLITE_[A-Z]+/.exec(err.code)?.[0] ?? err.code
    if (transientCodes.has(primary)) {
      return new StoreUnavailableError(`sqlite: ${err.message}`, { cause: err })
    }
  }
  return err
}

/**
 * Runs `fn` now and returns its result as a promise, so a synchronous throw becomes a rejection
 * (callers `await` store methods and must never see them throw synchronously).
 */
export function settle<T>(db: Database.Database, fn: () => T): Promise<T> {
  if (!db.open) return Promise.reject(new StoreUnavailableError('the store is closed'))
  try {
    return Promise.resolve(fn())
  } catch (e: unknown) {
    return Promise.reject(toStoreError(e))
  }
}
