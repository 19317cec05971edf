import assert from 'node:assert/strict'
import { test } from 'node:test'
import { daysFromCivil, daysInMonth, loadTimezone, TimeZone, wallFields } from './timezone.js'

const sec = (iso: string): number => Date.parse(iso) / 1000

test('civil date arithmetic agrees with Date over four centuries', () => {
  for (let ms = Date.UTC(1900, 0, 1); ms < Date.UTC(2300, 0, 1); ms += 86_400_000 * 7 + 3_601_000) {
    const d = new Date(ms)
    const f = wallFields(ms / 1000)
    assert.deepEqual(
      [f.year, f.month, f.day, f.hour, f.minute, f.second, f.weekday],
      [
        d.getUTCFullYear(),
        d.getUTCMonth() + 1,
        d.getUTCDate(),
        d.getUTCHours(),
        d.getUTCMinutes(),
        d.getUTCSeconds(),
        d.getUTCDay(),
      ],
    )
    assert.equal(daysFromCivil(f.year, f.month, f.day), Math.floor(ms / 86_400_000))
  }
  assert.equal(daysFromCivil(2024, 1, 32), daysFromCivil(2024, 2, 1)) // day overflow is linear
  assert.deepEqual([daysInMonth(2024, 2), daysInMonth(2100, 2), daysInMonth(2000, 2)], [29, 28, 29])
})

test('offsets follow the zone rules', () => {
  const ny = loadTimezone('America/New_York')
  assert.equal(ny.offsetAt(sec('2024-01-15T12:00:00Z')), -5 * 3600)
  assert.equal(ny.offsetAt(sec('2024-07-15T12:00:00Z')), -4 * 3600)
  assert.equal(ny.offsetAt(sec('2024-03-10T06:59:59Z')), -5 * 3600)
  assert.equal(ny.offsetAt(sec('2024-03-10T07:00:00Z')), -4 * 3600)
  assert.equal(loadTimezone('Asia/Kathmandu').offsetAt(sec('2024-01-01T00:00:00Z')), 20_700)
  assert.equal(TimeZone.utc.offsetAt(123), 0)
})

test('wall times normalise like Go time.Date', () => {
  const wall = (iso: string): number => sec(`${iso}Z`)
  const ny = loadTimezone('America/New_York')
  // Spring-forward gap, west of UTC: one hour earlier (01:30 EST).
  assert.equal(ny.fromWall(wall('2024-03-10T02:30:00')), sec('2024-03-10T06:30:00Z'))
  // Fall-back overlap, west of UTC: the first pass (EDT).
  assert.equal(ny.fromWall(wall('2024-11-03T01:30:00')), sec('2024-11-03T05:30:00Z'))
  const berlin = loadTimezone('Europe/Berlin')
  // Gap, east of UTC: one hour later (03:30 CEST).
  assert.equal(berlin.fromWall(wall('2024-03-31T02:30:00')), sec('2024-03-31T01:30:00Z'))
  // Overlap, east of UTC: the second pass (CET).
  assert.equal(berlin.fromWall(wall('2024-10-27T02:30:00')), sec('2024-10-27T01:30:00Z'))
  // TestGoDSTBehavior: 02:33:33 on the Pacific spring-forward day equals 01:33:33.
  const pacific = loadTimezone('US/Pacific')
  assert.equal(
    pacific.fromWall(wall('2022-03-13T02:33:33')),
    pacific.fromWall(wall('2022-03-13T01:33:33')),
  )
  // Hour 24 rolls into the next day.
  assert.equal(ny.fromWall(wall('2024-06-01T00:00:00') + 24 * 3600), sec('2024-06-02T04:00:00Z'))
})

test('zone names load as Go LoadLocation loads them', () => {
  assert.equal(loadTimezone(''), TimeZone.utc)
  assert.equal(loadTimezone('UTC'), TimeZone.utc)
  assert.equal(loadTimezone('Europe/Paris'), loadTimezone('Europe/Paris'))
  assert.ok(!loadTimezone('Local').isUtc || loadTimezone('Local').offsetAt(0) === 0)
  assert.throws(() => loadTimezone('Mars/Olympus'), /^SpecError: unknown time zone Mars\/Olympus$/)
  assert.throws(() => loadTimezone('+05:00'), /unknown time zone \+05:00/)
})
