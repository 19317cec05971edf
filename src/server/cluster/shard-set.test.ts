import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { ShardNotOwnedError } from '../../history/shard-directory.js'
import { SqliteStore } from '../../persistence/sqlite/sqlite-store.js'
import { ShardSet } from './shard-set.js'

describe('ShardSet', () => {
  const store = SqliteStore.open()
  after(() => store.close())
  const seen: string[] = []
  const shards = new ShardSet({
    cluster: store.cluster,
    numHistoryShards: 4,
    hostId: 'node-a',
    onAcquired: (id) => seen.push(`+${id}`),
    onReleased: (id) => seen.push(`-${id}`),
  })

  it('acquires every shard, leases each workflow id to its shard, ids unique across shards', async () => {
    assert.throws(() => shards.lease('ns', 'w'), ShardNotOwnedError)
    await shards.acquireAll()
    assert.deepEqual(shards.held(), [1, 2, 3, 4])
    const { shards: stored } = await store.cluster.listShards()
    assert.deepEqual(
      stored.map((s) => s.owner),
      ['node-a', 'node-a', 'node-a', 'node-a'],
    )
    const ids = new Set<number>()
    for (let i = 0; i < 40; i++) {
      const lease = shards.lease('ns', `w-${i}`)
      assert.equal(lease.shardId, shards.shardIdFor('ns', `w-${i}`))
      assert.equal(lease.rangeId, stored[lease.shardId - 1]!.rangeId)
      ids.add(lease.nextTaskId())
    }
    assert.equal(ids.size, 40)
  })

  it('finds the shards another node acquired since', async () => {
    assert.deepEqual(await shards.lost(), [])
    await store.cluster.acquireShard({ shardId: 2, owner: 'node-b' })
    assert.deepEqual(await shards.lost(), [2])
  })

  it('hands back only the shards still its own, and reports each once', async () => {
    await shards.releaseAll()
    assert.deepEqual(shards.held(), [])
    const { shards: stored } = await store.cluster.listShards()
    assert.deepEqual(
      stored.map((s) => s.owner),
      ['', 'node-b', '', ''],
    )
    assert.deepEqual(seen, ['+1', '+2', '+3', '+4', '-1', '-2', '-3', '-4'])
  })
})
