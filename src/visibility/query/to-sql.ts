/**
 * Renders a checked query as SQL over the `executions_visibility` row: system attributes are its
 * columns, other attributes are read from its `search_attributes` JSON document. The SQL text
 * holds only our own column names and operators; every value, and every attribute's JSON path,
 * is a bound parameter.
 *
 * The SQL is SQLite's (json_extract, json_each, and the `sundial_text_match` function the store
 * registers for Text matches); a PostgreSQL store swaps those three for its own.
 */
import type { SystemColumnAttribute } from '../search-attributes.js'
import type { Attribute, CheckedExpr, CheckedQuery, Value } from './validate.js'

/** What better-sqlite3 and pg bind: booleans travel as 1 and 0. */
export type SqlParam = string | number

/** A piece of SQL and the values of its placeholders, in order. */
export interface SqlFragment {
  sql: string
  params: SqlParam[]
}

/** Registered on the connection by the store; see text-match.ts. */
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

export function whereSql(expr: CheckedExpr): SqlFragment {
  const params: SqlParam[] = []
  const sql = render(expr, params)
  return { sql, params }
}

export function orderSql(order: CheckedQuery['orderBy']): SqlFragment {
  const params: SqlParam[] = []
  const sql = order
    .map((t) => `${attribute(t.attr, params)} ${t.descending ? 'DESC' : 'ASC'}`)
    .join(', ')
  return { sql, params }
}

function render(e: CheckedExpr, params: SqlParam[]): string {
  switch (e.kind) {
    case 'and':
    case 'or':
      return `(${render(e.left, params)} ${e.kind.toUpperCase()} ${render(e.right, params)})`
    case 'isNull':
      return `${attribute(e.field, params)} IS ${e.negated ? 'NOT ' : ''}NULL`
    case 'compare':
      if (e.field.type === 'KeywordList')
        return listContains(e.field, [e.value], e.op === '!=', params)
      if (e.field.type === 'Text') {
        const match = `${TEXT_MATCH_FUNCTION}(${attribute(e.field, params)}, ?)`
        params.push(bind(e.value))
        return e.op === '!=' ? `NOT ${match}` : match
      }
      return `${attribute(e.field, params)} ${e.op} ${placeholder(e.value, params)}`
    case 'in': {
      if (e.field.type === 'KeywordList') return listContains(e.field, e.values, e.negated, params)
      const column = attribute(e.field, params)
      const list = e.values.map((v) => placeholder(v, params)).join(', ')
      return `${column} ${e.negated ? 'NOT IN' : 'IN'} (${list})`
    }
    case 'between': {
      const column = attribute(e.field, params)
      const low = placeholder(e.low, params)
      return `${column} ${e.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${low} AND ${placeholder(e.high, params)}`
    }
    case 'startsWith': {
      // substr counts characters as JS code points do; LIKE would fold ASCII case.
      const column = attribute(e.field, params)
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
  params: SqlParam[],
): string {
  const path = jsonPath(attr.name)
  const list = values.map(() => '?').join(', ')
  const exists = `EXISTS (SELECT 1 FROM json_each(search_attributes, ?) WHERE value IN (${list}))`
  if (negated) params.push(path)
  params.push(path, ...values.map(bind))
  return negated ? `(json_extract(search_attributes, ?) IS NOT NULL AND NOT ${exists})` : exists
}

function attribute(attr: Attribute, params: SqlParam[]): string {
  if (attr.source === 'column') return COLUMNS[attr.name]
  params.push(jsonPath(attr.name))
  return 'json_extract(search_attributes, ?)'
}

function jsonPath(name: string): string {
  return `$."${name}"`
}

function placeholder(v: Value, params: SqlParam[]): string {
  params.push(bind(v))
  return '?'
}

function bind(v: Value): SqlParam {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v
}
