/**
 * Group commit for SQLite writes. With `synchronous=FULL` every COMMIT waits for an fsync, which
 * bounds a database to a few thousand commits per second however small the writes are. Calls
 * submitted in the same event-loop turn therefore share one `BEGIN IMMEDIATE ... COMMIT`, each
 * inside its own SAVEPOINT, so one call whose condition fails is rolled back alone while the
 * others commit (the same idea as PostgreSQL's commit_delay, without the delay).
 */
import type Database from 'better-sqlite3'
import { StoreUnavailableError } from '../errors.js'
import { toStoreError } from './settle.js'

interface Pending<T> {
  item: T
  resolve: () => void
  reject: (e: Error) => void
}

export interface SqliteGroupCommitDeps<T> {
  /** The connection; nothing else may hold a transaction open on it across event-loop turns. */
  db: Database.Database
  /** Applies one call's changes; throws to have that call (alone) rolled back. Synchronous. */
  apply: (item: T) => void
  /** Most calls in one transaction; the rest wait for the next turn. */
  maxGroupSize: number
  /** Called after each successful commit with the number of calls it held. Must not throw. */
  onGroupCommit?: ((calls: number) => void) | undefined
}

export class SqliteGroupCommit<T> {
  readonly #db: Database.Database
  readonly #maxGroupSize: number
  readonly #onGroupCommit: ((calls: number) => void) | undefined
  readonly #group: Database.Transaction<
    (calls: Pending<T>[], failures: (Error | undefined)[]) => void
  >
  #queue: Pending<T>[] = []
  #scheduled: NodeJS.Immediate | undefined
  #closed = false

  constructor(deps: SqliteGroupCommitDeps<T>) {
    const { db, apply } = deps
    this.#db = db
    this.#maxGroupSize = deps.maxGroupSize
    this.#onGroupCommit = deps.onGroupCommit
    // better-sqlite3 turns a transaction function called inside another into a SAVEPOINT, and on
    // a throw rolls back to it and releases it, leaving the outer transaction open.
    const applyInSavepoint = db.transaction(apply)
    this.#group = db.transaction((calls: Pending<T>[], failures: (Error | undefined)[]) => {
      calls.forEach((call, i) => {
        try {
          applyInSavepoint(call.item)
        } catch (e: unknown) {
          failures[i] = toStoreError(e)
          // Some failures (disk full, I/O error) make SQLite roll back the whole transaction;
          // going on would run the remaining calls in autocommit mode, one fsync each and
          // without their atomicity, so abandon the group instead.
          if (!db.inTransaction) {
            throw new StoreUnavailableError('the group transaction was rolled back', {
              cause: failures[i],
            })
          }
        }
      })
    })
  }

  /**
   * Queues `item` for the next group. The promise settles after that group's COMMIT: it resolves
   * once the item's changes are durable, or rejects with the item's own error (nothing of it
   * applied), or with the commit's error if the group as a whole failed.
   */
  submit(item: T): Promise<void> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError('the store is closed'))
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject })
      // setImmediate rather than a microtask: it runs after the poll phase, so requests whose
      // I/O callbacks arrived in the same turn (and the microtasks they spawned) share a group.
      this.#scheduled ??= setImmediate(() => this.#onImmediate())
    })
  }

  /** Commits everything queued, synchronously, then refuses further submissions. */
  close(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled)
    this.#scheduled = undefined
    while (this.#queue.length > 0) this.#commit(this.#queue.splice(0, this.#maxGroupSize))
    this.#closed = true
  }

  #onImmediate(): void {
    this.#scheduled = undefined
    this.#commit(this.#queue.splice(0, this.#maxGroupSize))
    // Yield between capped groups so reads and timers are not starved behind a burst of writes.
    if (this.#queue.length > 0) this.#scheduled = setImmediate(() => this.#onImmediate())
  }

  #commit(calls: Pending<T>[]): void {
    const failures: (Error | undefined)[] = []
    let groupError: Error | undefined
    if (!this.#db.open) {
      groupError = new StoreUnavailableError('the store is closed')
    } else {
      try {
        this.#group.immediate(calls, failures)
      } catch (e: unknown) {
        groupError = toStoreError(e)
      }
    }
    calls.forEach((call, i) => {
      const error = failures[i] ?? groupError
      if (error) call.reject(error)
      else call.resolve()
    })
    if (groupError === undefined) this.#onGroupCommit?.(calls.length)
  }
}
