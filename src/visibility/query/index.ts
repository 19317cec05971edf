/**
 * Temporal's visibility query language, compiled to parameterised SQL: lexer → parser (syntax
 * tree) → validate (search attribute types, operator rules, stored value forms) → to-sql.
 */
import type { SearchAttributeTypeName } from '../search-attributes.js'
import { parseQuery } from './parser.js'
import { orderSql, whereSql, type QueryDialect, type SqlFragment, type SqlParam } from './to-sql.js'
import { validateQuery, type QueryPurpose } from './validate.js'

export { QueryError } from './query-error.js'
export { POSTGRES_TEXT_MATCH_FUNCTION_SQL } from './postgres-text-match.js'
export { TEXT_MATCH_FUNCTION, type QueryDialect, type SqlParam } from './to-sql.js'
export { textMatches } from './text-match.js'
export type { QueryPurpose } from './validate.js'

export interface CompiledQuery {
  /** A boolean SQL expression over the visibility row, or '' for no filter. */
  where: string
  params: SqlParam[]
  /** Temporal's default order (open runs first, newest first), or the query's ORDER BY. */
  order: 'default' | SqlFragment
  groupByStatus: boolean
}

/**
 * Throws QueryError (InvalidArgument) naming the problem and its position. `custom`: the
 * namespace's registered search attributes by name. `dialect`: the store whose SQL to write;
 * both take `?` placeholders (the PostgreSQL store numbers them).
 */
export function compileVisibilityQuery(
  text: string,
  custom: ReadonlyMap<string, SearchAttributeTypeName>,
  purpose: QueryPurpose,
  dialect: QueryDialect = 'sqlite',
): CompiledQuery {
  const checked = validateQuery(parseQuery(text), custom, purpose)
  const where = checked.where ? whereSql(checked.where, dialect) : { sql: '', params: [] }
  return {
    where: where.sql,
    params: where.params,
    order: checked.orderBy.length > 0 ? orderSql(checked.orderBy, dialect) : 'default',
    groupByStatus: checked.groupByStatus,
  }
}
