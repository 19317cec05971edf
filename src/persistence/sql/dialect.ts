/**
 * What differs between the SQL the two stores speak. Statements are written once (statements.ts)
 * with `@name` parameters; a dialect says how placeholders are spelled and supplies the few
 * clauses that differ. Schema DDL is per store (sqlite/migrations.ts, postgres/migrations.ts),
 * since column types and index options differ more than a hook could hide.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres'
  /**
   * Appended to the read of a shard's range id inside a write transaction. PostgreSQL takes a
   * share lock, so acquiring the shard (an UPDATE of that row) waits for writes already fenced
   * by the old range id to commit; SQLite writers are serialised by its database lock anyway.
   */
  readonly shardReadLock: string
  /**
   * Extra column of that read naming the writing transaction (PostgreSQL: its xid), so a COMMIT
   * whose reply is lost can be settled without another round trip to learn the id.
   */
  readonly shardReadTransactionId: string
  /**
   * The expression giving a shard its next range id, greater than every range id of every shard
   * (task ids are `rangeId * 2^32 + n`, so range ids must not repeat across shards). PostgreSQL
   * draws from a sequence, since nodes acquire different shards concurrently and two reads of
   * max(range_id) would agree; SQLite has one writer at a time, so the max over the table is
   * already unique.
   */
  readonly nextRangeId: string
}

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  shardReadLock: '',
  shardReadTransactionId: '',
  nextRangeId: '(SELECT coalesce(max(range_id), 0) + 1 FROM shards)',
}

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  shardReadLock: ' FOR SHARE',
  shardReadTransactionId: ', pg_current_xact_id()::text AS xid',
  nextRangeId: "nextval('shard_range_ids')",
}

/** A statement in PostgreSQL's form: `$n` placeholders, and the parameter name behind each. */
export interface NumberedStatement {
  text: string
  /** `names[i]` is the parameter bound to `$${i + 1}`. */
  names: readonly string[]
}

/**
 * Rewrites `@name` parameters as `$1, $2, ...` (a name used twice keeps one number). The SQL
 * statements.ts holds contains no `@` other than parameters, so no string literal is mangled.
 */
export function numberParameters(sql: string): NumberedStatement {
  const names: string[] = []
  const text = sql.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    let i = names.indexOf(name)
    if (i < 0) i = names.push(name) - 1
    return `$${i + 1}`
  })
  return { text, names }
}

/**
 * Rewrites `?` placeholders as `$1, $2, ...` in order, for SQL built by the visibility query
 * compiler (which binds every value and never writes a `?` of its own).
 */
export function numberPositional(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}
