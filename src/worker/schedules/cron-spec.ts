/**
 * Cron strings of `ScheduleSpec.cron_string`, parsed as Temporal's `parseCronString`
 * (`service/worker/scheduler/calendar.go`) does: an optional `CRON_TZ=`/`TZ=` prefix, an optional
 * `# comment`, then either `@every <interval>[/<phase>]` or 5 to 7 calendar fields (or one of the
 * `@yearly`-style shorthands). Durations use Go's `time.ParseDuration` plus Temporal's `d` unit
 * (`common/primitives/timestamp/parse_duration.go`), with Go's error texts.
 */
import { parseCalendarToStructured } from './calendar-parse.js'
import {
  SpecError,
  type CalendarSpec,
  type Duration,
  type StructuredCalendarSpec,
} from './spec-types.js'
import { Long } from '../../common/proto.js'

const NS_PER_SECOND = 1_000_000_000n
const MAX_INT64 = (1n << 63n) - 1n

const UNIT_NS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign
  ['\u03bcs', 1_000n], // Greek mu
  ['ms', 1_000_000n],
  ['s', NS_PER_SECOND],
  ['m', 60n * NS_PER_SECOND],
  ['h', 3600n * NS_PER_SECOND],
])

const SHORTHANDS: ReadonlyMap<string, string> = new Map([
  ['@yearly', '0 0 1 1 *'],
  ['@annually', '0 0 1 1 *'],
  ['@monthly', '0 0 1 * *'],
  ['@weekly', '0 0 * * 0'],
  ['@daily', '0 0 * * *'],
  ['@midnight', '0 0 * * *'],
  ['@hourly', '0 * * * *'],
])

/** Nanoseconds of a Go duration string (`1h30m`, `1.5s`, `-2m`, `0`, and Temporal's `3d`). */
export function parseGoDuration(text: string): bigint {
  // Temporal rewrites every "<number>d" as hours first, formatted like Go's %f (six decimals).
  const s = text.replace(
    /(\d+(\.\d*)?|(\.\d+))d/g,
    (m) => `${(24 * Number(m.slice(0, -1))).toFixed(6)}h`,
  )
  const invalid = (): SpecError => new SpecError(`time: invalid duration ${JSON.stringify(s)}`)
  let rest = s
  let negative = false
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-')
    rest = rest.slice(1)
  }
  if (rest === '0') return 0n
  if (rest === '') throw invalid()
  let total = 0n
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)!
    const whole = number[1]!
    const fraction = number[2] ?? ''
    if (whole === '' && fraction === '') throw invalid()
    rest = rest.slice(number[0].length)
    const unitLength = rest.search(/[.\d]/)
    const unit = unitLength < 0 ? rest : rest.slice(0, unitLength)
    if (unit === '') throw new SpecError(`time: missing unit in duration ${JSON.stringify(s)}`)
    rest = rest.slice(unit.length)
    const perUnit = UNIT_NS.get(unit)
    if (perUnit === undefined) {
      throw new SpecError(
        `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(s)}`,
      )
    }
    let value = BigInt(whole === '' ? '0' : whole) * perUnit
    if (fraction !== '') {
      // Go scales the fraction in float64 and truncates; so do we.
      const digits = fraction.slice(0, 18)
      value += BigInt(Math.trunc(Number(digits) * (Number(perUnit) / 10 ** digits.length)))
    }
    total += value
    if (total > 1n << 63n) throw invalid()
  }
  if (!negative && total > MAX_INT64) throw invalid()
  return negative ? -total : total
}

/** A proto Duration for a nanosecond count, split as Go's `durationpb.New` splits it. */
export function durationFromNanos(ns: bigint): Duration {
  return {
    seconds: Long.fromString((ns / NS_PER_SECOND).toString()),
    nanos: Number(ns % NS_PER_SECOND),
  }
}

/** What one cron string compiles to. */
export interface ParsedCronString {
  /** Set for calendar forms. */
  calendar?: StructuredCalendarSpec
  /** Set for `@every`. */
  interval?: { interval: Duration; phase?: Duration }
  /**
   * The CRON_TZ/TZ name, "" when absent. Always "" for `@every`, even after a prefix: Temporal
   * drops the zone of interval strings, which then count as zone-less when cron strings' zones
   * are compared.
   */
  timezoneName: string
}

/** Parses one cron string; throws `SpecError` with Temporal's message when it is invalid. */
export function parseCronString(text: string): ParsedCronString {
  let c = text.trim()
  let timezoneName = ''
  if (c.startsWith('TZ=') || c.startsWith('CRON_TZ=')) {
    const space = c.indexOf(' ')
    if (space < 0) throw new SpecError('CronString has time zone but missing fields')
    const prefix = c.slice(0, space)
    timezoneName = prefix.slice(prefix.indexOf('=') + 1)
    c = c.slice(space + 1)
  }
  const hash = c.indexOf('#')
  const comment = hash < 0 ? '' : c.slice(hash + 1).trim()
  c = (hash < 0 ? c : c.slice(0, hash)).trim()

  if (c.startsWith('@every')) {
    const space = c.indexOf(' ')
    if (space < 0) throw new SpecError('CronString does not have interval after @every')
    const arg = c.slice(space + 1)
    const slash = arg.indexOf('/')
    const interval = durationFromNanos(parseGoDuration(slash < 0 ? arg : arg.slice(0, slash)))
    if (slash < 0 || slash === arg.length - 1) return { interval: { interval }, timezoneName: '' }
    const phase = durationFromNanos(parseGoDuration(arg.slice(slash + 1)))
    return { interval: { interval, phase }, timezoneName: '' }
  }

  const fields = (SHORTHANDS.get(c) ?? c).split(/\s+/).filter((f) => f !== '')
  let cal: CalendarSpec
  if (fields.length === 5) {
    const [minute, hour, dayOfMonth, month, dayOfWeek] = fields
    cal = { minute, hour, dayOfMonth, month, dayOfWeek }
  } else if (fields.length === 6) {
    const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields
    cal = { minute, hour, dayOfMonth, month, dayOfWeek, year }
  } else if (fields.length === 7) {
    const [second, minute, hour, dayOfMonth, month, dayOfWeek, year] = fields
    cal = { second, minute, hour, dayOfMonth, month, dayOfWeek, year }
  } else {
    throw new SpecError('CronString does not have 5-7 fields')
  }
  return { calendar: parseCalendarToStructured({ ...cal, comment }), timezoneName }
}
