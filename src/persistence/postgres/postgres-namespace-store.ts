/** Namespaces on PostgreSQL. Writes are single statements, or one transaction. */
import pg from 'pg'
import { ConditionFailedError, NamespaceAlreadyExistsConflictError } from '../errors.js'
import { postgresDialect } from '../sql/dialect.js'
import { checkLimit, toNamespaceRecord, type NamespaceRow } from '../sql/rows.js'
import { statements } from '../sql/statements.js'
import type { NamespaceRecord, NamespaceStore } from '../store.js'
import type { PostgresDatabase } from './postgres-database.js'

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder('utf-8', { fatal: true })

export class PostgresNamespaceStore implements NamespaceStore {
  readonly #db: PostgresDatabase
  readonly #s: ReturnType<typeof prepare>

  constructor(db: PostgresDatabase) {
    this.#db = db
    this.#s = prepare(db)
  }

  async createNamespace(req: { namespace: NamespaceRecord }): Promise<void> {
    // DO NOTHING without a conflict target covers both the id and the unique name.
    if ((await this.#db.run(this.#s.insert, req.namespace)).rowCount === 0) {
      throw new NamespaceAlreadyExistsConflictError(
        `namespace ${req.namespace.name} (id ${req.namespace.id}) conflicts with an existing one`,
      )
    }
  }

  async getNamespace(req: {
    name?: string
    id?: string
  }): Promise<{ namespace: NamespaceRecord | undefined }> {
    let row: NamespaceRow | undefined
    if (req.id !== undefined) {
      row = (await this.#db.run(this.#s.byId, { id: req.id })).rows[0] as NamespaceRow | undefined
      // Given both, both must match: a caller holding a stale id for a name must not get
      // another namespace's record.
      if (req.name !== undefined && row?.name !== req.name) row = undefined
    } else if (req.name !== undefined) {
      row = (await this.#db.run(this.#s.byName, { name: req.name })).rows[0] as
        NamespaceRow | undefined
    } else {
      throw new RangeError('getNamespace needs a name or an id')
    }
    return { namespace: row && toNamespaceRecord(row) }
  }

  /** The page token is the UTF-8 of the last name returned; pages resume strictly after it. */
  async listNamespaces(req: { pageSize: number; pageToken?: Uint8Array }): Promise<{
    namespaces: NamespaceRecord[]
    nextPageToken: Uint8Array
  }> {
    checkLimit('pageSize', req.pageSize)
    const after = req.pageToken?.length ? fromUtf8.decode(req.pageToken) : undefined
    // One extra row tells whether another page exists, so the last page has an empty token.
    const limit = req.pageSize + 1
    const { rows } =
      after === undefined
        ? await this.#db.run(this.#s.listFirst, { limit })
        : await this.#db.run(this.#s.listAfter, { after, limit })
    const page = (rows as NamespaceRow[]).slice(0, req.pageSize)
    const last = page.at(-1)
    const more = rows.length > req.pageSize && last !== undefined
    return {
      namespaces: page.map(toNamespaceRecord),
      nextPageToken: more ? utf8.encode(last.name) : new Uint8Array(0),
    }
  }

  async updateNamespace(req: {
    namespace: NamespaceRecord
    expectedNotificationVersion: number
  }): Promise<void> {
    const ns = req.namespace
    let changes: number | null
    try {
      changes = (
        await this.#db.run(this.#s.update, { ...ns, expected: req.expectedNotificationVersion })
      ).rowCount
    } catch (e: unknown) {
      // Only a rename onto a taken name can violate a constraint here.
      if (e instanceof pg.DatabaseError && e.code === UNIQUE_VIOLATION) {
        throw new NamespaceAlreadyExistsConflictError(`namespace name ${ns.name} is taken`)
      }
      throw e
    }
    if (changes === 0) {
      throw new ConditionFailedError(
        `namespace ${ns.id} is not at notification version ${req.expectedNotificationVersion}`,
      )
    }
  }

  deleteNamespace(req: { id: string }): Promise<void> {
    return this.#db.transaction(async (tx) => {
      await tx.run(this.#s.deleteSearchAttributes, req)
      await tx.run(this.#s.delete, req)
    })
  }
}

/** SQLSTATE unique_violation. */
const UNIQUE_VIOLATION = '23505'

function prepare(db: PostgresDatabase) {
  const { namespaces } = statements(postgresDialect)
  return {
    insert: db.prepare(namespaces.insert),
    byId: db.prepare(namespaces.byId),
    byName: db.prepare(namespaces.byName),
    listFirst: db.prepare(namespaces.listFirst),
    listAfter: db.prepare(namespaces.listAfter),
    delete: db.prepare(namespaces.delete),
    deleteSearchAttributes: db.prepare(namespaces.deleteSearchAttributes),
    update: db.prepare(namespaces.update),
  }
}
