/**
 * Visibility on SQLite: list and count queries over `executions_visibility` (built in
 * sql/visibility-queries.ts), whose rows run writes keep in step (see SqliteExecutionStore), and
 * the namespaces' custom search attributes. Text matches call a function this store registers on
 * the connection.
 */
import type Database from 'better-sqlite3'
import { TEXT_MATCH_FUNCTION, textMatches } from '../../visibility/query/index.js'
import { sqliteDialect } from '../sql/dialect.js'
import { toAttributeRecord, type AttributeRow } from '../sql/rows.js'
import { statements } from '../sql/statements.js'
import { countQuery, listQuery, type VisibilityTuple } from '../sql/visibility-queries.js'
import type {
  CountWorkflowExecutionsRequest,
  ListWorkflowExecutionsRequest,
  SearchAttributeRecord,
  VisibilityPage,
  VisibilityStore,
} from '../store.js'
import { settle } from './settle.js'

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
      const q = listQuery(sqliteDialect, req)
      return q.page(this.#statement(q.sql, true).all(...q.params) as VisibilityTuple[])
    })
  }

  countWorkflowExecutions(
    req: CountWorkflowExecutionsRequest,
  ): Promise<{ count: number; groups?: { status: number; count: number }[] }> {
    return settle(this.#db, () => {
      const q = countQuery(sqliteDialect, req)
      if (!q.grouped) {
        return { count: (this.#statement(q.sql).get(...q.params) as { n: number }).n }
      }
      const rows = this.#statement(q.sql).all(...q.params) as { status: number; n: number }[]
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
      ).map(toAttributeRecord),
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

function prepare(db: Database.Database) {
  const { visibility } = statements(sqliteDialect)
  return {
    listAttributes: db.prepare<{ namespaceId: string }, AttributeRow>(visibility.listAttributes),
    listAllAttributes: db.prepare<[], AttributeRow>(visibility.listAllAttributes),
    addAttribute: db.prepare<SearchAttributeRecord, void>(visibility.addAttribute),
    removeAttribute: db.prepare<{ namespaceId: string; name: string }, void>(
      visibility.removeAttribute,
    ),
  }
}
