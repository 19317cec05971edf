import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fnv1a, shardIdFor } from './shard-id.js'

describe('shardIdFor', () => {
  it('is stable: the same ids always give the same shard', () => {
    // Fixed values: stored runs rely on the hash never changing.
    assert.equal(fnv1a(''), 0x811c9dc5)
    assert.equal(fnv1a('a'), 0xe40c292c)
    assert.equal(shardIdFor('ns', 'order-1', 16), shardIdFor('ns', 'order-1', 16))
  })

  it('spreads workflow ids over every shard, within 1..numShards', () => {
    const counts = new Array<number>(17).fill(0)
    for (let i = 0; i < 16_000; i++) counts[shardIdFor('default', `order-${i}`, 16)]!++
    assert.equal(counts[0], 0)
    for (let s = 1; s <= 16; s++) assert.ok(counts[s]! > 800 && counts[s]! < 1200, `${counts[s]}`)
  })

  it('separates namespaces: one workflow id lands in different shards', () => {
    const shards = new Set(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => shardIdFor(n, 'w', 512)))
    assert.ok(shards.size > 1)
  })
})
