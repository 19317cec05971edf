/**
 * Renders a checked query as SQL over the `executions_visibility` row: system attributes are its
 * columns, other attributes are read from its `search_attributes` JSON document. The SQL text
 * holds only our own column names, operators and functions; every value, and every attribute
 * name, is a bound parameter.
 *
 * Both stores get the same SQL except where it touches the document: SQLite reads a JSON text
 * column with json_extract and json_each, PostgreSQL a jsonb column with ->> and
 * jsonb_array_elements_text. Those differences, and how booleans bind and where NULLs sort, are
 * the `DialectSql` objects at the end of this file. Placeholders are `?` in both; the PostgreSQL
 * store numbers them, so no other `?` may appear in the SQL (hence no jsonb `?` operators).
 */
import type { SearchAttributeTypeName, SystemColumnAttribute } from '../search-attributes.js'
import type { Attribute, CheckedExpr, CheckedQuery, Value } from './validate.js'

/** What better-sqlite3 and pg bind. Booleans go to PostgreSQL only; SQLite gets 1 and 0. */
export type SqlParam = string | number | boolean

/** A piece of SQL and the values of its placeholders, in order. */
export interface SqlFragment {
  sql: string
  params: SqlParam[]
}

/** The SQL the compiler writes: that of the SQLite store or of the PostgreSQL store. */
export type QueryDialect = 'sqlite' | 'postgres'

/**
 * Matches a Text attribute's value against a query's words (text-match.ts). The SQLite store
 * registers it on each connection; the PostgreSQL store's migration creates it from
 * postgres-text-match.ts.
 */
export const TEXT_MATCH_FUNCTION = 'sundial_text_match'

const COLUMNS: Readonly<Record<SystemColumnAttribute, string>> = {
  WorkflowId: 'workflow_id',
  RunId: 'run_id',
  WorkflowType: 'workflow_type',
  StartTime: 'start_time',
  ExecutionTime: 'execution_time',
  CloseTime: 'close_time',
  ExecutionStatus: 'status',
  TaskQueue: 'task_queue',
  HistoryLength: 'history_length',
  HistorySizeBytes: 'history_size_bytes',
  ExecutionDuration: 'execution_duration',
  StateTransitionCount: 'state_transition_count',
  ParentWorkflowId: 'parent_workflow_id',
  ParentRunId: 'parent_run_id',
  RootWorkflowId: 'root_workflow_id',
  RootRunId: 'root_run_id',
}

export function whereSql(expr: CheckedExpr, dialect: QueryDialect): SqlFragment {
  const params: SqlParam[] = []
  const sql = render(expr, DIALECTS[dialect], params)
  return { sql, params }
}

export function orderSql(order: CheckedQuery['orderBy'], dialect: QueryDialect): SqlFragment {
  const d = DIALECTS[dialect]
  const params: SqlParam[] = []
  const sql = order.map((t) => d.orderTerm(read(t.attr, d, params), t.descending)).join(', ')
  return { sql, params }
}

function render(e: CheckedExpr, d: DialectSql, params: SqlParam[]): string {
  const placeholder = (v: Value): string => {
    params.push(d.bind(v))
    return '?'
  }
  switch (e.kind) {
    case 'and':
    case 'or':
      return `(${render(e.left, d, params)} ${e.kind.toUpperCase()} ${render(e.right, d, params)})`
    case 'isNull':
      return `${readUntyped(e.field, d, params)} IS ${e.negated ? 'NOT ' : ''}NULL`
    case 'compare':
      if (e.field.type === 'KeywordList') {
        return listContains(e.field, [e.value], e.op === '!=', d, params)
      }
      if (e.field.type === 'Text') {
        const match = `${TEXT_MATCH_FUNCTION}(${readUntyped(e.field, d, params)}, ?)`
        params.push(d.bind(e.value))
        return e.op === '!=' ? `NOT ${match}` : match
      }
      return `${read(e.field, d, params)} ${e.op} ${placeholder(e.value)}`
    case 'in': {
      if (e.field.type === 'KeywordList') {
        return listContains(e.field, e.values, e.negated, d, params)
      }
      const column = read(e.field, d, params)
      const list = e.values.map(placeholder).join(', ')
      return `${column} ${e.negated ? 'NOT IN' : 'IN'} (${list})`
    }
    case 'between': {
      const column = read(e.field, d, params)
      const low = placeholder(e.low)
      return `${column} ${e.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${low} AND ${placeholder(e.high)}`
    }
    case 'startsWith': {
      // substr counts characters as JS code points do; LIKE would fold ASCII case.
      const column = read(e.field, d, params)
      const prefix = String(e.prefix)
      params.push([...prefix].length, prefix)
      return `substr(${column}, 1, ?) ${e.negated ? '!=' : '='} ?`
    }
  }
}

/**
 * Whether a KeywordList holds any of `values`. Negated, a run without the attribute does not
 * match either, as for every other type's `!=` (SQL's NULL comparison).
 */
function listContains(
  attr: Attribute,
  values: Value[],
  negated: boolean,
  d: DialectSql,
  params: SqlParam[],
): string {
  const present = negated ? `${readUntyped(attr, d, params)} IS NOT NULL AND NOT ` : ''
  const bound = values.map((v) => d.bind(v))
  const exists = d.listHas(attr.name, bound, params)
  return negated ? `(${present}${exists})` : exists
}

/** The attribute's value, typed to compare with its bound values and sort as they do. */
function read(attr: Attribute, d: DialectSql, params: SqlParam[]): string {
  return attr.source === 'column' ? COLUMNS[attr.name] : d.read(attr.name, attr.type, params)
}

/** The attribute's value as stored, NULL when the run does not have it. */
function readUntyped(attr: Attribute, d: DialectSql, params: SqlParam[]): string {
  return attr.source === 'column' ? COLUMNS[attr.name] : d.readUntyped(attr.name, params)
}

/**
 * What the dialects write differently. Each method pushes the parameters of the `?`s it
 * writes, in the order it writes them.
 */
interface DialectSql {
  /** A document attribute's value, typed by `type` for comparisons and ORDER BY. */
  read(name: string, type: SearchAttributeTypeName, params: SqlParam[]): string
  /** A document attribute's value with no conversion that could fail; NULL when absent. */
  readUntyped(name: string, params: SqlParam[]): string
  /** Whether the KeywordList attribute `name` holds one of `values` (false when absent). */
  listHas(name: string, values: SqlParam[], params: SqlParam[]): string
  bind(v: Value): SqlParam
  /**
   * One ORDER BY term. NULLs (runs without the attribute, open runs' CloseTime) sort as SQLite
   * sorts them, below every value, so both stores list runs in the same order.
   */
  orderTerm(sql: string, descending: boolean): string
}

const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ')

const sqlite: DialectSql = {
  // json_extract returns SQL values of the JSON types (numbers, text, 1/0 for booleans), which
  // compare with bound values as they are: no typing needed.
  read: (name, _type, params) => sqlite.readUntyped(name, params),
  readUntyped(name, params) {
    params.push(jsonPath(name))
    return 'json_extract(search_attributes, ?)'
  },
  listHas(name, values, params) {
    params.push(jsonPath(name), ...values)
    return `EXISTS (SELECT 1 FROM json_each(search_attributes, ?) WHERE value IN (${marks(values.length)}))`
  },
  bind: (v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v),
  orderTerm: (sql, descending) => `${sql} ${descending ? 'DESC' : 'ASC'}`,
}

function jsonPath(name: string): string {
  return `$."${name}"`
}

/**
 * `->>` yields text, so a read is cast to what its type's values compare as: numbers as numeric
 * (exact for every Int, Datetime and Double the document holds), strings in byte order as the
 * text columns are (`COLLATE "C"`, SQLite's BINARY). Text and KeywordList values are never
 * compared or sorted this way (text match, listHas; validate refuses to sort them).
 */
const POSTGRES_TYPED: Readonly<Record<SearchAttributeTypeName, string>> = {
  Keyword: ' COLLATE "C"',
  Text: ' COLLATE "C"',
  KeywordList: ' COLLATE "C"',
  Int: '::numeric',
  Double: '::numeric',
  Datetime: '::numeric',
  Bool: '::boolean',
}

const postgres: DialectSql = {
  read(name, type, params) {
    params.push(name)
    return `((search_attributes ->> ?)${POSTGRES_TYPED[type]})`
  },
  readUntyped(name, params) {
    params.push(name)
    return '(search_attributes ->> ?)'
  },
  listHas(name, values, params) {
    params.push(name, ...values)
    // Lax `$[*]` passes a list through and makes a single value a list of one, as SQLite's
    // json_each reads it, where jsonb_array_elements_text would fail the whole query.
    const elements = `jsonb_array_elements_text(jsonb_path_query_array(search_attributes -> ?, 'lax $[*]'))`
    return `EXISTS (SELECT 1 FROM ${elements} AS e(v) WHERE e.v IN (${marks(values.length)}))`
  },
  bind: (v) => v,
  // PostgreSQL's NULLs sort above every value by default.
  orderTerm: (sql, descending) => `${sql} ${descending ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`,
}

const DIALECTS: Readonly<Record<QueryDialect, DialectSql>> = { sqlite, postgres }
