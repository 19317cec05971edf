/** Namespaces on SQLite. Writes are single statements (or one transaction) in autocommit mode. */
import type Database from 'better-sqlite3'
import { ConditionFailedError, NamespaceAlreadyExistsConflictError } from '../errors.js'
import type { NamespaceRecord, NamespaceStore } from '../store.js'
import { checkLimit, settle } from './settle.js'

interface NamespaceRow {
  id: string
  name: string
  notification_version: number
  data: string
}

const columns = 'id, name, notification_version, data'
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
        row = this.#s.byId.get(req.id)
        // Given both, both must match: a caller holding a stale id for a name must not get
        // another namespace's record.
        if (req.name !== undefined && row?.name !== req.name) row = undefined
      } else if (req.name !== undefined) {
        row = this.#s.byName.get(req.name)
      } else {
        throw new RangeError('getNamespace needs a name or an id')
      }
      return { namespace: row && toRecord(row) }
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
        after === undefined ? this.#s.listFirst.all(limit) : this.#s.listAfter.all(after, limit)
      const page = rows.slice(0, req.pageSize)
      const last = page.at(-1)
      const more = rows.length > req.pageSize && last !== undefined
      return {
        namespaces: page.map(toRecord),
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
        this.#s.deleteSearchAttributes.run(req.id)
        this.#s.delete.run(req.id)
      })()
    })
  }
}

function isUniqueViolation(e: unknown): boolean {
  return e instanceof Error && 'code' in e && e.code === 'SQLITE_CONSTRAINT_UNIQUE'
}

function toRecord(row: NamespaceRow): NamespaceRecord {
  return {
    id: row.id,
    name: row.name,
    notificationVersion: row.notification_version,
    data: row.data,
  }
}

function prepare(db: Database.Database) {
  return {
    insert: db.prepare<NamespaceRecord, void>(
      `INSERT INTO namespaces (id, name, notification_version, data)
       VALUES (@id, @name, @notificationVersion, @data)
       ON CONFLICT DO NOTHING`,
    ),
    byId: db.prepare<[string], NamespaceRow>(`SELECT ${columns} FROM namespaces WHERE id = ?`),
    byName: db.prepare<[string], NamespaceRow>(`SELECT ${columns} FROM namespaces WHERE name = ?`),
    listFirst: db.prepare<[number], NamespaceRow>(
      `SELECT ${columns} FROM namespaces ORDER BY name LIMIT ?`,
    ),
    listAfter: db.prepare<[string, number], NamespaceRow>(
      `SELECT ${columns} FROM namespaces WHERE name > ? ORDER BY name LIMIT ?`,
    ),
    delete: db.prepare<[string], void>('DELETE FROM namespaces WHERE id = ?'),
    deleteSearchAttributes: db.prepare<[string], void>(
      'DELETE FROM custom_search_attributes WHERE namespace_id = ?',
    ),
    update: db.prepare<NamespaceRecord & { expected: number }, void>(
      `UPDATE namespaces SET name = @name, notification_version = @notificationVersion,
         data = @data
       WHERE id = @id AND notification_version = @expected`,
    ),
  }
}
