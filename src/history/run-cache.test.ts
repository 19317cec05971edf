import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RunCache } from './run-cache.js'

const run = (size: number) => ({ json: 'x'.repeat(size) })

test('evicts the least recently used beyond the count', () => {
  const cache = new RunCache({ maxRuns: 2, maxBytes: 1000 })
  cache.set('a', run(1))
  cache.set('b', run(1))
  cache.get('a')
  cache.set('c', run(1))
  assert.ok(cache.get('a'))
  assert.equal(cache.get('b'), undefined)
  assert.equal(cache.size, 2)
})

test('evicts beyond the bytes, keeping the newest even when it alone is over', () => {
  const cache = new RunCache({ maxRuns: 100, maxBytes: 10 })
  cache.set('a', run(4))
  cache.set('b', run(4))
  assert.equal(cache.bytes, 8)
  cache.set('c', run(4))
  assert.equal(cache.get('a'), undefined)
  assert.equal(cache.bytes, 8)
  cache.set('huge', run(50))
  assert.equal(cache.size, 1)
  assert.equal(cache.bytes, 50)
  cache.set('huge', run(2))
  cache.delete('missing')
  assert.equal(cache.bytes, 2)
  cache.clear()
  assert.equal(cache.bytes, 0)
})
