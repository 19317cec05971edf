/** Namespaces on SQLite. Writes are single statements (or one transaction) in autocommit mode. */
import type Database from 'better-sqlite3'
import { ConditionFailedError, NamespaceAlreadyExistsConflictError } from '../errors.js'
import type { NamespaceRecord, NamespaceStore } from '../store.js'
import { sqliteDialect } from '../sql/dialect.js'
import { checkLimit, toNamespaceRecord, type NamespaceRow } from '../sql/rows.js'
import { statements } from '../sql/statements.js'
import { settle } from './settle.js'

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder('utf-8', { fatal: true })

export class SqliteNamespaceStore implements NamespaceStore {
  readonly #db: Database.Database
  readonly #s: ReturnType<typeof prepare>

  constructor(db: Database.Database) {
    this.#db = db
    this.#s = prepare(db)
  }

  createNamespace(req: { namespace: NamespaceRecord }): Promise<void> {
    return settle(this.#db, () => {
      // DO NOTHING without a conflict target covers both the id and the unique name.
      if (this.#s.insert.run(req.namespace).changes === 0) {
        throw new NamespaceAlreadyExistsConflictError(
          `namespace ${req.namespace.name} (id ${req.namespace.id}) conflicts with an existing one`,
        )
      }
    })
  }

  getNamespace(req: {
    name?: string
    id?: string
  }): Promise<{ namespace: NamespaceRecord | undefined }> {
    return settle(this.#db, () => {
      let row: NamespaceRow | undefined
      if (req.id !== undefined) {
        row = this.#s.byId.get({ id: req.id })
        // Given both, both must match: a caller holding a stale id for a name must not get
        // another namespace's record.
        if (req.name !== undefined && row?.name !== req.name) row = undefined
      } else if (req.name !== undefined) {
        row = this.#s.byName.get({ name: req.name })
      } else {
        throw new RangeError('getNamespace needs a name or an id')
      }
      return { namespace: row && toNamespaceRecord(row) }
    })
  }

  /** The page token is the UTF-8 of the last name returned; pages resume strictly after it. */
  listNamespaces(req: { pageSize: number; pageToken?: Uint8Array }): Promise<{
    namespaces: NamespaceRecord[]
    nextPageToken: Uint8Array
  }> {
    return settle(this.#db, () => {
      checkLimit('pageSize', req.pageSize)
      const after = req.pageToken?.length ? fromUtf8.decode(req.pageToken) : undefined
      // One extra row tells whether another page exists, so the last page has an empty token.
      const limit = req.pageSize + 1
      const rows =
        after === undefined
          ? this.#s.listFirst.all({ limit })
          : this.#s.listAfter.all({ after, limit })
      const page = rows.slice(0, req.pageSize)
      const last = page.at(-1)
      const more = rows.length > req.pageSize && last !== undefined
      return {
        namespaces: page.map(toNamespaceRecord),
        nextPageToken: more ? utf8.encode(last.name) : new Uint8Array(0),
      }
    })
  }

  updateNamespace(req: {
    namespace: NamespaceRecord
    expectedNotificationVersion: number
  }): Promise<void> {
    return settle(this.#db, () => {
      const ns = req.namespace
      let changes: number
      try {
        changes = this.#s.update.run({ ...ns, expected: req.expectedNotificationVersion }).changes
      } catch (e: unknown) {
        // Only a rename onto a taken name can violate a constraint here.
        if (isUniqueViolation(e)) {
          throw new NamespaceAlreadyExistsConflictError(`namespace name ${ns.name} is taken`)
        }
        throw e
      }
      if (changes === 0) {
        throw new ConditionFailedError(
          `namespace ${ns.id} is not at notification version ${req.expectedNotificationVersion}`,
        )
      }
    })
  }

  deleteNamespace(req: { id: string }): Promise<void> {
    return settle(this.#db, () => {
      this.#db.transaction(() => {
        this.#s.deleteSearchAttributes.run(req)
        this.#s.delete.run(req)
      })()
    })
  }
}

function isUniqueViolation(e: unknown): boolean {
  return e instanceof Error && 'code' in e && e.code === 'SQLITE_CONSTRAINT_UNIQUE'
}

function prepare(db: Database.Database) {
  const { namespaces } = statements(sqliteDialect)
  return {
    insert: db.prepare<NamespaceRecord, void>(namespaces.insert),
    byId: db.prepare<{ id: string }, NamespaceRow>(namespaces.byId),
    byName: db.prepare<{ name: string }, NamespaceRow>(namespaces.byName),
    listFirst: db.prepare<{ limit: number }, NamespaceRow>(namespaces.listFirst),
    listAfter: db.prepare<{ after: string; limit: number }, NamespaceRow>(namespaces.listAfter),
    delete: db.prepare<{ id: string }, void>(namespaces.delete),
    deleteSearchAttributes: db.prepare<{ id: string }, void>(namespaces.deleteSearchAttributes),
    update: db.prepare<NamespaceRecord & { expected: number }, void>(namespaces.update),
  }
}
