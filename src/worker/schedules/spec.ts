/**
 * The schedule spec engine of Temporal's ScheduleService, as pure functions over the
 * `temporal.api.schedule.v1.ScheduleSpec` proto:
 *
 * - `canonicalizeSpec`: what CreateSchedule/UpdateSchedule store (cron strings and string
 *   calendars compiled into structured calendars and intervals), or `InvalidArgumentError`.
 * - `cleanSpec`: the stored form as DescribeSchedule/ListSchedules show it.
 * - `compileSpec(...).getNextTime`: the next action time, nominal and jittered.
 * - `matchingTimes`: ListScheduleMatchingTimes.
 *
 * Behaviour follows `service/worker/scheduler/spec.go` (Temporal's `CompiledSpec`), which both
 * the workflow-based scheduler and the CHASM one (`chasm/lib/scheduler`) use; calendar and cron
 * details live in `calendar.ts`, `calendar-parse.ts` and `cron-spec.ts`. `timezone_data` (an
 * inline TZif file) is not supported: a spec carrying it is refused rather than silently read
 * with the server's zone data.
 */
import { InvalidArgumentError } from '../../common/errors.js'
import { msFromDuration, msFromTimestamp } from '../../common/time.js'
import { CompiledCalendar } from './calendar.js'
import { parseCalendarToStructured, validateStructuredCalendar } from './calendar-parse.js'
import { parseCronString } from './cron-spec.js'
import { jitterMs } from './jitter.js'
import {
  MAX_CALENDAR_YEAR,
  SpecError,
  type Duration,
  type IntervalSpec,
  type Range,
  type ScheduleSpec,
  type StructuredCalendarSpec,
} from './spec-types.js'
import { loadTimezone } from './timezone.js'

export type { ScheduleSpec } from './spec-types.js'

/** ListScheduleMatchingTimes returns at most this many times (`maxListMatchingTimesCount`). */
export const MAX_LIST_MATCHING_TIMES = 1000

/**
 * Default bound on excluded candidates skipped by one `getNextTime`. Temporal's bound
 * (dynamic config) is off by default, but there the search runs in a worker; here it would
 * block the event loop, so a spec whose exclusions swallow (nearly) everything fails fast. A
 * million covers, say, a per-second calendar with whole weekends excluded.
 */
export const DEFAULT_MAX_ITERATIONS = 1_000_000

/** Temporal's `ErrScheduleSpecLimitHit` text. */
const TOO_MANY_EXCLUSIONS =
  'the schedule calendar specification has too many exclusions. Please modify the specification.'

/** The first instant of 2101 (UTC): nothing at or after it is ever produced. */
const END_OF_CALENDAR_MS = Date.UTC(MAX_CALENDAR_YEAR + 1, 0, 1)

/** A time the spec produces. */
export interface NextTime {
  /** Epoch ms of the matching time before jitter (always a whole second). */
  nominal: number
  /** Epoch ms at which to act: `nominal` plus jitter. */
  next: number
}

/** Options for `compileSpec` and `matchingTimes`. */
export interface CompileOptions {
  /** Seeds the jitter; Temporal uses `"<namespaceId>-<scheduleId>"`. Default "". */
  jitterSeed?: string
  /** See `DEFAULT_MAX_ITERATIONS`. */
  maxIterations?: number
}

function rethrowAsInvalidArgument(e: unknown): never {
  if (e instanceof SpecError) throw new InvalidArgumentError(`Invalid schedule spec: ${e.message}`)
  throw e
}

function nanos(d: Duration | null | undefined): bigint {
  if (d == null) return 0n
  const s = d.seconds
  const seconds = s == null ? 0n : BigInt(typeof s === 'number' ? Math.trunc(s) : s.toString())
  return seconds * 1_000_000_000n + BigInt(d.nanos ?? 0)
}

const copyRanges = (ranges: Range[] | null | undefined): Range[] | null | undefined =>
  ranges?.map((r) => ({ ...r }))

function copyCalendar(cal: StructuredCalendarSpec): StructuredCalendarSpec {
  return {
    ...cal,
    second: copyRanges(cal.second),
    minute: copyRanges(cal.minute),
    hour: copyRanges(cal.hour),
    dayOfMonth: copyRanges(cal.dayOfMonth),
    month: copyRanges(cal.month),
    year: copyRanges(cal.year),
    dayOfWeek: copyRanges(cal.dayOfWeek),
  }
}

function validateInterval(iv: IntervalSpec | null | undefined): void {
  if (iv == null) throw new SpecError('interval is nil')
  const interval = nanos(iv.interval)
  const phase = nanos(iv.phase)
  if (interval < 1_000_000_000n) throw new SpecError('interval is too small')
  if (phase < 0n) throw new SpecError('phase is negative')
  if (phase >= interval) throw new SpecError('phase cannot be greater than Interval')
}

function hasTimezoneData(spec: ScheduleSpec): boolean {
  return spec.timezoneData != null && spec.timezoneData.length > 0
}

function canonicalize(spec: ScheduleSpec): ScheduleSpec {
  // Order matters for equality with Temporal's output: structured calendars given directly come
  // first, then those from `calendar`, then those from cron strings (`canonicalizeSpec`).
  const structuredCalendar = (spec.structuredCalendar ?? []).map(copyCalendar)
  const excludeStructuredCalendar = (spec.excludeStructuredCalendar ?? []).map(copyCalendar)
  const interval: IntervalSpec[] = (spec.interval ?? []).map((iv) => ({ ...iv }))
  for (const cal of spec.calendar ?? []) structuredCalendar.push(parseCalendarToStructured(cal))
  for (const cal of spec.excludeCalendar ?? []) {
    excludeStructuredCalendar.push(parseCalendarToStructured(cal))
  }

  // All cron strings must agree on their zone, an absent one included.
  let cronZone: string | undefined
  for (const text of spec.cronString ?? []) {
    const parsed = parseCronString(text)
    if (cronZone !== undefined && parsed.timezoneName !== cronZone) {
      throw new SpecError('conflicting timezone names')
    }
    cronZone = parsed.timezoneName
    if (parsed.calendar) structuredCalendar.push(parsed.calendar)
    if (parsed.interval) interval.push(parsed.interval)
  }
  let timezoneName = spec.timezoneName ?? ''
  if (cronZone) {
    if ((timezoneName !== '' && timezoneName !== cronZone) || hasTimezoneData(spec)) {
      throw new SpecError('conflicting timezone names')
    }
    timezoneName = cronZone
  }

  // Temporal validates only the calendars that add times, not exclusions.
  structuredCalendar.forEach(validateStructuredCalendar)
  interval.forEach(validateInterval)
  // Zone errors surface at CreateSchedule too: Temporal's frontend compiles the spec there.
  loadTimezone(timezoneName)
  if (hasTimezoneData(spec)) {
    throw new SpecError('timezone_data is not supported by this server; use timezone_name')
  }
  return {
    ...spec,
    structuredCalendar,
    cronString: [],
    calendar: [],
    interval,
    excludeCalendar: [],
    excludeStructuredCalendar,
    timezoneName,
  }
}

/**
 * The canonical form Temporal stores for a spec: `cron_string`, `calendar` and
 * `exclude_calendar` compiled into `structured_calendar`, `interval` and
 * `exclude_structured_calendar` (appended after the entries already there), and the CRON_TZ
 * zone copied into `timezone_name`. Idempotent. Throws `InvalidArgumentError` with Temporal's
 * message ("Invalid schedule spec: ...") for a bad cron string or calendar field, a structured
 * range out of bounds, an interval under one second, a negative phase or one not below the
 * interval, conflicting zones, or an unknown zone. An `end_time` before `start_time` is
 * accepted, as in Temporal: such a spec simply never fires.
 */
export function canonicalizeSpec(spec: ScheduleSpec): ScheduleSpec {
  try {
    return canonicalize(spec)
  } catch (e: unknown) {
    rethrowAsInvalidArgument(e)
  }
}

/**
 * The canonical spec as DescribeSchedule and ListSchedules return it (`CleanSpec`): each range
 * with `end` raised to `start` when below it and `step` 0 shown as 1.
 */
export function cleanSpec(spec: ScheduleSpec): ScheduleSpec {
  const clean = (ranges: Range[] | null | undefined): Range[] | null | undefined =>
    ranges?.map((r) => {
      const start = r.start ?? 0
      return { start, end: Math.max(r.end ?? 0, start), step: r.step || 1 }
    })
  const cleanCalendar = (cal: StructuredCalendarSpec): StructuredCalendarSpec => ({
    ...cal,
    second: clean(cal.second),
    minute: clean(cal.minute),
    hour: clean(cal.hour),
    dayOfMonth: clean(cal.dayOfMonth),
    month: clean(cal.month),
    year: clean(cal.year),
    dayOfWeek: clean(cal.dayOfWeek),
  })
  return {
    ...spec,
    structuredCalendar: spec.structuredCalendar?.map(cleanCalendar),
    excludeStructuredCalendar: spec.excludeStructuredCalendar?.map(cleanCalendar),
  }
}

/** A spec ready to answer "when next?". Build it with `compileSpec`. */
export class CompiledSpec {
  /** The canonical form (as `canonicalizeSpec` returns it). */
  readonly canonical: ScheduleSpec
  private readonly calendars: CompiledCalendar[]
  private readonly excludes: CompiledCalendar[]
  /** [interval, phase] in whole seconds, truncated as Temporal truncates them. */
  private readonly intervals: [number, number][]
  private readonly startMs: number
  private readonly endMs: number | undefined
  private readonly jitterMs: number
  private readonly jitterSeed: string
  private readonly maxIterations: number

  /** @internal Use `compileSpec`. */
  constructor(canonical: ScheduleSpec, options: CompileOptions) {
    this.canonical = canonical
    const tz = loadTimezone(canonical.timezoneName ?? '')
    this.calendars = (canonical.structuredCalendar ?? []).map((c) => new CompiledCalendar(c, tz))
    this.excludes = (canonical.excludeStructuredCalendar ?? []).map(
      (c) => new CompiledCalendar(c, tz),
    )
    this.intervals = (canonical.interval ?? []).map((iv) => [
      Math.max(Number(nanos(iv.interval) / 1_000_000_000n), 1),
      Math.max(Number(nanos(iv.phase) / 1_000_000_000n), 0),
    ])
    // An unset start time reads as the Unix epoch in Temporal (`AsTime()` of nil).
    this.startMs = msFromTimestamp(canonical.startTime)
    this.endMs = canonical.endTime ? msFromTimestamp(canonical.endTime) : undefined
    this.jitterMs = msFromDuration(canonical.jitter)
    this.jitterSeed = options.jitterSeed ?? ''
    this.maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS
  }

  /**
   * The first time strictly after `after` (epoch ms) that matches a calendar or interval, is not
   * excluded, and is not after `end_time`; undefined when there is none. Times from one second
   * before `start_time` on count, as in Temporal, so a nominal time may precede a `start_time`
   * that has a fraction of a second. `next` adds jitter: a deterministic value from the seed and
   * the nominal time, below both `jitter` and the gap to the following nominal time (exclusions
   * and end time aside, as Temporal has it). Throws `InvalidArgumentError` when more than
   * `maxIterations` excluded candidates are skipped.
   */
  getNextTime(after: number): NextTime | undefined {
    let cursor = Math.max(after, this.startMs - 1000)
    let nominal: number | undefined
    for (let skipped = 0; ; skipped++) {
      if (skipped >= this.maxIterations) throw new InvalidArgumentError(TOO_MANY_EXCLUSIONS)
      nominal = this.rawNextTime(cursor)
      if (nominal === undefined || this.pastEnd(nominal)) return undefined
      if (!this.excluded(nominal)) break
      cursor = nominal
    }
    if (this.jitterMs <= 0) return { nominal, next: nominal }
    const following = this.rawNextTime(nominal)
    const maxJitter =
      following === undefined ? this.jitterMs : Math.min(this.jitterMs, following - nominal)
    return { nominal, next: nominal + jitterMs(this.jitterSeed, nominal, maxJitter) }
  }

  /** The earliest calendar or interval time after `afterMs`, ignoring exclusions and bounds. */
  private rawNextTime(afterMs: number): number | undefined {
    const after = Math.floor(afterMs / 1000)
    let best = Infinity
    for (const cal of this.calendars) {
      const t = cal.next(after)
      if (t !== undefined && t < best) best = t
    }
    for (const [interval, phase] of this.intervals) {
      // epoch + n * interval + phase, with Go's truncating division.
      const t = (Math.trunc((after - phase) / interval) + 1) * interval + phase
      if (t < best) best = t
    }
    return best === Infinity ? undefined : best * 1000
  }

  private pastEnd(ms: number): boolean {
    return (this.endMs !== undefined && ms > this.endMs) || ms >= END_OF_CALENDAR_MS
  }

  private excluded(ms: number): boolean {
    return this.excludes.some((c) => c.matches(ms / 1000))
  }
}

/**
 * Canonicalizes and compiles a spec (Temporal's `SpecBuilder.NewCompiledSpec`). Throws
 * `InvalidArgumentError` as `canonicalizeSpec` does.
 */
export function compileSpec(spec: ScheduleSpec, options: CompileOptions = {}): CompiledSpec {
  return new CompiledSpec(canonicalizeSpec(spec), options)
}

/**
 * ListScheduleMatchingTimes: the jittered action times in (startTime, endTime], epoch ms, at most
 * `MAX_LIST_MATCHING_TIMES` of them. As in Temporal, each search continues from the previous
 * jittered time, and a time whose jitter pushes it past `endTime` ends the list.
 */
export function matchingTimes(
  spec: ScheduleSpec | CompiledSpec,
  startTime: number,
  endTime: number,
  options: CompileOptions = {},
): number[] {
  const compiled = spec instanceof CompiledSpec ? spec : compileSpec(spec, options)
  const times: number[] = []
  for (let t = startTime; times.length < MAX_LIST_MATCHING_TIMES;) {
    const result = compiled.getNextTime(t)
    if (result === undefined || result.next > endTime) break
    times.push(result.next)
    t = result.next
  }
  return times
}
