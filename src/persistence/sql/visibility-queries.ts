/**
 * List and count queries over `executions_visibility`, built once for both stores. A query's text
 * never reaches SQL: the visibility compiler turns it into a WHERE clause of our own column
 * expressions with every user value bound as a parameter. The SQL uses `?` placeholders, which
 * the PostgreSQL store numbers.
 *
 * Paging: in the default order (open runs first, newest start first, then closed runs by close
 * time) a page token holds the last row's sort key, so pages neither repeat nor skip rows while
 * other runs start and close. A query with its own ORDER BY pages by offset.
 */
import { InvalidArgumentError } from '../../common/errors.js'
import { compileVisibilityQuery, type SqlParam } from '../../visibility/query/index.js'
import type { SearchAttributeTypeName } from '../../visibility/search-attributes.js'
import { typeName } from '../../visibility/values.js'
import type {
  CountWorkflowExecutionsRequest,
  ListWorkflowExecutionsRequest,
  VisibilityRecord,
} from '../store.js'
import type { SqlDialect } from './dialect.js'
import { bytes, checkLimit } from './rows.js'
import { visibilityColumns } from './statements.js'

/**
 * A row as both drivers return it in array mode, in the order of `visibilityColumns`: a list
 * page builds up to a thousand rows, and arrays cost half of what objects keyed by column do.
 */
export type VisibilityTuple = [
  namespaceId: string,
  runId: string,
  workflowId: string,
  workflowType: string,
  taskQueue: string,
  status: number,
  startTime: number,
  executionTime: number,
  closeTime: number | null,
  historyLength: number,
  historySizeBytes: number,
  stateTransitionCount: number,
  parentWorkflowId: string | null,
  parentRunId: string | null,
  rootWorkflowId: string,
  rootRunId: string,
  searchAttributes: string,
  searchAttributePayloads: Uint8Array | null,
  memo: Uint8Array | null,
]

/** Where a page ended: the default order's sort key of its last row, or an offset. */
type PageToken = { closeKey: number; startTime: number; runId: string } | { offset: number }

/**
 * Open runs sort as if they closed at the end of time: the last millisecond a JS Date holds, a
 * value doubles hold exactly (page tokens carry it as a number). The indexes on this expression
 * (both stores' migrations) spell the same constant, or the planner would not use them.
 */
const OPEN_CLOSE_KEY = '8640000000000000'
const closeKeyExpr = `coalesce(close_time, ${OPEN_CLOSE_KEY})`
const defaultOrder = `${closeKeyExpr} DESC, start_time DESC, run_id`
const afterDefaultKey =
  `(${closeKeyExpr} < ? OR (${closeKeyExpr} = ? AND ` +
  '(start_time < ? OR (start_time = ? AND run_id > ?))))'

/** A list query ready to run, and how to make the next page's token from its rows. */
export interface ListQuery {
  sql: string
  params: SqlParam[]
  /** Turns the rows (at most pageSize + 1) into the page. */
  page(rows: VisibilityTuple[]): { records: VisibilityRecord[]; nextPageToken: Uint8Array }
}

export function listQuery(dialect: SqlDialect, req: ListWorkflowExecutionsRequest): ListQuery {
  checkLimit('pageSize', req.pageSize)
  const compiled = compileVisibilityQuery(
    req.query,
    attributeTypes(req.customAttributes),
    'list',
    dialect.name,
  )
  const token = decodePageToken(req.pageToken)
  const params: SqlParam[] = [req.namespaceId, ...compiled.params]
  let sql = `SELECT ${visibilityColumns} FROM executions_visibility WHERE namespace_id = ?`
  if (compiled.where) sql += ` AND (${compiled.where})`
  let offset = 0
  if (compiled.order === 'default') {
    if (token && 'offset' in token) throw invalidToken()
    if (token) {
      sql += ` AND ${afterDefaultKey}`
      const { closeKey, startTime, runId } = token
      params.push(closeKey, closeKey, startTime, startTime, runId)
    }
    sql += ` ORDER BY ${defaultOrder}`
  } else {
    if (token && !('offset' in token)) throw invalidToken()
    offset = token?.offset ?? 0
    sql += ` ORDER BY ${compiled.order.sql}, run_id`
    params.push(...compiled.order.params)
  }
  sql += ' LIMIT ? OFFSET ?'
  params.push(req.pageSize + 1, offset)
  const defaultOrdered = compiled.order === 'default'

  return {
    sql,
    params,
    page(rows) {
      const more = rows.length > req.pageSize
      const records = rows.slice(0, req.pageSize).map(toRecord)
      const last = records[records.length - 1]
      let next: PageToken | undefined
      if (more && last) {
        next = defaultOrdered
          ? {
              closeKey: last.closeTime || Number(OPEN_CLOSE_KEY),
              startTime: last.startTime,
              runId: last.runId,
            }
          : { offset: offset + records.length }
      }
      return { records, nextPageToken: encodePageToken(next) }
    },
  }
}

/** A count query; with `grouped`, rows are `(status, n)` ordered by count. */
export function countQuery(
  dialect: SqlDialect,
  req: CountWorkflowExecutionsRequest,
): { sql: string; params: SqlParam[]; grouped: boolean } {
  const compiled = compileVisibilityQuery(
    req.query,
    attributeTypes(req.customAttributes),
    'count',
    dialect.name,
  )
  const where = compiled.where ? ` AND (${compiled.where})` : ''
  const params = [req.namespaceId, ...compiled.params]
  if (!compiled.groupByStatus) {
    return {
      sql: `SELECT count(*) AS n FROM executions_visibility WHERE namespace_id = ?${where}`,
      params,
      grouped: false,
    }
  }
  return {
    sql:
      'SELECT status, count(*) AS n FROM executions_visibility ' +
      `WHERE namespace_id = ?${where} GROUP BY status ORDER BY n DESC, status`,
    params,
    grouped: true,
  }
}

/** Row values for the upsert: NULL close time and duration while open; duration in ns. */
export function visibilityParams(v: VisibilityRecord) {
  const closed = v.closeTime > 0
  return {
    ...v,
    closeTime: closed ? v.closeTime : null,
    executionDuration: closed ? Math.max(0, v.closeTime - v.executionTime) * 1_000_000 : null,
    parentWorkflowId: v.parentWorkflowId ?? null,
    parentRunId: v.parentRunId ?? null,
    searchAttributePayloads: v.searchAttributePayloads ?? null,
    memo: v.memo ?? null,
  }
}

/** The compiler names types as Temporal writes them ("Keyword", "Datetime", ...). */
function attributeTypes(custom: ReadonlyMap<string, number>): Map<string, SearchAttributeTypeName> {
  const out = new Map<string, SearchAttributeTypeName>()
  for (const [name, type] of custom) {
    const typeText = typeName(type)
    if (typeText !== 'Unspecified') out.set(name, typeText)
  }
  return out
}

function toRecord(t: VisibilityTuple): VisibilityRecord {
  const record: VisibilityRecord = {
    namespaceId: t[0],
    runId: t[1],
    workflowId: t[2],
    workflowType: t[3],
    taskQueue: t[4],
    status: t[5],
    startTime: t[6],
    executionTime: t[7],
    closeTime: t[8] ?? 0,
    historyLength: t[9],
    historySizeBytes: t[10],
    stateTransitionCount: t[11],
    rootWorkflowId: t[14],
    rootRunId: t[15],
    searchAttributes: t[16],
  }
  // Optional fields are absent, not undefined, so records compare equal to what was written.
  if (t[12] !== null) record.parentWorkflowId = t[12]
  if (t[13] !== null) record.parentRunId = t[13]
  if (t[17]) record.searchAttributePayloads = bytes(t[17])
  if (t[18]) record.memo = bytes(t[18])
  return record
}

function invalidToken(): InvalidArgumentError {
  return new InvalidArgumentError('invalid next page token')
}

function encodePageToken(t: PageToken | undefined): Uint8Array {
  return t ? Buffer.from(JSON.stringify(t)) : new Uint8Array(0)
}

function decodePageToken(raw: Uint8Array | undefined): PageToken | undefined {
  if (!raw || raw.length === 0) return undefined
  let t: unknown
  try {
    t = JSON.parse(Buffer.from(raw).toString('utf8'))
  } catch {
    throw invalidToken()
  }
  if (typeof t === 'object' && t !== null) {
    const o = t as Record<string, unknown>
    if (Number.isSafeInteger(o.offset) && (o.offset as number) >= 0) {
      return { offset: o.offset as number }
    }
    if (
      typeof o.closeKey === 'number' &&
      Number.isSafeInteger(o.startTime) &&
      typeof o.runId === 'string'
    ) {
      return { closeKey: o.closeKey, startTime: o.startTime as number, runId: o.runId }
    }
  }
  throw invalidToken()
}
