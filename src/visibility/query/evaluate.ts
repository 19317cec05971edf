/**
 * Temporal's list filter evaluated in memory, for records that are not rows of the visibility
 * table: ListSchedules and CountSchedules filter schedule rows this way. Parsing and validation
 * are the SQL path's, so a bad query fails with the same QueryError (InvalidArgument) and
 * message as ListWorkflowExecutions gives; the predicate then answers as the SQL that to-sql.ts
 * writes would for a row holding the same values. System columns (WorkflowId, StartTime, ...)
 * are refused, as Temporal refuses them for schedules.
 */
import { InvalidArgumentError } from '../../common/errors.js'
import type { SearchAttributeTypeName } from '../search-attributes.js'
import type { ComparisonOperator } from './ast.js'
import { parseQuery } from './parser.js'
import { textMatches } from './text-match.js'
import { validateQuery, type CheckedExpr, type Value } from './validate.js'

/**
 * One record's search attributes by name, in the form visibility stores them (values.ts,
 * `searchAttributeValuesJson`): Keyword and Text as strings, Int and Double as numbers, Bool as
 * booleans, Datetime as milliseconds since the epoch (not ISO strings), KeywordList as an array
 * of strings (a lone string reads as a list of one, as in the stores). An absent name, or
 * `undefined` or `null`, is SQL's NULL.
 */
export type AttributeValues = ReadonlyMap<string, unknown>

/**
 * Compiles `query` into a predicate over one record's values.
 *
 * `custom`: the attributes the records have beyond the predefined ones (which, like
 * `TemporalSchedulePaused`, resolve unlisted), by name and type. `what` names the records in
 * errors. An empty query matches every record; ORDER BY and GROUP BY are refused, as the records
 * are listed in no particular order. NULL is handled as SQL does: a missing value, or one not of
 * its attribute's type, makes every comparison false (`!=`, `NOT IN`, `NOT BETWEEN`, `NOT
 * STARTS_WITH` included) and `IS NULL` true. A KeywordList matches `=` and `IN` when any element
 * does, and `!=` and `NOT IN` when none does. Text `=` is a word match (text-match.ts).
 *
 * @throws InvalidArgumentError (a QueryError for what the language or the types refuse).
 */
export function compileFilter(
  query: string,
  custom: ReadonlyMap<string, SearchAttributeTypeName>,
  what = 'schedules',
): (values: AttributeValues) => boolean {
  const parsed = parseQuery(query)
  if (parsed.orderBy.length > 0 || parsed.groupBy.length > 0) {
    throw new InvalidArgumentError(`invalid query filter for ${what}: no ORDER BY or GROUP BY`)
  }
  const { where } = validateQuery(parsed, custom, 'list')
  if (!where) return () => true
  refuseColumns(where, what)
  return (values) => holds(where, values)
}

function refuseColumns(e: CheckedExpr, what: string): void {
  if ('left' in e) {
    refuseColumns(e.left, what)
    refuseColumns(e.right, what)
  } else if (e.field.source === 'column') {
    throw new InvalidArgumentError(
      `invalid query filter for ${what}: cannot filter on "${e.field.name}"`,
    )
  }
}

/**
 * Whether `e` is true for `values`. SQL's UNKNOWN is read as false at each comparison: with no
 * NOT over a subexpression in the language, AND and OR then give what SQL's three-valued logic
 * gives for a WHERE clause.
 */
function holds(e: CheckedExpr, values: AttributeValues): boolean {
  if ('left' in e) {
    const left = holds(e.left, values)
    return e.kind === 'and' ? left && holds(e.right, values) : left || holds(e.right, values)
  }
  const value = values.get(e.field.name)
  if (e.kind === 'isNull') return (value == null) !== e.negated

  if (e.field.type === 'KeywordList') {
    // validate allows only = != IN and NOT IN here; each asks whether any element is wanted.
    const list: unknown = typeof value === 'string' ? [value] : value
    if (!Array.isArray(list)) return false
    const items = list as readonly unknown[]
    const wanted: readonly Value[] =
      e.kind === 'compare' ? [e.value] : e.kind === 'in' ? e.values : []
    const negated = e.kind === 'compare' ? e.op === '!=' : e.negated
    return items.some((item) => wanted.includes(item as Value)) !== negated
  }

  switch (e.kind) {
    case 'compare': {
      if (e.field.type === 'Text') {
        // validate allows only = and != on Text: a word match, as TEXT_MATCH_FUNCTION does.
        return typeof value === 'string' && textMatches(value, String(e.value)) !== (e.op === '!=')
      }
      const c = order(value, e.value)
      return c !== undefined && COMPARE[e.op](c)
    }
    case 'in': {
      const found = e.values.map((v) => order(value, v))
      if (found.includes(undefined)) return false
      return found.includes(0) !== e.negated
    }
    case 'between': {
      const [low, high] = [order(value, e.low), order(value, e.high)]
      if (low === undefined || high === undefined) return false
      return (low >= 0 && high <= 0) !== e.negated
    }
    case 'startsWith':
      return typeof value === 'string' && value.startsWith(String(e.prefix)) !== e.negated
  }
}

const COMPARE: Readonly<Record<ComparisonOperator, (c: number) => boolean>> = {
  '=': (c) => c === 0,
  '!=': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
}

/**
 * The sign of `stored` minus `wanted`, or undefined when they cannot be compared (NULL, or a
 * stored value not of the attribute's type, whose `wanted` validate has put in stored form).
 * Strings compare in UTF-8 byte order, which is code point order: SQLite's BINARY collation and
 * PostgreSQL's `COLLATE "C"`, where JS's `<` would compare UTF-16 code units.
 */
function order(stored: unknown, wanted: Value): number | undefined {
  if (typeof stored === 'string' && typeof wanted === 'string') {
    return Buffer.compare(Buffer.from(stored), Buffer.from(wanted))
  }
  if (typeof stored === 'number' && typeof wanted === 'number') {
    if (stored < wanted) return -1
    if (stored > wanted) return 1
    return stored === wanted ? 0 : undefined // NaN
  }
  if (typeof stored === 'boolean' && typeof wanted === 'boolean') {
    return Number(stored) - Number(wanted)
  }
  return undefined
}
