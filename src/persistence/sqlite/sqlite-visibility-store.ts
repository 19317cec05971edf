/**
 * Visibility on SQLite: list and count queries over `executions_visibility`, whose rows run
 * writes keep in step (see SqliteExecutionStore), and the namespaces' custom search attributes.
 *
 * A query's text never reaches SQL: the visibility compiler turns it into a WHERE clause of our
 * own column expressions with every user value bound as a parameter.
 *
 * Paging: in the default order (open runs first, newest start first, then closed runs by close
 * time) a page token holds the last row's sort key, so pages neither repeat nor skip rows while
 * other runs start and close. A query with its own ORDER BY pages by offset.
 */
import type Database from 'better-sqlite3'
import { InvalidArgumentError } from '../../common/errors.js'
import {
  compileVisibilityQuery,
  TEXT_MATCH_FUNCTION,
  textMatches,
  type SqlParam,
} from '../../visibility/query/index.js'
import type { SearchAttributeTypeName } from '../../visibility/search-attributes.js'
import { typeName } from '../../visibility/values.js'
import type {
  CountWorkflowExecutionsRequest,
  ListWorkflowExecutionsRequest,
  SearchAttributeRecord,
  VisibilityPage,
  VisibilityRecord,
  VisibilityStore,
} from '../store.js'
import { bytes, checkLimit, settle } from './settle.js'

/**
 * A row as better-sqlite3 returns it in raw mode, in the order of `columns`: a list page builds
 * up to a thousand rows, and arrays cost half of what objects keyed by column name do.
 */
type VisibilityTuple = [
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
  searchAttributePayloads: Buffer | null,
  memo: Buffer | null,
]

interface AttributeRow {
  namespace_id: string
  name: string
  type: number
}

/** Where a page ended: the default order's sort key of its last row, or an offset. */
type PageToken = { closeKey: number; startTime: number; runId: string } | { offset: number }

/**
 * Open runs sort as if they closed at the end of time: the last millisecond a JS Date holds, a
 * value doubles hold exactly (page tokens carry it as a number). The index on this expression
 * (migration 2) spells the same constant, or SQLite would not use it.
 */
const OPEN_CLOSE_KEY = '8640000000000000'
const closeKeyExpr = `coalesce(close_time, ${OPEN_CLOSE_KEY})`
const defaultOrder = `${closeKeyExpr} DESC, start_time DESC, run_id`
const afterDefaultKey =
  `(${closeKeyExpr} < ? OR (${closeKeyExpr} = ? AND ` +
  '(start_time < ? OR (start_time = ? AND run_id > ?))))'

const columns = `namespace_id, run_id, workflow_id, workflow_type, task_queue, status, start_time,
  execution_time, close_time, history_length, history_size_bytes, state_transition_count,
  parent_workflow_id, parent_run_id, root_workflow_id, root_run_id, search_attributes,
  search_attribute_payloads, memo`

/** Statements built from compiled queries, by SQL text; the set of shapes users send is small. */
const STATEMENT_CACHE_SIZE = 200

export class SqliteVisibilityStore implements VisibilityStore {
  readonly #db: Database.Database
  readonly #statements = new Map<string, Database.Statement>()
  readonly #s: ReturnType<typeof prepare>

  constructor(db: Database.Database) {
    this.#db = db
    this.#s = prepare(db)
    db.function(TEXT_MATCH_FUNCTION, { deterministic: true }, (text: unknown, query: unknown) =>
      typeof text === 'string' && typeof query === 'string'
        ? Number(textMatches(text, query))
        : null,
    )
  }

  listWorkflowExecutions(req: ListWorkflowExecutionsRequest): Promise<VisibilityPage> {
    return settle(this.#db, () => {
      checkLimit('pageSize', req.pageSize)
      const compiled = compileVisibilityQuery(
        req.query,
        attributeTypes(req.customAttributes),
        'list',
      )
      const token = decodePageToken(req.pageToken)
      const params: SqlParam[] = [req.namespaceId, ...compiled.params]
      let sql = `SELECT ${columns} FROM executions_visibility WHERE namespace_id = ?`
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
      const rows = this.#statement(sql, true).all(...params) as VisibilityTuple[]
      const more = rows.length > req.pageSize
      const page = rows.slice(0, req.pageSize)
      const records = page.map(toRecord)
      const last = records[records.length - 1]
      let next: PageToken | undefined
      if (more && last) {
        next =
          compiled.order === 'default'
            ? {
                closeKey: last.closeTime || Number(OPEN_CLOSE_KEY),
                startTime: last.startTime,
                runId: last.runId,
              }
            : { offset: offset + page.length }
      }
      return { records, nextPageToken: encodePageToken(next) }
    })
  }

  countWorkflowExecutions(
    req: CountWorkflowExecutionsRequest,
  ): Promise<{ count: number; groups?: { status: number; count: number }[] }> {
    return settle(this.#db, () => {
      const compiled = compileVisibilityQuery(
        req.query,
        attributeTypes(req.customAttributes),
        'count',
      )
      const where = compiled.where ? ` AND (${compiled.where})` : ''
      const params = [req.namespaceId, ...compiled.params]
      if (!compiled.groupByStatus) {
        const sql = `SELECT count(*) AS n FROM executions_visibility WHERE namespace_id = ?${where}`
        const row = this.#statement(sql).get(...params) as { n: number }
        return { count: row.n }
      }
      const sql =
        'SELECT status, count(*) AS n FROM executions_visibility ' +
        `WHERE namespace_id = ?${where} GROUP BY status ORDER BY n DESC, status`
      const rows = this.#statement(sql).all(...params) as { status: number; n: number }[]
      return {
        count: rows.reduce((sum, r) => sum + r.n, 0),
        groups: rows.map((r) => ({ status: r.status, count: r.n })),
      }
    })
  }

  listSearchAttributes(req: { namespaceId?: string }): Promise<{
    attributes: SearchAttributeRecord[]
  }> {
    return settle(this.#db, () => ({
      attributes: (req.namespaceId === undefined
        ? this.#s.listAllAttributes.all()
        : this.#s.listAttributes.all({ namespaceId: req.namespaceId })
      ).map((r) => ({ namespaceId: r.namespace_id, name: r.name, type: r.type })),
    }))
  }

  addSearchAttributes(req: { attributes: SearchAttributeRecord[] }): Promise<void> {
    return settle(this.#db, () => {
      this.#db.transaction(() => req.attributes.forEach((a) => this.#s.addAttribute.run(a)))()
    })
  }

  removeSearchAttributes(req: { namespaceId: string; names: string[] }): Promise<void> {
    return settle(this.#db, () => {
      this.#db.transaction(() =>
        req.names.forEach((name) =>
          this.#s.removeAttribute.run({ namespaceId: req.namespaceId, name }),
        ),
      )()
    })
  }

  /** `raw`: rows as arrays (list queries); statements are cached by SQL, which fixes the mode. */
  #statement(sql: string, raw = false): Database.Statement {
    let stmt = this.#statements.get(sql)
    if (!stmt) {
      stmt = this.#db.prepare(sql)
      if (raw) stmt.raw(true)
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.clear()
      this.#statements.set(sql, stmt)
    }
    return stmt
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

function prepare(db: Database.Database) {
  return {
    listAttributes: db.prepare<{ namespaceId: string }, AttributeRow>(
      `SELECT namespace_id, name, type FROM custom_search_attributes
       WHERE namespace_id = @namespaceId ORDER BY name`,
    ),
    listAllAttributes: db.prepare<[], AttributeRow>(
      'SELECT namespace_id, name, type FROM custom_search_attributes ORDER BY namespace_id, name',
    ),
    addAttribute: db.prepare<SearchAttributeRecord, void>(
      `INSERT INTO custom_search_attributes (namespace_id, name, type)
       VALUES (@namespaceId, @name, @type) ON CONFLICT DO NOTHING`,
    ),
    removeAttribute: db.prepare<{ namespaceId: string; name: string }, void>(
      'DELETE FROM custom_search_attributes WHERE namespace_id = @namespaceId AND name = @name',
    ),
  }
}
