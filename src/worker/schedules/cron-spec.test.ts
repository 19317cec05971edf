import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseCronString, parseGoDuration } from './cron-spec.js'
import type { Duration } from './spec-types.js'

const seconds = (d: Duration | undefined): number => Number(d?.seconds?.toString() ?? 0)

test('durations parse like Go time.ParseDuration plus Temporal days', () => {
  assert.equal(parseGoDuration('90m'), 5_400_000_000_000n)
  assert.equal(parseGoDuration('1h30m15s'), 5_415_000_000_000n)
  assert.equal(parseGoDuration('1.5s'), 1_500_000_000n)
  assert.equal(parseGoDuration('.5h'), 1_800_000_000_000n)
  assert.equal(parseGoDuration('250ms'), 250_000_000n)
  assert.equal(parseGoDuration('3µs'), 3000n)
  assert.equal(parseGoDuration('0'), 0n)
  assert.equal(parseGoDuration('-2m'), -120_000_000_000n)
  assert.equal(parseGoDuration('2d'), 172_800_000_000_000n)
  assert.equal(parseGoDuration('1d12h'), 129_600_000_000_000n)
  assert.throws(() => parseGoDuration(''), /^SpecError: time: invalid duration ""$/)
  assert.throws(() => parseGoDuration('abc'), /time: invalid duration "abc"/)
  assert.throws(() => parseGoDuration('5'), /time: missing unit in duration "5"/)
  assert.throws(() => parseGoDuration('5x'), /time: unknown unit "x" in duration "5x"/)
  assert.throws(() => parseGoDuration('3000000h'), /time: invalid duration/)
})

test('5-field cron strings fill second 0 and every year', () => {
  const { calendar, interval, timezoneName } = parseCronString('5,9 */2 * * *')
  assert.equal(interval, undefined)
  assert.equal(timezoneName, '')
  assert.deepEqual(calendar, {
    second: [{ start: 0 }],
    minute: [{ start: 5 }, { start: 9 }],
    hour: [{ start: 0, end: 23, step: 2 }],
    dayOfMonth: [{ start: 1, end: 31 }],
    month: [{ start: 1, end: 12 }],
    year: [],
    dayOfWeek: [{ start: 0, end: 6 }],
    comment: '',
  })
})

test('6-field cron strings end with the year, 7-field ones start with the second', () => {
  const six = parseCronString('0 12 1 jan * 2024-2026').calendar!
  assert.deepEqual(six.year, [{ start: 2024, end: 2026 }])
  assert.deepEqual(six.second, [{ start: 0 }])
  assert.deepEqual(six.month, [{ start: 1 }])

  const seven = parseCronString('CRON_TZ=US/Pacific 55 55,57 5 2/2 * wed-thurs *  # explanation')
  assert.equal(seven.timezoneName, 'US/Pacific')
  assert.deepEqual(seven.calendar, {
    second: [{ start: 55 }],
    minute: [{ start: 55 }, { start: 57 }],
    hour: [{ start: 5 }],
    dayOfMonth: [{ start: 2, end: 31, step: 2 }],
    month: [{ start: 1, end: 12 }],
    year: [],
    dayOfWeek: [{ start: 3, end: 4 }],
    comment: 'explanation',
  })
  assert.equal(parseCronString('TZ=Europe/Berlin 0 9 * * *').timezoneName, 'Europe/Berlin')
})

test('shorthands expand to their 5-field forms', () => {
  const cases: [string, string][] = [
    ['@yearly', '0 0 1 1 *'],
    ['@annually', '0 0 1 1 *'],
    ['@monthly', '0 0 1 * *'],
    ['@weekly', '0 0 * * 0'],
    ['@daily', '0 0 * * *'],
    ['@midnight', '0 0 * * *'],
    ['@hourly', '0 * * * *'],
  ]
  for (const [shorthand, fields] of cases) {
    assert.deepEqual(parseCronString(shorthand), parseCronString(fields), shorthand)
  }
  assert.deepEqual(parseCronString('@monthly').calendar?.dayOfMonth, [{ start: 1 }])
})

test('@every compiles to an interval, with an optional phase', () => {
  const plain = parseCronString('@every 5d')
  assert.equal(plain.calendar, undefined)
  assert.equal(seconds(plain.interval?.interval), 5 * 86_400)
  assert.equal(plain.interval?.phase, undefined)

  const phased = parseCronString('@every 5h/45m')
  assert.equal(seconds(phased.interval?.interval), 5 * 3600)
  assert.equal(seconds(phased.interval?.phase), 45 * 60)

  const fractional = parseCronString('@every 1.5s')
  assert.deepEqual(
    [seconds(fractional.interval?.interval), fractional.interval?.interval.nanos],
    [1, 500_000_000],
  )
  // Temporal drops the zone of an @every string.
  assert.equal(parseCronString('CRON_TZ=Europe/Berlin @every 1h').timezoneName, '')
})

test('bad cron strings fail with Temporal messages', () => {
  const cases: [string, RegExp][] = [
    ['* * *', /^SpecError: CronString does not have 5-7 fields$/],
    ['0 0 1 1 * 2024 0 0', /CronString does not have 5-7 fields/],
    ['@reboot', /CronString does not have 5-7 fields/],
    ['CRON_TZ=Europe/Berlin', /CronString has time zone but missing fields/],
    ['@every', /CronString does not have interval after @every/],
    ['@every nope', /time: invalid duration "nope"/],
    ['0 1 2 3 4 1999', /Year is not in range \[2000-2100\]/],
    ['61 * * * *', /Minute is not in range \[0-59\]/],
    ['0 25 * * *', /Hour is not in range \[0-23\]/],
    ['0 0 * 13 *', /Month is not in range \[1-12\]/],
    ['*/0 * * * *', /Minute has invalid Step/],
    ['0 0 * * 8', /DayOfWeek is not in range \[0-7\]/],
  ]
  for (const [text, message] of cases) assert.throws(() => parseCronString(text), message, text)
})
