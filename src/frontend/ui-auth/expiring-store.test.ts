import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ExpiringStore } from './expiring-store.js'

function store(maxEntries = 10) {
  const clock = { now: 1_000 }
  const s = new ExpiringStore<string>({ ttlMs: 100, maxEntries, now: () => clock.now })
  return { s, clock }
}

test('entries live for the ttl, then are gone', () => {
  const { s, clock } = store()
  assert.equal(s.set('a', 'A'), 1_100)
  clock.now = 1_099
  assert.equal(s.get('a'), 'A')
  clock.now = 1_100
  assert.equal(s.get('a'), undefined)
  assert.equal(s.size, 0)
})

test('take returns a value once', () => {
  const { s } = store()
  s.set('a', 'A')
  assert.equal(s.take('a'), 'A')
  assert.equal(s.take('a'), undefined)
  assert.equal(s.get('a'), undefined)
})

test('setting sweeps out expired entries, and the cap drops the oldest', () => {
  const { s, clock } = store(3)
  s.set('a', 'A')
  clock.now += 50
  s.set('b', 'B')
  clock.now += 60 // a has expired, b has not
  s.set('c', 'C')
  assert.equal(s.size, 2)
  s.set('d', 'D')
  s.set('e', 'E') // over the cap of 3: b, the oldest, goes
  assert.equal(s.size, 3)
  assert.equal(s.get('b'), undefined)
  assert.deepEqual(
    ['c', 'd', 'e'].map((k) => s.get(k)),
    ['C', 'D', 'E'],
  )
})

test('setting a key again renews it', () => {
  const { s, clock } = store()
  s.set('a', 'A')
  clock.now += 90
  s.set('a', 'A2')
  clock.now += 90
  assert.equal(s.get('a'), 'A2')
})
