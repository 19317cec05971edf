/**
 * History shards on one node: the count is fixed at the store's first start and refused when it
 * changes; runs spread over every shard, each shard leased by this node in the store; the node's
 * membership row and the admin service's DescribeCluster say so; a clean stop hands the shards
 * back and leaves the membership table.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import { pino } from 'pino'
import { shardIdFor } from '../../src/common/shard-id.js'
import {
  adminServiceDefinition,
  type DescribeClusterResponse,
} from '../../src/frontend/admin-service.js'
import { openStore } from '../../src/persistence/open-store.js'
import { SqliteStore } from '../../src/persistence/sqlite/sqlite-store.js'
import type { StoreConfig } from '../../src/persistence/open-store.js'
import { createServer } from '../../src/server/server.js'
import { testStoreConfig } from '../../src/testing/test-store.js'
import { startHarness, uid, type Harness } from './harness.js'

const dir = mkdtempSync(join(tmpdir(), 'sundial-shards-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function describeCluster(address: string): Promise<DescribeClusterResponse> {
  const Client = grpc.makeGenericClientConstructor(adminServiceDefinition().definition, 'Admin')
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as {
    describeCluster(
      req: object,
      cb: (e: grpc.ServiceError | null, r?: DescribeClusterResponse) => void,
    ): void
    close(): void
  }
  return new Promise<DescribeClusterResponse>((resolve, reject) => {
    client.describeCluster({}, (e, r) =>
      e || !r ? reject(e ?? new Error('no answer')) : resolve(r),
    )
  }).finally(() => client.close())
}

describe('history shards on one node', () => {
  const file = join(dir, 'four.db')
  let h: Harness
  let store: StoreConfig

  before(async () => {
    store = await testStoreConfig(file)
    h = await startHarness({ store, cluster: { numHistoryShards: 4 } })
  })
  after(() => h?.close())

  test('runs spread over every shard, and all of them complete', async () => {
    const ids = Array.from({ length: 24 }, () => uid('spread'))
    const ns = await h.connection.workflowService.describeNamespace({ namespace: 'default' })
    const namespaceId = ns.namespaceInfo?.id ?? ''
    assert.deepEqual(
      new Set(ids.map((id) => shardIdFor(namespaceId, id, 4))),
      new Set([1, 2, 3, 4]),
    )
    const taskQueue = uid('shards')
    const results = await h.withWorker(taskQueue, () =>
      Promise.all(
        ids.map((workflowId, i) =>
          i % 2 === 0
            ? h.client.workflow.execute('threeActivities', {
                taskQueue,
                workflowId,
                args: [workflowId],
              })
            : h.client.workflow.execute('sleeper', { taskQueue, workflowId, args: [50] }),
        ),
      ),
    )
    assert.equal(results.length, ids.length)
    const info = await h.connection.workflowService.getClusterInfo({})
    assert.equal(info.historyShardCount, 4)
  })

  test('DescribeCluster names this node, its roles and the shards it holds', async () => {
    const answer = await describeCluster(h.server.address)
    assert.equal(answer.historyShardCount, 4)
    const self = answer.membershipInfo?.currentHost
    assert.ok(self?.hostId)
    assert.equal(self.rpcAddress, h.server.address)
    assert.deepEqual(answer.membershipInfo?.reachableMembers, [self.identity])
    assert.deepEqual(
      answer.membershipInfo?.rings?.map((r) => [r.role, r.memberCount]),
      [
        ['frontend', 1],
        ['history', 1],
        ['matching', 1],
        ['worker', 1],
      ],
    )
    assert.deepEqual(
      answer.shards?.map((s) => [s.shardId, s.ownerHostId, s.ownerAddress]),
      [1, 2, 3, 4].map((id) => [id, self.hostId, self.identity]),
    )
    // The internal port answers the same, as another node would ask it.
    const internal = await describeCluster(self.identity)
    assert.equal(internal.membershipInfo?.currentHost?.hostId, self.hostId)
  })
})

describe('the shard count of a store', () => {
  test('is fixed at the first start, refused when it changes, and kept when unset', async () => {
    const store = await testStoreConfig(join(dir, 'fixed.db'))
    const quiet = pino({ level: 'silent' })
    const first = await createServer({
      port: 0,
      store,
      logger: quiet,
      cluster: { numHistoryShards: 8 },
    })
    await first.stop()
    await assert.rejects(
      createServer({ port: 0, store, logger: quiet, cluster: { numHistoryShards: 16 } }),
      /cluster.numHistoryShards is 16, but this store was created with 8 shards/,
    )
    const again = await createServer({ port: 0, store, logger: quiet })
    try {
      const answer = await describeCluster(again.address)
      assert.equal(answer.historyShardCount, 8)
      assert.equal(answer.shards?.length, 8)
    } finally {
      await again.stop()
    }
    // A clean stop hands every shard back and removes the node from the membership table.
    const opened = await openStore(store, false, 'shards test')
    try {
      const { shards } = await opened.cluster.listShards()
      assert.deepEqual(
        shards.map((s) => s.owner),
        new Array<string>(8).fill(''),
      )
      const { members } = await opened.cluster.listMembers({ aliveAt: 0 })
      assert.deepEqual(members, [])
    } finally {
      await opened.close()
    }
  })
})

describe('a shard taken by another server', () => {
  test('is found within a heartbeat, before any write: the server stops serving', async () => {
    const filename = join(dir, 'taken.db')
    let lost: (e: Error) => void = () => {}
    const found = new Promise<Error>((resolve) => (lost = resolve))
    const server = await createServer({
      port: 0,
      store: { kind: 'sqlite', filename },
      logger: pino({ level: 'silent' }),
      onShardLost: (e) => lost(e),
    })
    try {
      // A second server's acquire, behind this one's back (bypassing the file's lock).
      const intruder = SqliteStore.open({ filename })
      await intruder.cluster.acquireShard({ shardId: 3, owner: 'intruder' })
      await intruder.close()
      const error = await found
      assert.match(error.message, /shards 3 were acquired by another server/)
    } finally {
      await server.stop()
    }
  })
})
