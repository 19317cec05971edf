/**
 * A compiled `StructuredCalendarSpec`: does an instant match, and which is the first matching
 * instant after a given one. Results, including every DST quirk, are those of Temporal's
 * `compiledCalendar` (`service/worker/scheduler/calendar.go`); the search itself is ours: each
 * field jumps straight to its next allowed value through a lookup table instead of counting up one
 * by one, so a call costs a handful of steps rather than up to a year of seconds.
 *
 * Semantics carried over from Temporal:
 * - A time matches when every field matches; day of month and day of week are ANDed (no cron
 *   "either" rule). An empty range list matches nothing, except for year, where it means every
 *   year (the proto's StructuredCalendarSpec comment). Defaults such as "second 0" exist only in
 *   the string forms, which fill them in before this point.
 * - Resolution is one second; no time after 2100 is produced.
 * - The search walks wall-clock fields in the spec's zone and turns a candidate into an instant
 *   with Go's `time.Date` normalisation (`TimeZone.fromWall`). A wall time that does not exist
 *   (spring forward) is skipped. For a repeated hour (fall back), crossing from hour h to h+1
 *   while the two starts are more than an hour apart searches hour h once more, shifted an hour
 *   later, so both passes of the hour fire, and a search starting inside the second pass keeps
 *   that shift. West of UTC (New York) this yields both 01:30s; at or east of UTC (London,
 *   Berlin) Go resolves the ambiguous wall time to its second pass, so a calendar naming the
 *   repeated hour directly fires once, in the second pass, and an hourly one skips 02:00 CET.
 *   Temporal does exactly this, so we do too.
 */
import { MAX_CALENDAR_YEAR, type Range, type StructuredCalendarSpec } from './spec-types.js'
import { daysFromCivil, daysInMonth, wallFields, wallHour, type TimeZone } from './timezone.js'

const DAY = 86_400
const NONE = -1

/** Start, inclusive end and positive step of a range, with the proto defaults applied. */
function bounds(r: Range): [start: number, end: number, step: number] {
  const start = r.start ?? 0
  const step = r.step ?? 0
  return [start, Math.max(r.end ?? 0, start), step > 0 ? step : 1]
}

/**
 * The allowed values of a clock or date field. Temporal keeps them in a 64-bit mask, so values
 * outside 0..63 (possible only in unvalidated exclusion calendars) can never match.
 */
class FieldSet {
  /** `next[v]`: the smallest allowed value >= v, or NONE. */
  private readonly next = new Int8Array(65).fill(NONE)

  constructor(ranges: Range[] | null | undefined) {
    const allowed = new Array<boolean>(64).fill(false)
    for (const r of ranges ?? []) {
      const [start, end, step] = bounds(r)
      const first = start >= 0 ? start : start + Math.ceil(-start / step) * step
      for (let v = first; v <= Math.min(end, 63); v += step) allowed[v] = true
    }
    for (let v = 63; v >= 0; v--) this.next[v] = allowed[v] ? v : this.next[v + 1]!
  }

  get empty(): boolean {
    return this.next[0] === NONE
  }

  has(v: number): boolean {
    return this.next[v] === v
  }

  /** The smallest allowed value >= v, or NONE. */
  from(v: number): number {
    return v <= 63 ? this.next[v]! : NONE
  }
}

/** Allowed years, kept as ranges; no ranges at all means every year. */
class YearSet {
  private readonly ranges: [number, number, number][]

  constructor(ranges: Range[] | null | undefined) {
    this.ranges = (ranges ?? []).map(bounds)
  }

  has(y: number): boolean {
    return (
      this.ranges.length === 0 ||
      this.ranges.some(([s, e, k]) => y >= s && y <= e && (y - s) % k === 0)
    )
  }

  /** The smallest allowed year >= y, or NONE. */
  from(y: number): number {
    if (this.ranges.length === 0) return y
    let best = NONE
    for (const [s, e, k] of this.ranges) {
      const candidate = y <= s ? s : s + Math.ceil((y - s) / k) * k
      if (candidate <= e && (best === NONE || candidate < best)) best = candidate
    }
    return best
  }
}

function wallOf(y: number, mo: number, d: number, h: number, m: number, s: number): number {
  return daysFromCivil(y, mo, d) * DAY + h * 3600 + m * 60 + s
}

/** One calendar of a spec, bound to the spec's time zone. */
export class CompiledCalendar {
  private readonly year: YearSet
  private readonly month: FieldSet
  private readonly dayOfMonth: FieldSet
  private readonly dayOfWeek: FieldSet
  private readonly hour: FieldSet
  private readonly minute: FieldSet
  private readonly second: FieldSet
  /** Some field allows nothing, so no time can ever match. */
  private readonly never: boolean

  constructor(
    cal: StructuredCalendarSpec,
    private readonly tz: TimeZone,
  ) {
    this.year = new YearSet(cal.year)
    this.month = new FieldSet(cal.month)
    this.dayOfMonth = new FieldSet(cal.dayOfMonth)
    this.dayOfWeek = new FieldSet(cal.dayOfWeek)
    this.hour = new FieldSet(cal.hour)
    this.minute = new FieldSet(cal.minute)
    this.second = new FieldSet(cal.second)
    this.never = [
      this.month,
      this.dayOfMonth,
      this.dayOfWeek,
      this.hour,
      this.minute,
      this.second,
    ].some((f) => f.empty)
  }

  /** Whether the instant (whole seconds since the epoch) matches, read on the zone's clocks. */
  matches(sec: number): boolean {
    const f = wallFields(this.tz.toWall(sec))
    return (
      this.year.has(f.year) &&
      this.month.has(f.month) &&
      this.dayOfMonth.has(f.day) &&
      this.dayOfWeek.has(f.weekday) &&
      this.hour.has(f.hour) &&
      this.minute.has(f.minute) &&
      this.second.has(f.second)
    )
  }

  /**
   * The first matching instant (whole seconds) strictly after `after` (whole seconds), or
   * undefined if none comes before the end of 2100.
   */
  next(after: number): number | undefined {
    if (this.never) return undefined
    const tz = this.tz
    let { year: y, month: mo, day: d, hour: h, minute: m, second: s } = wallFields(tz.toWall(after))
    // Inside the second pass of a repeated hour, the clock an hour ago showed the same hour;
    // wall times found in this hour then mean the pass an hour later.
    let shift = !tz.isUtc && wallHour(tz.toWall(after - 3600)) === h ? 3600 : 0
    s++
    for (;;) {
      if (s >= 60) {
        m++
        s = 0
      }
      if (m >= 60) {
        m = 0
        const repeated =
          shift === 0 &&
          !tz.isUtc &&
          tz.fromWall(wallOf(y, mo, d, h + 1, 0, 0)) - tz.fromWall(wallOf(y, mo, d, h, 0, 0)) > 3600
        if (repeated) {
          shift = 3600 // search hour h again, as its second pass
        } else {
          h++
          shift = 0
        }
      }
      if (h >= 24) {
        d++
        h = 0
      }
      if (d > daysInMonth(y, mo)) {
        mo++
        d = 1
      }
      if (mo > 12) {
        y++
        mo = 1
      }
      if (y > MAX_CALENDAR_YEAR) return undefined

      if (!this.year.has(y)) {
        y = this.year.from(y + 1)
        if (y === NONE || y > MAX_CALENDAR_YEAR) return undefined
        mo = d = 1
        h = m = s = shift = 0
        continue
      }
      const nextMonth = this.month.from(mo)
      if (nextMonth !== mo) {
        d = 1
        h = m = s = shift = 0
        if (nextMonth === NONE || nextMonth > 12) {
          mo = 13 // rolls into next year above
          continue
        }
        mo = nextMonth
      }
      const day = this.findDay(y, mo, d, h, m, s)
      if (day !== d) {
        // A later day (or, with d = 32, the first of next month): its search starts at midnight.
        d = day === NONE ? 32 : day
        h = m = s = shift = 0
        if (day === NONE) continue
      }
      const nextHour = this.hour.from(h)
      if (nextHour !== h) {
        m = s = shift = 0
        if (nextHour === NONE || nextHour > 23) {
          h = 24
          continue
        }
        h = nextHour
      }
      const nextMinute = this.minute.from(m)
      if (nextMinute !== m) {
        s = 0
        if (nextMinute === NONE || nextMinute > 59) {
          m = 60
          continue
        }
        m = nextMinute
      }
      const nextSecond = this.second.from(s)
      if (nextSecond === NONE || nextSecond > 59) {
        s = 60
        continue
      }
      s = nextSecond
      const t = tz.fromWall(wallOf(y, mo, d, h, m, s))
      // Go's normalisation moved a nonexistent (spring-forward) time to another hour: skip it.
      if (!tz.isUtc && wallHour(tz.toWall(t)) !== h) {
        h++
        m = s = 0
        continue
      }
      return t + shift
    }
  }

  /**
   * The first day >= d of the month allowed by both day fields, or NONE.
   * The weekday of day d is taken at the clock time h:m:s reached so far, and that of later days
   * at midnight, after Go's normalisation: Temporal checks `time.Date(y, mo, d, h, m, s).Weekday()`,
   * which names the previous day when midnight falls in a DST gap (as in America/Santiago).
   */
  private findDay(y: number, mo: number, d: number, h: number, m: number, s: number): number {
    const last = daysInMonth(y, mo)
    for (let day = this.dayOfMonth.from(d); day !== NONE && day <= last;) {
      const wall = day === d ? wallOf(y, mo, day, h, m, s) : wallOf(y, mo, day, 0, 0, 0)
      const shown = this.tz.isUtc ? wall : this.tz.toWall(this.tz.fromWall(wall))
      const weekday = (((Math.floor(shown / DAY) + 4) % 7) + 7) % 7
      if (this.dayOfWeek.has(weekday)) return day
      day = this.dayOfMonth.from(day + 1)
    }
    return NONE
  }
}
