/**
 * Checks a parsed query against the namespace's search attributes, with Temporal's rules for
 * which operators each type allows, and turns every literal into the form the visibility row
 * stores: Datetime as epoch milliseconds, ExecutionDuration as nanoseconds, ExecutionStatus as
 * its enum number.
 */
import {
  executionStatusFromName,
  isSystemColumnAttribute,
  SYSTEM_COLUMN_ATTRIBUTES,
  SYSTEM_SEARCH_ATTRIBUTES,
  type SearchAttributeTypeName,
  type SystemColumnAttribute,
} from '../search-attributes.js'
import type { Expr, FieldRef, Literal, Query } from './ast.js'
import { QueryError } from './query-error.js'

/** A search attribute resolved: a column of the row, or a value in its attributes document. */
export type Attribute =
  | { source: 'column'; name: SystemColumnAttribute; type: SearchAttributeTypeName }
  | { source: 'document'; name: string; type: SearchAttributeTypeName }

export type Value = string | number | boolean

/** A filter whose names are resolved and whose values are in stored form. */
export type CheckedExpr = Expr<Attribute, Value>

export interface CheckedQuery {
  where?: CheckedExpr
  orderBy: { attr: Attribute; descending: boolean }[]
  /** `GROUP BY ExecutionStatus`, the only grouping Temporal offers (and only for count). */
  groupByStatus: boolean
}

/** What the query is for: only a count may group, and ordering means nothing to one. */
export type QueryPurpose = 'list' | 'count'

/** `custom`: the namespace's registered attributes by name. */
export function validateQuery(
  query: Query,
  custom: ReadonlyMap<string, SearchAttributeTypeName>,
  purpose: QueryPurpose,
): CheckedQuery {
  const resolve = (field: FieldRef): Attribute => {
    if (isSystemColumnAttribute(field.name)) {
      return { source: 'column', name: field.name, type: SYSTEM_COLUMN_ATTRIBUTES[field.name] }
    }
    const type =
      custom.get(field.name) ??
      (Object.hasOwn(SYSTEM_SEARCH_ATTRIBUTES, field.name)
        ? SYSTEM_SEARCH_ATTRIBUTES[field.name]
        : undefined)
    if (type === undefined) {
      throw new QueryError(`unknown search attribute ${field.name}`, field.pos)
    }
    return { source: 'document', name: field.name, type }
  }

  /** The attribute `field` names, if its type takes operators of `family` (`op` for the error). */
  const operand = (field: FieldRef, family: OperatorFamily, op: string): Attribute => {
    const attr = resolve(field)
    allow(attr, field, family, op)
    return attr
  }

  const check = (e: Expr): CheckedExpr => {
    switch (e.kind) {
      case 'and':
      case 'or':
        return { kind: e.kind, left: check(e.left), right: check(e.right) }
      case 'compare': {
        const family = e.op === '=' || e.op === '!=' ? 'equality' : 'range'
        const attr = operand(e.field, family, e.op)
        return { kind: 'compare', field: attr, op: e.op, value: convert(attr, e.value) }
      }
      case 'in': {
        const attr = operand(e.field, 'in', e.negated ? 'NOT IN' : 'IN')
        const values = e.values.map((v) => convert(attr, v))
        return { kind: 'in', field: attr, negated: e.negated, values }
      }
      case 'between': {
        const attr = operand(e.field, 'range', e.negated ? 'NOT BETWEEN' : 'BETWEEN')
        const [low, high] = [convert(attr, e.low), convert(attr, e.high)]
        return { kind: 'between', field: attr, negated: e.negated, low, high }
      }
      case 'startsWith': {
        const attr = operand(e.field, 'prefix', e.negated ? 'NOT STARTS_WITH' : 'STARTS_WITH')
        if (e.prefix.kind !== 'string') {
          throw new QueryError('STARTS_WITH needs a string', e.prefix.pos)
        }
        return { kind: 'startsWith', field: attr, negated: e.negated, prefix: e.prefix.value }
      }
      case 'isNull':
        return { kind: 'isNull', field: resolve(e.field), negated: e.negated }
    }
  }

  const groupBy = query.groupBy
  if (groupBy.length > 0) {
    if (purpose !== 'count') {
      throw new QueryError('GROUP BY is only supported when counting', groupBy[0]!.pos)
    }
    const bad = groupBy.find((f) => f.name !== 'ExecutionStatus') ?? groupBy[1]
    if (bad) throw new QueryError('GROUP BY supports only ExecutionStatus', bad.pos)
  }

  const orderBy = query.orderBy.map((term) => {
    const attr = resolve(term.field)
    if (attr.type === 'Text' || attr.type === 'KeywordList') {
      throw new QueryError(
        `cannot ORDER BY ${attr.name}: ${attr.type} search attributes are not sortable`,
        term.field.pos,
      )
    }
    return { attr, descending: term.descending }
  })

  return {
    where: query.where && check(query.where),
    // A count's answer does not depend on order; its ORDER BY is checked, then dropped.
    orderBy: purpose === 'list' ? orderBy : [],
    groupByStatus: groupBy.length > 0,
  }
}

type OperatorFamily = 'equality' | 'range' | 'in' | 'prefix'

/** Which operator families each type takes (Temporal's query converters). */
const ALLOWED: Readonly<Record<SearchAttributeTypeName, readonly OperatorFamily[]>> = {
  Keyword: ['equality', 'range', 'in', 'prefix'],
  KeywordList: ['equality', 'in'],
  Text: ['equality'],
  Int: ['equality', 'range', 'in'],
  Double: ['equality', 'range', 'in'],
  Datetime: ['equality', 'range', 'in'],
  Bool: ['equality'],
}

function allow(attr: Attribute, field: FieldRef, family: OperatorFamily, op: string): void {
  const allowed = attr.name === 'ExecutionStatus' ? ['equality', 'in'] : ALLOWED[attr.type]
  if (!allowed.includes(family)) {
    throw new QueryError(
      `operator ${op} is not supported for ${attr.type} search attribute ${attr.name}`,
      field.pos,
    )
  }
}

/** The literal in the stored form of `attr`'s values. */
function convert(attr: Attribute, literal: Literal): Value {
  const bad = (want: string): never => {
    const shown = literal.kind === 'string' ? `'${literal.value}'` : String(literal.value)
    throw new QueryError(
      `invalid value ${shown} for ${attr.type} search attribute ${attr.name}: ${want}`,
      literal.pos,
    )
  }
  if (attr.name === 'ExecutionStatus') {
    if (literal.kind !== 'string') return bad("expected a status name such as 'Running'")
    return executionStatusFromName(literal.value) ?? bad('not a workflow execution status')
  }
  if (attr.name === 'ExecutionDuration') {
    if (literal.kind === 'number' && Number.isSafeInteger(literal.value)) return literal.value
    if (literal.kind === 'string') {
      return durationNanos(literal.value) ?? bad("expected a duration such as '90s' or '1h30m'")
    }
    return bad('expected a duration or a number of nanoseconds')
  }
  switch (attr.type) {
    case 'Keyword':
    case 'KeywordList':
    case 'Text':
      return literal.kind === 'string' ? literal.value : bad('expected a string')
    case 'Int':
      return literal.kind === 'number' && Number.isSafeInteger(literal.value)
        ? literal.value
        : bad('expected an integer')
    case 'Double':
      return literal.kind === 'number' && Number.isFinite(literal.value)
        ? literal.value
        : bad('expected a number')
    case 'Bool':
      if (literal.kind === 'bool') return literal.value
      if (literal.kind === 'string' && /^(true|false)$/i.test(literal.value)) {
        return literal.value.toLowerCase() === 'true'
      }
      return bad('expected true or false')
    case 'Datetime':
      if (literal.kind === 'string') {
        return rfc3339Millis(literal.value) ?? bad('expected an RFC 3339 time')
      }
      if (literal.kind === 'number' && Number.isInteger(literal.value)) {
        return Math.floor(literal.value / 1_000_000) // nanoseconds since the epoch
      }
      return bad('expected an RFC 3339 time or nanoseconds since the epoch')
  }
}

const RFC3339 =
  /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/

/** Milliseconds since the epoch of an RFC 3339 time (sub-millisecond digits dropped). */
export function rfc3339Millis(text: string): number | undefined {
  const m = RFC3339.exec(text)
  if (!m) return undefined
  const fraction = (m[3] ?? '').slice(0, 3).padEnd(3, '0')
  const zone = m[4]!.toUpperCase()
  const ms = Date.parse(`${m[1]}T${m[2]}.${fraction}${zone}`)
  return Number.isFinite(ms) ? ms : undefined
}

const NANOS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
  d: 86400e9,
}

/** Nanoseconds of a Go-style duration ("1h30m", "250ms", "2d"). */
export function durationNanos(text: string): number | undefined {
  const whole = /^-?(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))+$/
  if (!whole.test(text)) return undefined
  let total = 0
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/g)) {
    total += Number(amount) * NANOS_PER_UNIT[unit!]!
  }
  total = Math.round(total)
  return text.startsWith('-') ? -total : total
}
