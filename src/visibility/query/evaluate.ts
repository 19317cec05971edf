/**
 * A visibility query evaluated in memory, for records that do not live in the visibility table:
 * ListSchedules' `query` filters schedule rows this way. Parsing and validation are the SQL
 * path's, so errors and value forms are the same (Datetime as epoch ms, KeywordList as arrays);
 * only system columns are refused, as Temporal refuses them for schedules.
 */
import { InvalidArgumentError } from '../../common/errors.js'
import type { SearchAttributeTypeName } from '../search-attributes.js'
import { parseQuery } from './parser.js'
import { textMatches } from './text-match.js'
import { validateQuery, type CheckedExpr, type Value } from './validate.js'

/** A record's attribute values by name; an absent name is NULL. */
export type AttributeValues = ReadonlyMap<string, unknown>

/**
 * Compiles `query` (its filter; ORDER BY and GROUP BY are refused) over the attributes
 * `custom` names, into a predicate. Throws InvalidArgumentError as list queries do.
 */
export function compileFilter(
  query: string,
  custom: ReadonlyMap<string, SearchAttributeTypeName>,
  what = 'schedules',
): (values: AttributeValues) => boolean {
  const parsed = parseQuery(query)
  const checked = validateQuery(parsed, custom, 'count')
  if (parsed.orderBy.length > 0 || parsed.groupBy.length > 0) {
    throw new InvalidArgumentError(`invalid query filter for ${what}: no ORDER BY or GROUP BY`)
  }
  const where = checked.where
  if (!where) return () => true
  refuseColumns(where, what)
  return (values) => evaluate(where, values)
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

function evaluate(e: CheckedExpr, values: AttributeValues): boolean {
  if ('left' in e) {
    const left = evaluate(e.left, values)
    return e.kind === 'and' ? left && evaluate(e.right, values) : left || evaluate(e.right, values)
  }
  const v = values.get(e.field.name)
  const isNull = v === undefined || v === null || (Array.isArray(v) && v.length === 0)
  if (e.kind === 'isNull') return isNull !== e.negated
  // SQL's three-valued logic: any test of NULL (negated or not) is not true.
  if (isNull) return false
  // A KeywordList matches when any of its elements does, as in Temporal.
  const elements = Array.isArray(v) ? (v as unknown[]) : [v]
  return elements.some((x) => test(e, x as Value, e.field.type))
}

function test(
  e: Exclude<CheckedExpr, { kind: 'and' | 'or' | 'isNull' }>,
  v: Value,
  type: SearchAttributeTypeName,
): boolean {
  switch (e.kind) {
    case 'compare':
      if (type === 'Text' && (e.op === '=' || e.op === '!=')) {
        return textMatches(String(v), String(e.value)) === (e.op === '=')
      }
      return compare(v, e.op, e.value)
    case 'in':
      return e.values.some((x) => x === v) !== e.negated
    case 'between':
      return (compare(v, '>=', e.low) && compare(v, '<=', e.high)) !== e.negated
    case 'startsWith':
      return String(v).startsWith(String(e.prefix)) !== e.negated
  }
}

function compare(a: Value, op: string, b: Value): boolean {
  switch (op) {
    case '=':
      return a === b
    case '!=':
      return a !== b
    case '<':
      return a < b
    case '<=':
      return a <= b
    case '>':
      return a > b
    default:
      return a >= b
  }
}
