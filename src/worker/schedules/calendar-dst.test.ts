/**
 * DST behaviour of schedule calendars. Every expected instant here is what Temporal's Go
 * scheduler (`service/worker/scheduler/calendar.go` on Go's `time.Date`) produces; the Berlin
 * and London fall-back results look odd but are Temporal's.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileSpec } from './spec.js'

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000', '')

function times(cron: string, timezoneName: string, after: string, count: number): string[] {
  const cs = compileSpec({ cronString: [cron], timezoneName })
  const out: string[] = []
  for (let t = Date.parse(after); out.length < count;) {
    const r = cs.getNextTime(t)
    if (!r) break
    out.push(iso(r.next))
    t = r.next
  }
  return out
}

test('America/New_York spring forward: no 02:30 that day; hourly skips no instant', () => {
  assert.deepEqual(times('30 2 * * *', 'America/New_York', '2024-03-08T12:00:00Z', 3), [
    '2024-03-09T07:30:00Z', // 02:30 EST
    '2024-03-11T06:30:00Z', // 02:30 EDT; 10 March has no 02:30
    '2024-03-12T06:30:00Z',
  ])
  assert.deepEqual(times('0 * * * *', 'America/New_York', '2024-03-10T04:30:00Z', 4), [
    '2024-03-10T05:00:00Z', // 00:00 EST
    '2024-03-10T06:00:00Z', // 01:00 EST
    '2024-03-10T07:00:00Z', // 03:00 EDT
    '2024-03-10T08:00:00Z',
  ])
})

test('America/New_York fall back: the repeated hour fires twice', () => {
  assert.deepEqual(times('30 2 * * *', 'America/New_York', '2024-11-01T00:00:00Z', 4), [
    '2024-11-01T06:30:00Z',
    '2024-11-02T06:30:00Z',
    '2024-11-03T07:30:00Z', // 02:30 EST, not repeated
    '2024-11-04T07:30:00Z',
  ])
  assert.deepEqual(times('30 1 * * *', 'America/New_York', '2024-11-02T00:00:00Z', 4), [
    '2024-11-02T05:30:00Z',
    '2024-11-03T05:30:00Z', // 01:30 EDT
    '2024-11-03T06:30:00Z', // 01:30 EST
    '2024-11-04T06:30:00Z',
  ])
  assert.deepEqual(times('0 * * * *', 'America/New_York', '2024-11-03T03:00:00Z', 5), [
    '2024-11-03T04:00:00Z', // 00:00 EDT
    '2024-11-03T05:00:00Z', // 01:00 EDT
    '2024-11-03T06:00:00Z', // 01:00 EST
    '2024-11-03T07:00:00Z', // 02:00 EST
    '2024-11-03T08:00:00Z',
  ])
})

test('Europe/Berlin spring forward: no 02:30 that day; hourly skips no instant', () => {
  assert.deepEqual(times('30 2 * * *', 'Europe/Berlin', '2024-03-29T12:00:00Z', 3), [
    '2024-03-30T01:30:00Z', // 02:30 CET
    '2024-04-01T00:30:00Z', // 02:30 CEST; 31 March has no 02:30
    '2024-04-02T00:30:00Z',
  ])
  assert.deepEqual(times('0 * * * *', 'Europe/Berlin', '2024-03-30T22:30:00Z', 4), [
    '2024-03-30T23:00:00Z', // 00:00 CET
    '2024-03-31T00:00:00Z', // 01:00 CET
    '2024-03-31T01:00:00Z', // 03:00 CEST
    '2024-03-31T02:00:00Z',
  ])
})

test('Europe/Berlin fall back: Go resolves 02:xx to its second pass', () => {
  // A daily 02:30 fires once, at 02:30 CET (the second 02:30), never at 02:30 CEST.
  assert.deepEqual(times('30 2 * * *', 'Europe/Berlin', '2024-10-25T00:00:00Z', 4), [
    '2024-10-25T00:30:00Z',
    '2024-10-26T00:30:00Z',
    '2024-10-27T01:30:00Z', // 02:30 CET
    '2024-10-28T01:30:00Z',
  ])
  // Hourly fires at 02:00 CEST but not at 02:00 CET.
  assert.deepEqual(times('0 * * * *', 'Europe/Berlin', '2024-10-26T21:00:00Z', 5), [
    '2024-10-26T22:00:00Z', // 00:00 CEST
    '2024-10-26T23:00:00Z', // 01:00 CEST
    '2024-10-27T00:00:00Z', // 02:00 CEST
    '2024-10-27T02:00:00Z', // 03:00 CET
    '2024-10-27T03:00:00Z',
  ])
  // Every minute jumps over most of the repeated hour.
  assert.deepEqual(times('* * * * *', 'Europe/Berlin', '2024-10-26T23:58:00Z', 5), [
    '2024-10-26T23:59:00Z',
    '2024-10-27T00:00:00Z',
    '2024-10-27T01:01:00Z',
    '2024-10-27T02:02:00Z',
    '2024-10-27T02:03:00Z',
  ])
})

test('Europe/London fall back behaves like Berlin (offset 0 counts as east)', () => {
  assert.deepEqual(times('0 * * * *', 'Europe/London', '2024-10-26T23:30:00Z', 3), [
    '2024-10-27T00:00:00Z', // 01:00 BST
    '2024-10-27T02:00:00Z', // 02:00 GMT; 01:00 GMT is skipped
    '2024-10-27T03:00:00Z',
  ])
})

test('US/Pacific 2022 transitions (TestCalendarNextDST)', () => {
  assert.deepEqual(times('33 33 2 * * * *', 'US/Pacific', '2022-03-12T04:00:00Z', 2), [
    '2022-03-12T10:33:33Z',
    '2022-03-14T09:33:33Z', // 13 March has no 02:33:33
  ])
})
