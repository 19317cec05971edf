/**
 * The PostgreSQL store: the shared contract, then what is PostgreSQL's own (migrations under
 * concurrency, schemas, fencing across connections, the server going away). Each store gets a
 * schema of its own on the test server (src/testing/test-postgres.ts).
 */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import pg from 'pg'
import { newTestSchema, testPostgres } from '../../testing/test-postgres.js'
import { runStoreContract } from '../contract.case.test.js'
import {
  checkRangeIdsAfterUpgrade,
  createRun,
  newRunKey,
  readRun,
  write,
  written,
} from '../contract/fixtures.js'
import { SchemaVersionError, ShardOwnershipLostError, StoreUnavailableError } from '../errors.js'
import { appliedVersions, migrate, migrations, schemaStatus } from './migrations.js'
import { PostgresDatabase } from './postgres-database.js'
import { PostgresStore, type PostgresStoreOptions } from './postgres-store.js'

/** Every schema version this build knows, in order. */
const allVersions = migrations.map((m) => m.version)

const opened: PostgresStore[] = []
after(async () => {
  await Promise.all(opened.map((s) => s.close()))
})

async function options(schema?: string): Promise<PostgresStoreOptions> {
  const { url } = await testPostgres()
  return { url, schema: schema ?? (await newTestSchema('contract')), poolSize: 4 }
}

async function open(opts: PostgresStoreOptions): Promise<PostgresStore> {
  const store = await PostgresStore.open(opts)
  opened.push(store)
  return store
}

async function withClient<T>(schema: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const { url } = await testPostgres()
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

runStoreContract({ name: 'postgres', newStore: async () => open(await options()) })

describe('postgres store', () => {
  test('migrations run once, and servers opening together apply each step once', async () => {
    const opts = await options()
    const stores = await Promise.all([open(opts), open(opts), open(opts)])
    // Each step is its own transaction under the lock, so the steps may be shared out between
    // the servers; what matters is that every step was applied exactly once.
    const applied = stores.flatMap((s) => s.migrationsApplied).sort((a, b) => a - b)
    assert.deepEqual(applied, allVersions)
    const again = await open(opts)
    assert.deepEqual(again.migrationsApplied, [])
    assert.deepEqual(await withClient(opts.schema!, (c) => appliedVersions(c)), allVersions)
  })

  test('migrate applies only the missing versions; migrate: false refuses a schema behind', async () => {
    const opts = await options()
    await withClient(opts.schema!, async (c) => {
      assert.deepEqual(await migrate(c, migrations.slice(0, 1)), [1])
      assert.deepEqual(
        (await schemaStatus(c)).pending.map((m) => m.version),
        allVersions.slice(1),
      )
    })
    await assert.rejects(
      PostgresStore.open({ ...opts, migrate: false }),
      (e: unknown) =>
        e instanceof SchemaVersionError &&
        e.message.includes(`at version 1, this build needs ${allVersions.length}`),
    )
    await open(opts)
    await open({ ...opts, migrate: false })
    await withClient(opts.schema!, async (c) => {
      const next = [
        ...migrations,
        { version: allVersions.length + 1, description: 'test', sql: 'CREATE TABLE t (a int)' },
      ]
      assert.deepEqual(await migrate(c, next), [allVersions.length + 1])
      await assert.rejects(migrate(c), /newer than this build knows/)
    })
  })

  test('schemas keep stores apart on one database', async () => {
    const a = await open(await options())
    const b = await open(await options())
    const create = createRun(newRunKey())
    await write(a, create)
    assert.deepEqual(await readRun(a, create.record.key), written(create))
    assert.equal(await readRun(b, create.record.key), undefined)
  })

  test('a second server acquiring the shard fences the first one out', async () => {
    const opts = await options()
    const first = await open(opts)
    const second = await open(opts)
    const { rangeId } = await first.cluster.acquireShard({ shardId: 1 })
    const create = createRun(newRunKey())
    await first.executions.updateWorkflowExecutions({ shardId: 1, rangeId, writes: [create] })
    const taken = await second.cluster.acquireShard({ shardId: 1 })
    assert.ok(taken.rangeId > rangeId)
    const other = createRun(newRunKey())
    await assert.rejects(
      first.executions.updateWorkflowExecutions({ shardId: 1, rangeId, writes: [other] }),
      ShardOwnershipLostError,
    )
    await second.executions.updateWorkflowExecutions({
      shardId: 1,
      rangeId: taken.rangeId,
      writes: [other],
    })
    assert.deepEqual(await readRun(first, other.record.key), written(other))
  })

  test('servers acquiring shards concurrently get distinct range ids, each shard moving up', async () => {
    const opts = await options()
    const servers = await Promise.all([open(opts), open(opts), open(opts)])
    // Three acquisitions of each of eight shards, each shard from every server at once.
    const acquired = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const shardId = (i % 8) + 1
        const owner = `host-${i % 3}`
        const { rangeId } = await servers[i % 3]!.cluster.acquireShard({ shardId, owner })
        return { shardId, rangeId, owner }
      }),
    )
    const ids = acquired.map((a) => a.rangeId)
    assert.equal(new Set(ids).size, ids.length, `range ids ${ids.join(', ')}`)
    // The last acquisition of a shard to commit is its highest: a range id never moves back.
    const { shards } = await servers[0].cluster.listShards()
    assert.deepEqual(
      shards,
      [1, 2, 3, 4, 5, 6, 7, 8].map((shardId) => {
        const mine = acquired.filter((a) => a.shardId === shardId)
        const last = mine.reduce((x, y) => (y.rangeId > x.rangeId ? y : x))
        return { shardId, rangeId: last.rangeId, owner: last.owner }
      }),
    )
  })

  test('migrating to version 4 starts range ids above those the shards already had', async () => {
    const opts = await options()
    await withClient(opts.schema!, async (c) => {
      await migrate(c, migrations.slice(0, 3))
      // Until version 4 each shard counted its own range ids.
      await c.query('INSERT INTO shards (shard_id, range_id) VALUES (1, 5), (2, 7)')
    })
    const store = await open(opts)
    assert.deepEqual(store.migrationsApplied, allVersions.slice(3))
    await checkRangeIdsAfterUpgrade(store)
  })

  test('an unreachable server is StoreUnavailableError, and calls after close too', async () => {
    const closedPort = await open({
      ...(await options()),
    }).then(async (s) => {
      await s.close()
      return s
    })
    await assert.rejects(write(closedPort, createRun(newRunKey())), StoreUnavailableError)
    await assert.rejects(
      PostgresStore.open({ url: 'postgres://nobody:x@127.0.0.1:1/none', connectTimeoutMs: 1000 }),
      StoreUnavailableError,
    )
  })

  test('with tls options the connection is encrypted and the certificate checked', async (t) => {
    const { url, tlsCa } = await testPostgres()
    if (tlsCa === undefined) {
      t.skip('the test server has no TLS (an external server, or no openssl here)')
      return
    }
    const db = new PostgresDatabase({ url, tls: { ca: tlsCa, servername: 'localhost' } })
    try {
      const { rows } = await db.withClient((c) =>
        c.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'),
      )
      assert.equal(rows[0]?.ssl, true)
    } finally {
      await db.close()
    }
    // Without the CA that signed it, the server's certificate is refused.
    await assert.rejects(
      PostgresStore.open({ ...(await options()), tls: { servername: 'localhost' } }),
      /certificate/,
    )
  })

  test('limits must be positive integers', async () => {
    const store = await open(await options())
    const read = { runId: 'r', minEventId: 1, maxEventId: 10 }
    await assert.rejects(store.executions.readHistory({ ...read, maxBatches: 0 }), RangeError)
    await assert.rejects(store.tasks.listQueueTasks({ afterTaskId: 0, limit: -1 }), RangeError)
    await assert.rejects(store.namespaces.listNamespaces({ pageSize: 0 }), RangeError)
  })
})
