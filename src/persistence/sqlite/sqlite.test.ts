import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import { runStoreContract } from '../contract.case.test.js'
import {
  checkRangeIdsAfterUpgrade,
  createRun,
  newRunKey,
  readRun,
  write,
  written,
} from '../contract/fixtures.js'
import { SchemaVersionError, StoreUnavailableError } from '../errors.js'
import { appliedVersions, migrate, migrations, schemaStatus } from './migrations.js'
import { SqliteStore } from './sqlite-store.js'

/** Every schema version this build knows, in order. */
const allVersions = migrations.map((m) => m.version)

const dir = mkdtempSync(join(tmpdir(), 'sundial-sqlite-test-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const newFile = () => join(dir, `store-${++files}.db`)

runStoreContract({ name: 'sqlite in memory', newStore: () => Promise.resolve(SqliteStore.open()) })
runStoreContract({
  name: 'sqlite file',
  newStore: () => Promise.resolve(SqliteStore.open({ filename: newFile() })),
})

describe('sqlite store', () => {
  test('migrations run once; reopening a file keeps its data', async () => {
    const filename = newFile()
    const key = newRunKey()
    const create = createRun(key)
    const first = SqliteStore.open({ filename })
    assert.deepEqual(first.migrationsApplied, allVersions)
    await write(first, create)
    await first.cluster.getOrInitMetadata({ key: 'k', value: 'v1' })
    await first.close()

    const second = SqliteStore.open({ filename })
    try {
      assert.deepEqual(second.migrationsApplied, [])
      assert.deepEqual(await readRun(second, key), written(create))
      assert.deepEqual(await second.cluster.getOrInitMetadata({ key: 'k', value: 'v2' }), {
        value: 'v1',
      })
    } finally {
      await second.close()
    }
    const db = new Database(filename, { readonly: true })
    try {
      assert.deepEqual(appliedVersions(db), allVersions)
    } finally {
      db.close()
    }
  })

  test('migrate applies only the missing versions and refuses a newer schema', () => {
    const db = new Database(':memory:')
    try {
      assert.deepEqual(migrate(db, migrations.slice(0, 1)), [1])
      assert.deepEqual(migrate(db), allVersions.slice(1))
      assert.deepEqual(migrate(db), [])
      const next = [
        ...migrations,
        { version: allVersions.length + 1, description: 'test', sql: 'CREATE TABLE t (a)' },
      ]
      assert.deepEqual(migrate(db, next), [allVersions.length + 1])
      assert.deepEqual(appliedVersions(db), [...allVersions, allVersions.length + 1])
      assert.throws(() => migrate(db), /newer than this build knows/)
    } finally {
      db.close()
    }
  })

  test('with migrate: false, a file behind this build is refused until migrated', async () => {
    const filename = newFile()
    const old = new Database(filename)
    migrate(old, migrations.slice(0, 1))
    assert.deepEqual(
      schemaStatus(old).pending.map((m) => m.version),
      allVersions.slice(1),
    )
    old.close()
    assert.throws(
      () => SqliteStore.open({ filename, migrate: false }),
      (e: unknown) =>
        e instanceof SchemaVersionError &&
        e.message.includes(`at version 1, this build needs ${allVersions.length}`),
    )
    await SqliteStore.open({ filename }).close()
    const current = SqliteStore.open({ filename, migrate: false })
    await current.close()
  })

  test('file databases use WAL and synchronous=FULL by default', async () => {
    const store = SqliteStore.open({ filename: newFile() })
    try {
      assert.deepEqual(store.pragmas(), { journalMode: 'wal', synchronous: 2, busyTimeoutMs: 5000 })
    } finally {
      await store.close()
    }
    const normal = SqliteStore.open({ filename: newFile(), synchronous: 'normal' })
    try {
      assert.equal(normal.pragmas().synchronous, 1)
    } finally {
      await normal.close()
    }
  })

  test('in-memory databases keep their memory journal', async () => {
    const store = SqliteStore.open({ filename: ':memory:' })
    assert.equal(store.pragmas().journalMode, 'memory')
    await store.close()
  })

  test('calls made in one turn share a commit, capped at maxGroupSize', async () => {
    const groups: number[] = []
    const store = SqliteStore.open({ maxGroupSize: 4, onGroupCommit: (n) => groups.push(n) })
    try {
      await Promise.all(Array.from({ length: 10 }, () => write(store, createRun(newRunKey()))))
      assert.deepEqual(groups, [4, 4, 2])
      groups.length = 0
      await write(store, createRun(newRunKey()))
      assert.deepEqual(groups, [1])
    } finally {
      await store.close()
    }
  })

  test('a second connection to the file sees committed writes', async () => {
    const filename = newFile()
    const a = SqliteStore.open({ filename })
    const b = SqliteStore.open({ filename })
    try {
      const create = createRun(newRunKey())
      await write(a, create)
      assert.deepEqual(await readRun(b, create.record.key), written(create))
      // `write` acquired shard 1 through `a` (range 1); acquisitions through either connection
      // move the same row.
      assert.deepEqual((await b.cluster.acquireShard({ shardId: 1 })).rangeId, 2)
      assert.deepEqual((await a.cluster.acquireShard({ shardId: 1 })).rangeId, 3)
    } finally {
      await a.close()
      await b.close()
    }
  })

  test('migrating to version 4 starts range ids above those the shards already had', async () => {
    const filename = newFile()
    const old = new Database(filename)
    try {
      migrate(old, migrations.slice(0, 3))
      // Until version 4 each shard counted its own range ids.
      old.exec('INSERT INTO shards (shard_id, range_id) VALUES (1, 5), (2, 7)')
    } finally {
      old.close()
    }
    const store = SqliteStore.open({ filename })
    try {
      assert.deepEqual(store.migrationsApplied, allVersions.slice(3))
      await checkRangeIdsAfterUpgrade(store)
    } finally {
      await store.close()
    }
  })

  test('calls after close reject with StoreUnavailableError', async () => {
    const store = SqliteStore.open()
    await store.close()
    await assert.rejects(write(store, createRun(newRunKey())), StoreUnavailableError)
    await assert.rejects(store.cluster.acquireShard({ shardId: 1 }), StoreUnavailableError)
  })

  test('limits must be positive integers', async () => {
    const store = SqliteStore.open()
    try {
      const read = { runId: 'r', minEventId: 1, maxEventId: 10 }
      await assert.rejects(store.executions.readHistory({ ...read, maxBatches: 0 }), RangeError)
      await assert.rejects(store.tasks.listQueueTasks({ afterTaskId: 0, limit: -1 }), RangeError)
      await assert.rejects(store.namespaces.listNamespaces({ pageSize: 0 }), RangeError)
    } finally {
      await store.close()
    }
  })
})
