import assert from 'node:assert/strict'
import { test } from 'node:test'
import Database from 'better-sqlite3'
import { StoreUnavailableError } from '../errors.js'
import { SqliteGroupCommit } from './sqlite-group-commit.js'

/** A group commit inserting `item.id` into `t`, with hooks to fail in chosen ways. */
function setup(apply?: (db: Database.Database, id: number) => void) {
  const db = new Database(':memory:')
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY);
           CREATE TABLE parent (id INTEGER PRIMARY KEY);
           CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`)
  const insert = db.prepare<[number], void>('INSERT INTO t (id) VALUES (?)')
  const groups: number[] = []
  const commit = new SqliteGroupCommit<number>({
    db,
    apply: (id) => {
      insert.run(id)
      apply?.(db, id)
    },
    maxGroupSize: 100,
    onGroupCommit: (n) => groups.push(n),
  })
  const ids = () => db.prepare<[], number>('SELECT id FROM t ORDER BY id').pluck().all()
  return { db, commit, groups, ids }
}

test('a call that throws is rolled back alone; the rest of its group commits', async () => {
  const { db, commit, groups, ids } = setup((_, id) => {
    if (id === 2) throw new Error('bad item')
  })
  const results = await Promise.allSettled([1, 2, 3].map((id) => commit.submit(id)))
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  )
  assert.deepEqual(ids(), [1, 3])
  assert.deepEqual(groups, [3])
  db.close()
})

test('a failure that ends the whole transaction fails the whole group', async () => {
  // Stands in for SQLITE_FULL or an I/O error, after which SQLite may roll everything back.
  const { db, commit, groups, ids } = setup((db, id) => {
    if (id === 2) {
      db.exec('ROLLBACK')
      throw new Error('transaction lost')
    }
  })
  const results = await Promise.allSettled([1, 2, 3].map((id) => commit.submit(id)))
  const reasons = results.map((r) => (r.status === 'rejected' ? ensureMessage(r.reason) : 'ok'))
  assert.deepEqual(reasons, [
    'the group transaction was rolled back',
    'transaction lost',
    'the group transaction was rolled back',
  ])
  const first = results[0]
  assert.ok(first?.status === 'rejected' && first.reason instanceof StoreUnavailableError)
  assert.deepEqual(ids(), [], 'item 3 must not have run outside the transaction')
  assert.deepEqual(groups, [])
  db.close()
})

test('a failing COMMIT rejects every call of the group', async () => {
  const { db, commit, ids } = setup((db, id) => {
    if (id === 2) db.prepare('INSERT INTO child (parent_id) VALUES (42)').run()
  })
  db.pragma('foreign_keys = ON')
  const results = await Promise.allSettled([1, 2, 3].map((id) => commit.submit(id)))
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected', 'rejected'],
  )
  assert.equal(db.inTransaction, false)
  assert.deepEqual(ids(), [])
  // The next group is unaffected.
  await commit.submit(4)
  assert.deepEqual(ids(), [4])
  db.close()
})

test('close commits what is queued and refuses later calls', async () => {
  const { db, commit, ids } = setup()
  const pending = Promise.allSettled([commit.submit(1), commit.submit(2)])
  commit.close()
  assert.deepEqual(ids(), [1, 2])
  assert.deepEqual(
    (await pending).map((r) => r.status),
    ['fulfilled', 'fulfilled'],
  )
  await assert.rejects(commit.submit(3), StoreUnavailableError)
  db.close()
})

function ensureMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
