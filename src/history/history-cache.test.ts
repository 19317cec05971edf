import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { HistoryBatch } from '../persistence/store.js'
import { HistoryCache } from './history-cache.js'

/** A batch of events [first, last] whose encoded size is `bytes`. */
function batch(first: number, last: number, bytes = 10): HistoryBatch {
  return { firstEventId: first, lastEventId: last, data: new Uint8Array(bytes) }
}

const ids = (r: { batches: HistoryBatch[] } | undefined) =>
  r?.batches.map((b) => `${b.firstEventId}-${b.lastEventId}`)

test('a run is cached from its first batch and read like the store reads it', () => {
  const cache = new HistoryCache()
  cache.committed('r', [batch(1, 3)])
  cache.committed('r', [batch(4, 4), batch(5, 7)])
  cache.committed('r', [batch(8, 9)])
  assert.deepEqual(ids(cache.read('r', 1, 10, 100)), ['1-3', '4-4', '5-7', '8-9'])
  // Batches overlapping the range, as the store returns them.
  assert.deepEqual(ids(cache.read('r', 5, 6, 100)), ['5-7'])
  assert.deepEqual(ids(cache.read('r', 3, 5, 100)), ['1-3', '4-4'])
  assert.deepEqual(ids(cache.read('r', 10, 20, 100)), [])
  const page = cache.read('r', 2, 10, 2)
  assert.deepEqual(ids(page), ['1-3', '4-4'])
  assert.equal(page?.more, true)
  assert.equal(cache.read('r', 8, 10, 1)?.more, false)
})

test('a run first seen mid-history, or with a gap, is not cached', () => {
  const cache = new HistoryCache()
  cache.committed('late', [batch(5, 6)])
  assert.equal(cache.read('late', 1, 10, 10), undefined)
  cache.committed('gap', [batch(1, 2)])
  cache.committed('gap', [batch(4, 5)])
  assert.equal(cache.read('gap', 1, 10, 10), undefined)
  assert.equal(cache.bytes, 0)
})

test('a run past its limit is dropped, and the least recently written go first', () => {
  const cache = new HistoryCache({ maxBytes: 100, maxRunBytes: 50 })
  cache.committed('long', [batch(1, 1, 30)])
  cache.committed('long', [batch(2, 2, 30)])
  assert.equal(cache.read('long', 1, 3, 10), undefined)
  assert.equal(cache.bytes, 0)
  cache.committed('a', [batch(1, 1, 40)])
  cache.committed('b', [batch(1, 1, 40)])
  cache.committed('a', [batch(2, 2, 5)])
  cache.committed('c', [batch(1, 1, 40)])
  // 'b' was written least recently.
  assert.equal(cache.read('b', 1, 2, 10), undefined)
  assert.ok(cache.read('a', 1, 3, 10))
  assert.ok(cache.read('c', 1, 2, 10))
  assert.equal(cache.bytes, 85)
  cache.forget('a')
  assert.equal(cache.read('a', 1, 3, 10), undefined)
  assert.equal(cache.bytes, 40)
})

test('a batch that is a view into a larger buffer is cached as a copy of its bytes', () => {
  const cache = new HistoryCache()
  // What an encoder hands out for a small message: a Buffer slice of a shared pool slab.
  const slab = Buffer.alloc(8192, 7)
  cache.committed('r', [{ firstEventId: 1, lastEventId: 2, data: slab.subarray(100, 140) }])
  const cached = cache.read('r', 1, 3, 10)?.batches[0]?.data
  assert.equal(cached?.byteLength, 40)
  assert.equal(cached?.buffer.byteLength, 40)
  assert.deepEqual([...cached], new Array<number>(40).fill(7))
})
