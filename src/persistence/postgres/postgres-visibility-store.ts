/**
 * Visibility on PostgreSQL: list and count queries over `executions_visibility` (built in
 * sql/visibility-queries.ts, with the compiler's PostgreSQL renderings: jsonb reads and the
 * `sundial_text_match` function migration 2 creates), and the custom search attributes.
 */
import { numberPositional, postgresDialect } from '../sql/dialect.js'
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
import type { PostgresDatabase } from './postgres-database.js'

export class PostgresVisibilityStore implements VisibilityStore {
  readonly #db: PostgresDatabase
  readonly #s: ReturnType<typeof prepare>

  constructor(db: PostgresDatabase) {
    this.#db = db
    this.#s = prepare(db)
  }

  async listWorkflowExecutions(req: ListWorkflowExecutionsRequest): Promise<VisibilityPage> {
    const q = listQuery(postgresDialect, req)
    const { rows } = await this.#db.runDynamic(numberPositional(q.sql), q.params, 'array')
    return q.page(rows as VisibilityTuple[])
  }

  async countWorkflowExecutions(
    req: CountWorkflowExecutionsRequest,
  ): Promise<{ count: number; groups?: { status: number; count: number }[] }> {
    const q = countQuery(postgresDialect, req)
    const { rows } = await this.#db.runDynamic(numberPositional(q.sql), q.params)
    const counted = rows as { status: number; n: number }[]
    if (!q.grouped) return { count: counted[0]?.n ?? 0 }
    return {
      count: counted.reduce((sum, r) => sum + r.n, 0),
      groups: counted.map((r) => ({ status: r.status, count: r.n })),
    }
  }

  async listSearchAttributes(req: { namespaceId?: string }): Promise<{
    attributes: SearchAttributeRecord[]
  }> {
    const { rows } =
      req.namespaceId === undefined
        ? await this.#db.run(this.#s.listAllAttributes)
        : await this.#db.run(this.#s.listAttributes, { namespaceId: req.namespaceId })
    return {
      attributes: (rows as AttributeRow[]).map(toAttributeRecord),
    }
  }

  async addSearchAttributes(req: { attributes: SearchAttributeRecord[] }): Promise<void> {
    await this.#db.transaction(async (tx) => {
      for (const a of req.attributes) await tx.run(this.#s.addAttribute, a)
    })
  }

  async removeSearchAttributes(req: { namespaceId: string; names: string[] }): Promise<void> {
    await this.#db.transaction(async (tx) => {
      for (const name of req.names) {
        await tx.run(this.#s.removeAttribute, { namespaceId: req.namespaceId, name })
      }
    })
  }
}

function prepare(db: PostgresDatabase) {
  const { visibility } = statements(postgresDialect)
  return {
    listAttributes: db.prepare(visibility.listAttributes),
    listAllAttributes: db.prepare(visibility.listAllAttributes),
    addAttribute: db.prepare(visibility.addAttribute),
    removeAttribute: db.prepare(visibility.removeAttribute),
  }
}
