import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CompiledCalendar } from './calendar.js'
import { parseCalendarToStructured } from './calendar-parse.js'
import type { CalendarSpec, StructuredCalendarSpec } from './spec-types.js'
import { loadTimezone, TimeZone } from './timezone.js'

/** Epoch seconds of a UTC date-time. */
const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number =>
  Date.UTC(y, mo - 1, d, h, mi, s) / 1000

const fromString = (cal: CalendarSpec, zone = ''): CompiledCalendar =>
  new CompiledCalendar(parseCalendarToStructured(cal), loadTimezone(zone))

const all = (start: number, end: number) => [{ start, end }]
const every: StructuredCalendarSpec = {
  second: all(0, 59),
  minute: all(0, 59),
  hour: all(0, 23),
  dayOfMonth: all(1, 31),
  month: all(1, 12),
  dayOfWeek: all(0, 6),
}

function sequence(cal: CompiledCalendar, after: number, count: number): number[] {
  const out: number[] = []
  for (let t: number | undefined = after; out.length < count;) {
    t = cal.next(t)
    if (t === undefined) break
    out.push(t)
  }
  return out
}

test('string calendars default to midnight every day (TestCalendarMatch)', () => {
  const midnight = fromString({})
  assert.ok(midnight.matches(utc(2022, 3, 17)))
  assert.ok(!midnight.matches(utc(2022, 3, 18, 5, 15)))
  const pacific = fromString({}, 'US/Pacific')
  assert.ok(pacific.matches(utc(2022, 3, 17, 7)))
  assert.ok(!pacific.matches(utc(2022, 3, 17)))

  const cal = fromString(
    { second: '55', minute: '55', hour: '5', dayOfWeek: 'wed-thurs', dayOfMonth: '2/2' },
    'US/Pacific',
  )
  assert.ok(cal.matches(utc(2022, 3, 10, 13, 55, 55))) // Thu 10th, PST
  assert.ok(!cal.matches(utc(2022, 3, 9, 13, 55, 55))) // odd day
  assert.ok(!cal.matches(utc(2022, 3, 16, 13, 55, 55))) // right day, but PDT now
  assert.ok(cal.matches(utc(2022, 3, 16, 12, 55, 55)))
})

test('next steps through seconds, minutes, hours and days (TestCalendarNextBasic)', () => {
  const cal = fromString(
    { second: '55', minute: '55', hour: '5', dayOfWeek: 'wed-thurs', dayOfMonth: '2/2' },
    'US/Pacific',
  )
  const target = utc(2022, 3, 2, 13, 55, 55) // Wed 2 March 05:55:55 PST
  assert.equal(cal.next(utc(2022, 3, 2, 13, 55, 33)), target)
  assert.equal(cal.next(utc(2022, 3, 2, 13, 33, 33)), target)
  assert.equal(cal.next(utc(2022, 3, 2, 11, 33, 33)), target)
  assert.equal(cal.next(utc(2022, 3, 1, 9, 11, 11)), target)
  assert.equal(cal.next(target), utc(2022, 3, 10, 13, 55, 55))
  assert.equal(cal.next(utc(2022, 3, 10, 13, 55, 55)), utc(2022, 3, 16, 12, 55, 55))
})

test('ranges with steps, weekdays and business hours', () => {
  const cal = new CompiledCalendar(
    {
      ...every,
      second: [{ start: 0 }],
      minute: [{ start: 0, end: 59, step: 15 }],
      hour: [{ start: 9, end: 17 }],
      dayOfWeek: [{ start: 1, end: 5 }],
    },
    TimeZone.utc,
  )
  // Friday 17:50 → Monday 09:00.
  assert.equal(cal.next(utc(2024, 1, 5, 17, 50)), utc(2024, 1, 8, 9))
  assert.deepEqual(sequence(cal, utc(2024, 1, 8, 9), 3), [
    utc(2024, 1, 8, 9, 15),
    utc(2024, 1, 8, 9, 30),
    utc(2024, 1, 8, 9, 45),
  ])
  const stepped = new CompiledCalendar(
    {
      ...every,
      second: [{ start: 0 }],
      minute: [{ start: 0 }],
      hour: [{ start: 1, end: 23, step: 5 }],
    },
    TimeZone.utc,
  )
  assert.deepEqual(
    sequence(stepped, utc(2024, 1, 1), 6).map((t) => new Date(t * 1000).getUTCHours()),
    [1, 6, 11, 16, 21, 1],
  )
})

test('day of month and day of week must both match', () => {
  const friday13 = new CompiledCalendar(
    {
      ...every,
      second: [{ start: 0 }],
      minute: [{ start: 0 }],
      hour: [{ start: 0 }],
      dayOfMonth: [{ start: 13 }],
      dayOfWeek: [{ start: 5 }],
    },
    TimeZone.utc,
  )
  assert.deepEqual(sequence(friday13, utc(2024, 1, 1), 2), [utc(2024, 9, 13), utc(2024, 12, 13)])
})

test('an empty field matches nothing, except year, where it means every year', () => {
  const noMinute = new CompiledCalendar({ ...every, minute: [] }, TimeZone.utc)
  assert.equal(noMinute.next(utc(2024, 1, 1)), undefined)
  assert.ok(!noMinute.matches(utc(2024, 1, 1)))
  const midnights = {
    ...every,
    second: [{ start: 0 }],
    minute: [{ start: 0 }],
    hour: [{ start: 0 }],
  }
  const anyYear = new CompiledCalendar({ ...midnights, year: [] }, TimeZone.utc)
  assert.equal(anyYear.next(utc(2099, 12, 31, 12)), utc(2100, 1, 1))
  const only2025 = new CompiledCalendar({ ...midnights, year: [{ start: 2025 }] }, TimeZone.utc)
  assert.equal(only2025.next(utc(2024, 6, 1)), utc(2025, 1, 1))
  assert.equal(only2025.next(utc(2025, 12, 31)), undefined)
})

test('leap days, month ends and the 2100 horizon', () => {
  const leapDay = fromString({ dayOfMonth: '29', month: '2' })
  assert.equal(leapDay.next(utc(2024, 3, 1)), utc(2028, 2, 29))
  assert.equal(leapDay.next(utc(2096, 3, 1)), undefined) // 2100 is not a leap year
  const the31st = fromString({ dayOfMonth: '31' })
  assert.deepEqual(sequence(the31st, utc(2024, 1, 31), 2), [utc(2024, 3, 31), utc(2024, 5, 31)])
  assert.equal(fromString({ dayOfMonth: '30', month: 'feb' }).next(utc(2024, 1, 1)), undefined)
})

test('a time zone whose DST starts at midnight hides that Sunday, as in Temporal', () => {
  // America/Santiago skipped from 2024-09-08 00:00 to 01:00. Temporal checks the weekday of
  // time.Date(y, m, d, 0, 0, 0), which Go normalises into Saturday 23:00, so "Sundays at
  // 10:00" skips 8 September.
  const sundays = fromString({ hour: '10', dayOfWeek: 'sun' }, 'America/Santiago')
  assert.deepEqual(sequence(sundays, utc(2024, 9, 1), 3), [
    utc(2024, 9, 1, 14),
    utc(2024, 9, 15, 13),
    utc(2024, 9, 22, 13),
  ])
  const the8th = fromString({ hour: '10', dayOfMonth: '8', month: '9' }, 'America/Santiago')
  assert.equal(the8th.next(utc(2024, 9, 1)), utc(2024, 9, 8, 13))
})

test('every second before a result leads to that result (checkSequence in calendar_test.go)', () => {
  const cal = fromString({ second: '33', minute: '33,44', hour: '1' }, 'US/Pacific')
  let after = utc(2021, 11, 7, 7, 15, 15)
  for (const expected of [
    utc(2021, 11, 7, 8, 33, 33), // 01:33:33 PDT
    utc(2021, 11, 7, 8, 44, 33),
    utc(2021, 11, 7, 9, 33, 33), // 01:33:33 PST, the second pass
    utc(2021, 11, 7, 9, 44, 33),
    utc(2021, 11, 8, 9, 33, 33),
  ]) {
    for (let t = after; t < expected; t += 7) assert.equal(cal.next(t), expected, `from ${t}`)
    after = expected
  }
})
