import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cronBackoffMs, isValidCronSchedule } from './cron.js'

test('standard expressions wait until the next matching minute', () => {
  const now = Date.UTC(2026, 0, 1, 10, 2, 30)
  assert.equal(cronBackoffMs('*/5 * * * *', now), 2.5 * 60_000)
  assert.equal(cronBackoffMs('0 11 * * *', now), 57.5 * 60_000)
})

test('@every intervals fire on whole seconds', () => {
  assert.equal(cronBackoffMs('@every 2s', 10_000), 2000)
  assert.equal(cronBackoffMs('@every 1m30s', 10_250), 89_750)
})

test('invalid schedules are recognised', () => {
  assert.equal(isValidCronSchedule('* * *'), false)
  assert.equal(isValidCronSchedule('@every nope'), false)
  assert.equal(isValidCronSchedule('@hourly'), true)
  assert.equal(isValidCronSchedule('CRON_TZ=America/New_York 0 9 * * 1-5'), true)
})
