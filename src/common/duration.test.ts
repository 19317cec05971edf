import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseDuration } from './duration.js'

test('parseDuration reads Go durations and days', () => {
  assert.equal(parseDuration('0'), 0)
  assert.equal(parseDuration('300ms'), 300)
  assert.equal(parseDuration('1.5s'), 1500)
  assert.equal(parseDuration('1h30m'), 5_400_000)
  assert.equal(parseDuration('3d'), 259_200_000)
  assert.equal(parseDuration('2m0.5s'), 120_500)
  assert.equal(parseDuration(' 10s '), 10_000)
})

test('parseDuration refuses what is not a duration', () => {
  for (const bad of ['', '10', 's', '1x', '1h 30m', '-1s', '1s2', 'abc']) {
    assert.equal(parseDuration(bad), undefined, bad)
  }
})
