/**
 * The SQLite settings a user may choose (`--sqlite-pragma`, `--sqlite-synchronous`), apart from
 * the store so that option parsing does not load the native driver.
 */

/** `off` skips fsync altogether (a crash of the machine may corrupt the file); `extra` adds one. */
export const SQLITE_SYNCHRONOUS = ['off', 'normal', 'full', 'extra'] as const
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS)[number]

export const SQLITE_JOURNAL_MODES = ['wal', 'delete', 'truncate', 'persist', 'memory'] as const
export type SqliteJournalMode = (typeof SQLITE_JOURNAL_MODES)[number]
