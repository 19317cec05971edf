/**
 * One process at a time on a SQLite file. A server holds `<file>.lock`, a small SQLite database
 * opened in exclusive locking mode: after its first write the connection keeps an exclusive
 * file lock until it closes, and the kernel drops the lock when the process dies (even by
 * `kill -9`), so a lock is never stale. Its one row says who holds it; a process refused the
 * lock reads that row from a copy of the file's bytes, since the lock also keeps it from reading
 * through SQLite.
 */
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import Database from 'better-sqlite3'
import { StoreInUseError } from '../errors.js'

/** Who holds a file, as the refused process reports it. */
export interface SqliteFileOwner {
  pid: number
  host: string
  /** What the holder is, e.g. `sundial server listening on 127.0.0.1:7233`. */
  description: string
  /** When it took the lock (ISO 8601). */
  since: string
}

export class SqliteFileLock {
  readonly #db: Database.Database

  private constructor(
    /** The lock file, `<file>.lock`. */
    readonly path: string,
    readonly owner: SqliteFileOwner,
    db: Database.Database,
  ) {
    this.#db = db
  }

  /**
   * Takes the lock of `filename` for this process, described as `description`, or throws
   * StoreInUseError naming the process that holds it. Never waits.
   */
  static acquire(filename: string, description: string, now = new Date()): SqliteFileLock {
    const path = `${filename}.lock`
    const owner: SqliteFileOwner = {
      pid: process.pid,
      host: hostname(),
      description,
      since: now.toISOString(),
    }
    const db = new Database(path, { timeout: 0 })
    try {
      db.pragma('locking_mode = EXCLUSIVE')
      // No journal file beside the lock: a lost write of this row loses nothing of value.
      db.pragma('journal_mode = MEMORY')
      db.exec('BEGIN EXCLUSIVE')
      db.exec('CREATE TABLE IF NOT EXISTS owner (data TEXT NOT NULL)')
      db.exec('DELETE FROM owner')
      db.prepare('INSERT INTO owner (data) VALUES (?)').run(JSON.stringify(owner))
      db.exec('COMMIT')
    } catch (e: unknown) {
      db.close()
      if ((e as { code?: unknown }).code === 'SQLITE_BUSY') throw inUse(filename, path)
      throw e
    }
    return new SqliteFileLock(path, owner, db)
  }

  /** Lets another process take the file. Idempotent. */
  release(): void {
    if (this.#db.open) this.#db.close()
  }
}

function inUse(filename: string, lockPath: string): StoreInUseError {
  const owner = readOwner(lockPath)
  const who = owner
    ? `process ${owner.pid} on ${owner.host} (${owner.description}, since ${owner.since})`
    : 'another process'
  return new StoreInUseError(
    `SQLite file ${filename} is in use by ${who}: stop it first, or give this server another file`,
  )
}

/** The holder's row, from a copy of the lock file's bytes; undefined if it cannot be read. */
function readOwner(lockPath: string): SqliteFileOwner | undefined {
  try {
    const copy = new Database(readFileSync(lockPath))
    try {
      const row = copy.prepare('SELECT data FROM owner').get() as { data: string } | undefined
      return row && (JSON.parse(row.data) as SqliteFileOwner)
    } finally {
      copy.close()
    }
  } catch {
    return undefined
  }
}
