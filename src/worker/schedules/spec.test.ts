import assert from 'node:assert/strict'
import { test } from 'node:test'
import { InvalidArgumentError } from '../../common/errors.js'
import { long } from '../../common/proto.js'
import {
  canonicalizeSpec,
  cleanSpec,
  compileSpec,
  matchingTimes,
  MAX_LIST_MATCHING_TIMES,
  type ScheduleSpec,
} from './spec.js'

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number =>
  Date.UTC(y, mo - 1, d, h, mi, s, ms)
const ts = (ms: number) => ({ seconds: long(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 })
const minutes = (n: number) => ({ seconds: long(n * 60) })

/** Successive `next` times, each search starting at the previous `next` (as Temporal does). */
function sequence(spec: ScheduleSpec, after: number, count: number, seed = ''): number[] {
  const cs = compileSpec(spec, { jitterSeed: seed })
  const out: number[] = []
  for (let t = after; out.length < count;) {
    const r = cs.getNextTime(t)
    if (!r) break
    out.push(r.next)
    t = r.next
  }
  return out
}

const midnightDaily = {
  second: [{ start: 0 }],
  minute: [{ start: 23 }],
  hour: [{ start: 5 }, { start: 7 }],
  dayOfMonth: [{ start: 1, end: 31 }],
  month: [{ start: 1, end: 12 }],
  year: [],
  dayOfWeek: [{ start: 0, end: 6 }],
  comment: '',
}

test('canonicalization compiles cron strings and calendars (TestCanonicalize)', () => {
  const empty = canonicalizeSpec({})
  assert.deepEqual(
    [empty.structuredCalendar, empty.interval, empty.cronString, empty.timezoneName],
    [[], [], [], ''],
  )

  const every = canonicalizeSpec({ cronString: ['@every 43h'] })
  assert.equal(every.interval?.[0]?.interval?.seconds?.toString(), String(43 * 3600))

  const fromCalendar = canonicalizeSpec({ calendar: [{ hour: '5,7', minute: '23' }] })
  assert.deepEqual(fromCalendar.structuredCalendar, [midnightDaily])
  assert.deepEqual(fromCalendar.calendar, [])

  const fromCron = canonicalizeSpec({
    cronString: ['23 5,7 * * *'],
    jitter: minutes(5),
    startTime: ts(utc(2022, 3, 23)),
    timezoneName: 'Europe/London',
  })
  assert.deepEqual(fromCron.structuredCalendar, [midnightDaily])
  assert.equal(fromCron.timezoneName, 'Europe/London')
  assert.deepEqual(fromCron.jitter, minutes(5))

  const agreeing = canonicalizeSpec({
    cronString: ['CRON_TZ=Europe/London 23 5,7 * * *'],
    timezoneName: 'Europe/London',
  })
  assert.equal(agreeing.timezoneName, 'Europe/London')
  assert.equal(
    canonicalizeSpec({ cronString: ['TZ=Asia/Tokyo @daily'] }).timezoneName,
    'Asia/Tokyo',
  )
  // Idempotent, and what it returns compiles to the same times.
  assert.deepEqual(canonicalizeSpec(fromCron), fromCron)
})

test('converted calendars are appended after the given ones, cron strings last', () => {
  const given = { ...midnightDaily, comment: 'given' }
  const spec = canonicalizeSpec({
    cronString: ['0 0 * * * # from cron'],
    calendar: [{ comment: 'from calendar' }],
    structuredCalendar: [given],
    excludeCalendar: [{ dayOfWeek: 'sat' }],
  })
  assert.deepEqual(
    spec.structuredCalendar?.map((c) => c.comment),
    ['given', 'from calendar', 'from cron'],
  )
  assert.deepEqual(spec.excludeStructuredCalendar?.[0]?.dayOfWeek, [{ start: 6 }])
  assert.deepEqual(spec.excludeCalendar, [])
})

test('DescribeSchedule shows ranges with end and step filled in (CleanSpec)', () => {
  const clean = cleanSpec(canonicalizeSpec({ cronString: ['5 */2 * * *'] }))
  const cal = clean.structuredCalendar![0]!
  assert.deepEqual(cal.minute, [{ start: 5, end: 5, step: 1 }])
  assert.deepEqual(cal.hour, [{ start: 0, end: 23, step: 2 }])
  assert.deepEqual(cal.year, [])
})

function assertInvalid(spec: ScheduleSpec, message: string): void {
  assert.throws(
    () => canonicalizeSpec(spec),
    (e: unknown) =>
      e instanceof InvalidArgumentError && e.message === `Invalid schedule spec: ${message}`,
    message,
  )
  assert.throws(() => compileSpec(spec), InvalidArgumentError)
}

test('invalid specs fail with InvalidArgument and Temporal wording', () => {
  assertInvalid({ cronString: ['0 0 * *'] }, 'CronString does not have 5-7 fields')
  assertInvalid(
    { cronString: ['@every 5 minutes'] },
    'time: unknown unit " minutes" in duration "5 minutes"',
  )
  assertInvalid({ interval: [{ interval: { seconds: long(0) } }] }, 'interval is too small')
  assertInvalid(
    { interval: [{ interval: { seconds: long(-43 * 3600) } }] },
    'interval is too small',
  )
  assertInvalid({ interval: [{ interval: { nanos: 999_000_000 } }] }, 'interval is too small')
  assertInvalid({ interval: [{}] }, 'interval is too small')
  assertInvalid({ cronString: ['@every 0s'] }, 'interval is too small')
  assertInvalid(
    { interval: [{ interval: { seconds: long(3 * 3600) }, phase: { seconds: long(4 * 3600) } }] },
    'phase cannot be greater than Interval',
  )
  assertInvalid({ cronString: ['@every 3h/3h'] }, 'phase cannot be greater than Interval')
  assertInvalid(
    { interval: [{ interval: minutes(5), phase: { seconds: long(-1) } }] },
    'phase is negative',
  )
  assertInvalid(
    { structuredCalendar: [{ hour: [{ start: 25 }] }] },
    'invalid calendar spec: Hour Start is not in range [0-23]',
  )
  assertInvalid({ calendar: [{ month: '13' }] }, 'Month is not in range [1-12]')
  assertInvalid(
    { cronString: ['0 25 * 13 *'] },
    'Hour is not in range [0-23], Month is not in range [1-12]',
  )
  assertInvalid({ calendar: [{ minute: '*/0' }] }, 'Minute has invalid Step')
  assertInvalid({ timezoneName: 'Nowhere/Atlantis' }, 'unknown time zone Nowhere/Atlantis')
  assertInvalid(
    { cronString: ['CRON_TZ=Nowhere/Atlantis 0 0 * * *'] },
    'unknown time zone Nowhere/Atlantis',
  )
  assertInvalid(
    { cronString: ['CRON_TZ=America/New_York 23 5,7 * * *'], timezoneName: 'Europe/London' },
    'conflicting timezone names',
  )
  assertInvalid(
    { cronString: ['CRON_TZ=Europe/London 23 5,7 * * *', 'CRON_TZ=America/New_York 0 0 * * *'] },
    'conflicting timezone names',
  )
  assertInvalid(
    { cronString: ['23 5,7 * * *', 'CRON_TZ=Europe/London 0 0 * * *'] },
    'conflicting timezone names',
  )
  assertInvalid(
    { timezoneName: 'Europe/London', timezoneData: new Uint8Array([84, 90, 105, 102]) },
    'timezone_data is not supported by this server; use timezone_name',
  )
})

test('an end time before the start time is accepted and never fires', () => {
  const spec = {
    interval: [{ interval: minutes(1) }],
    startTime: ts(utc(2024, 2, 1)),
    endTime: ts(utc(2024, 1, 1)),
  }
  assert.equal(compileSpec(spec).getNextTime(utc(2023, 1, 1)), undefined)
})

test('intervals are aligned to the epoch, shifted by the phase (TestSpecInterval*)', () => {
  const after = utc(2022, 3, 23, 12, 53, 2)
  assert.deepEqual(sequence({ interval: [{ interval: minutes(90) }] }, after, 3), [
    utc(2022, 3, 23, 13, 30),
    utc(2022, 3, 23, 15),
    utc(2022, 3, 23, 16, 30),
  ])
  const phased = { interval: minutes(90), phase: { seconds: long(5 * 60 + 44) } }
  assert.deepEqual(sequence({ interval: [phased] }, after, 2), [
    utc(2022, 3, 23, 13, 35, 44),
    utc(2022, 3, 23, 15, 5, 44),
  ])
  const second = { interval: minutes(157), phase: { seconds: long(22 * 60 + 11) } }
  assert.deepEqual(sequence({ interval: [phased, second] }, after, 5), [
    utc(2022, 3, 23, 13, 35, 44),
    utc(2022, 3, 23, 15, 5, 44),
    utc(2022, 3, 23, 15, 26, 11),
    utc(2022, 3, 23, 16, 35, 44),
    utc(2022, 3, 23, 18, 3, 11),
  ])
  assert.deepEqual(sequence({ cronString: ['@every 1h/19m'] }, utc(2024, 1, 1, 10, 30), 2), [
    utc(2024, 1, 1, 11, 19),
    utc(2024, 1, 1, 12, 19),
  ])
})

test('calendars, cron strings and intervals form one union (TestSpecMixedCalendarInterval)', () => {
  const spec = {
    calendar: [{ hour: '11,13', minute: '55' }],
    interval: [{ interval: minutes(90), phase: minutes(7) }],
    cronString: ['0 12 * * *'],
  }
  assert.deepEqual(sequence(spec, utc(2022, 3, 23, 10), 6), [
    utc(2022, 3, 23, 10, 37),
    utc(2022, 3, 23, 11, 55),
    utc(2022, 3, 23, 12),
    utc(2022, 3, 23, 12, 7),
    utc(2022, 3, 23, 13, 37),
    utc(2022, 3, 23, 13, 55),
  ])
})

test('exclusions remove times (TestSpecExclude, TestExcludeAll)', () => {
  const spec = {
    interval: [{ interval: minutes(90) }],
    excludeCalendar: [{ hour: '12-14', minute: '*', second: '*' }],
    jitter: { seconds: long(1) },
  }
  assert.deepEqual(sequence(spec, utc(2022, 3, 23, 8), 4), [
    utc(2022, 3, 23, 9, 0, 0, 235),
    utc(2022, 3, 23, 10, 30, 0, 139),
    utc(2022, 3, 23, 15, 0, 0, 89),
    utc(2022, 3, 23, 16, 30, 0, 687),
  ])
  const weekdays = {
    cronString: ['0 9 * * *'],
    excludeCalendar: [{ second: '*', minute: '*', hour: '*', dayOfWeek: 'sat,sun' }],
  }
  assert.deepEqual(sequence(weekdays, utc(2024, 1, 5, 10), 1), [utc(2024, 1, 8, 9)])
  const excludeAll = {
    interval: [{ interval: { seconds: long(7 * 86_400) } }],
    excludeCalendar: [{ second: '*', minute: '*', hour: '*' }],
  }
  assert.equal(compileSpec(excludeAll).getNextTime(utc(2022, 3, 23, 12, 53, 2)), undefined)
})

test('a spec that excludes nearly everything fails after maxIterations', () => {
  const spec = {
    calendar: [{ second: '*', minute: '*', hour: '*' }],
    excludeCalendar: [{ second: '*', minute: '*', hour: '*' }],
  }
  const cs = compileSpec(spec, { maxIterations: 10_000 })
  assert.throws(() => cs.getNextTime(utc(2022, 3, 23, 12)), /too many exclusions/)
  assert.throws(() => matchingTimes(cs, 0, 1), InvalidArgumentError)
})

test('start and end times bound the times (TestSpecStartTime, TestSpecEndTime)', () => {
  const every90 = { interval: [{ interval: minutes(90) }], jitter: { seconds: long(1) } }
  assert.deepEqual(
    sequence({ ...every90, startTime: ts(utc(2022, 3, 23, 12)) }, utc(2022, 3, 23, 8), 3),
    [
      utc(2022, 3, 23, 12, 0, 0, 162),
      utc(2022, 3, 23, 13, 30, 0, 587),
      utc(2022, 3, 23, 15, 0, 0, 89),
    ],
  )
  assert.deepEqual(
    sequence({ ...every90, endTime: ts(utc(2022, 3, 23, 14)) }, utc(2022, 3, 23, 11), 5),
    [utc(2022, 3, 23, 12, 0, 0, 162), utc(2022, 3, 23, 13, 30, 0, 587)],
  )
  // Times from one second before start_time count, so 12:00:00 precedes a 12:00:00.456 start
  // but is not after a search from 12:00:00.123 (TestSpecStartTimeMinusOneSecond).
  const hourly = {
    interval: [{ interval: minutes(60) }],
    startTime: ts(utc(2022, 3, 23, 12, 0, 0, 456)),
  }
  assert.deepEqual(sequence(hourly, utc(2022, 3, 23, 12, 0, 0, 123), 1), [utc(2022, 3, 23, 13)])
  assert.deepEqual(sequence(hourly, utc(2022, 3, 23, 8), 1), [utc(2022, 3, 23, 12)])
  // Without a start time nothing before the epoch is produced, and nothing after 2100.
  assert.deepEqual(sequence({ cronString: ['@yearly'] }, utc(1950, 6, 1), 1), [utc(1970, 1, 1)])
  assert.equal(compileSpec({ cronString: ['@yearly'] }).getNextTime(utc(2100, 1, 1)), undefined)
  assert.equal(
    compileSpec({ interval: [{ interval: minutes(60) }] }).getNextTime(utc(2100, 12, 31, 23)),
    undefined,
  )
})

test('ListScheduleMatchingTimes returns jittered times in (start, end], at most 1000', () => {
  const spec = { cronString: ['0 * * * *'], jitter: minutes(10) }
  const seed = 'namespace-id-schedule-id'
  const times = matchingTimes(spec, utc(2024, 1, 1), utc(2024, 1, 1, 5), { jitterSeed: seed })
  assert.deepEqual(
    times,
    sequence(spec, utc(2024, 1, 1), 5, seed).filter((t) => t <= utc(2024, 1, 1, 5)),
  )
  assert.ok(times.every((t, i) => t >= utc(2024, 1, 1, i + 1) && t < utc(2024, 1, 1, i + 1, 10)))
  assert.deepEqual(
    matchingTimes({ cronString: ['0 * * * *'] }, utc(2024, 1, 1), utc(2024, 1, 1, 2)),
    [utc(2024, 1, 1, 1), utc(2024, 1, 1, 2)],
  )
  const many = matchingTimes({ cronString: ['* * * * *'] }, utc(2024, 1, 1), utc(2024, 1, 3))
  assert.equal(many.length, MAX_LIST_MATCHING_TIMES)
  assert.equal(many.at(-1), utc(2024, 1, 1, 16, 40))
})

test('bench sanity: a year of daily times in a DST zone is cheap', (t) => {
  const cs = compileSpec({
    cronString: ['30 2 * * *', '*/15 9-17 * * mon-fri'],
    timezoneName: 'America/New_York',
    jitter: minutes(1),
  })
  let after = utc(2024, 1, 1)
  let calls = 0
  const started = performance.now()
  while (after < utc(2025, 1, 1)) {
    const r = cs.getNextTime(after)!
    assert.ok(r.next > after)
    after = r.next
    calls++
  }
  const perCall = ((performance.now() - started) * 1000) / calls
  t.diagnostic(`${calls} getNextTime calls, ${perCall.toFixed(2)} µs each`)
})
