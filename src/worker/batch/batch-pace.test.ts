import assert from 'node:assert/strict'
import { test } from 'node:test'
import { chunkSize, effectiveRps, MAX_CHUNK, nextChunkTime } from './batch-pace.js'

test('the requested rate is kept only above zero and within the cap', () => {
  assert.equal(effectiveRps(0, 50), 50)
  assert.equal(effectiveRps(-3, 50), 50)
  assert.equal(effectiveRps(10, 50), 10)
  assert.equal(effectiveRps(50, 50), 50)
  assert.equal(effectiveRps(51, 50), 50)
  assert.equal(effectiveRps(0.5, 50), 0.5)
  assert.equal(effectiveRps(500, 1000), 500)
})

test('a chunk is a second of operations, between one and the most per commit', () => {
  assert.equal(chunkSize(50), 50)
  assert.equal(chunkSize(2.7), 2)
  assert.equal(chunkSize(0.2), 1)
  assert.equal(chunkSize(10_000), MAX_CHUNK)
})

test('the next chunk waits for the time its operations are worth', () => {
  assert.equal(nextChunkTime(1000, 50, 50), 2000)
  assert.equal(nextChunkTime(1000, 1, 0.5), 3000)
  assert.equal(nextChunkTime(1000, 3, 7), 1000 + Math.ceil(3000 / 7))
})
