/**
 * IANA time zones for the schedule spec engine, on top of `Intl.DateTimeFormat` (Node 20 ships
 * full ICU), with the two conversions the calendar search needs: instant → wall clock, and wall
 * clock → instant normalised exactly as Go's `time.Date` does it, because Temporal's calendar
 * search (`service/worker/scheduler/calendar.go`) leans on that normalisation for DST.
 *
 * Times here are whole seconds since the Unix epoch. A "wall" value is the local clock reading
 * written as if it were UTC seconds (`instant + offset`), so plain arithmetic gives its fields.
 */
import { SpecError } from './spec-types.js'

const DAY = 86_400

/**
 * The offset table is built lazily in slices of this many seconds (about 48 days), each by
 * sampling ICU once a day and bisecting to the second wherever the offset changed. A zone that
 * changes offset twice within one day and ends where it began would be missed; no zone does
 * that in the 2000–2100 window schedules may name.
 */
const SLICE = 1 << 22

/** Days since 1970-01-01 of a proleptic Gregorian date; `day` may run past the month's end. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

/** Clock fields of a wall value; `weekday` is 0 for Sunday, as in Go and in the proto. */
export interface WallFields {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  weekday: number
}

/** Splits a wall value (see the module comment) into calendar fields. */
export function wallFields(wall: number): WallFields {
  const days = Math.floor(wall / DAY)
  const secondOfDay = wall - days * DAY
  // Inverse of daysFromCivil (H. Hinnant's civil_from_days), with March as month 0.
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const dayOfEra = z - era * 146_097
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  )
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const mp = Math.floor((5 * dayOfYear + 2) / 153)
  const month = mp < 10 ? mp + 3 : mp - 9
  return {
    year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: dayOfYear - Math.floor((153 * mp + 2) / 5) + 1,
    hour: Math.floor(secondOfDay / 3600),
    minute: Math.floor(secondOfDay / 60) % 60,
    second: secondOfDay % 60,
    weekday: (((days + 4) % 7) + 7) % 7, // 1970-01-01 was a Thursday
  }
}

/** The hour (0-23) of a wall value, without building all the fields. */
export function wallHour(wall: number): number {
  return Math.floor((((wall % DAY) + DAY) % DAY) / 3600)
}

/** Days in a month; month 13 counts as 30 days, a value the carry logic never relies on. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

interface Slice {
  /** Instants (seconds) from which `offsets[i]` holds; `starts[0]` is the slice start. */
  starts: number[]
  offsets: number[]
}

/** A loaded time zone. Instances are cached and shared; they only ever grow their offset table. */
export class TimeZone {
  private readonly slices = new Map<number, Slice>()

  private constructor(
    /** The name as given in the spec (Temporal keeps the caller's spelling). */
    readonly name: string,
    private readonly format: Intl.DateTimeFormat | undefined,
  ) {}

  /** UTC itself: no ICU lookups at all. */
  static readonly utc = new TimeZone('UTC', undefined)

  /** Builds a zone backed by ICU; throws `SpecError` when ICU does not know the name. */
  static fromIana(name: string): TimeZone {
    // Go's LoadLocation finds only zoneinfo files, so offset strings such as "+05:00", which
    // newer ICU versions accept, are refused here too.
    if (/^[+-]/.test(name)) throw new SpecError(`unknown time zone ${name}`)
    let format: Intl.DateTimeFormat
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      })
    } catch {
      throw new SpecError(`unknown time zone ${name}`)
    }
    return new TimeZone(name, format)
  }

  /** True for UTC, where wall time and instants coincide. */
  get isUtc(): boolean {
    return this.format === undefined
  }

  /** Seconds east of UTC in force at the instant `sec`. */
  offsetAt(sec: number): number {
    if (this.format === undefined) return 0
    const index = Math.floor(sec / SLICE)
    let slice = this.slices.get(index)
    if (slice === undefined) {
      slice = this.buildSlice(index * SLICE)
      this.slices.set(index, slice)
    }
    const { starts, offsets } = slice
    for (let i = starts.length - 1; i > 0; i--) if (sec >= starts[i]!) return offsets[i]!
    return offsets[0]!
  }

  /** The wall value shown by clocks in this zone at the instant `sec`. */
  toWall(sec: number): number {
    return sec + this.offsetAt(sec)
  }

  /**
   * The instant Go's `time.Date(y, mo, d, h, m, s, 0, loc)` returns for a wall value. Go takes
   * the offset in force at the wall value read as UTC, and if the instant that offset yields
   * lies outside that offset's period, uses the offset in force at that instant instead. So a
   * wall time in a spring-forward gap lands an hour away from the requested hour (earlier in
   * zones west of UTC, later east of it), and an ambiguous fall-back time resolves to the first
   * occurrence west of UTC but the second one in zones at or east of UTC (London, Berlin).
   * Overflowing fields (hour 24, day 32) normalise as in Go because wall values are linear.
   */
  fromWall(wall: number): number {
    if (this.format === undefined) return wall
    return wall - this.offsetAt(wall - this.offsetAt(wall))
  }

  private buildSlice(start: number): Slice {
    const end = start + SLICE
    const starts = [start]
    const offsets = [this.icuOffset(start)]
    let from = start
    let current = offsets[0]!
    for (let at = Math.min(start + DAY, end); ; at = Math.min(at + DAY, end)) {
      while (this.icuOffset(at) !== current) {
        // Bisect (from, at] for the first second whose offset differs from `current`.
        let lo = from
        let hi = at
        while (hi - lo > 1) {
          const mid = lo + Math.floor((hi - lo) / 2)
          if (this.icuOffset(mid) === current) lo = mid
          else hi = mid
        }
        current = this.icuOffset(hi)
        starts.push(hi)
        offsets.push(current)
        from = hi
      }
      if (at === end) return { starts, offsets }
      from = at
    }
  }

  private icuOffset(sec: number): number {
    const f = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 }
    let beforeChrist = false
    for (const part of this.format!.formatToParts(sec * 1000)) {
      if (part.type === 'era') beforeChrist = part.value === 'BC'
      else if (part.type in f) f[part.type as keyof typeof f] = Number(part.value)
    }
    const year = beforeChrist ? 1 - f.year : f.year
    const wall =
      daysFromCivil(year, f.month, f.day) * DAY + f.hour * 3600 + f.minute * 60 + f.second
    return wall - sec
  }
}

const zones = new Map<string, TimeZone>()

/**
 * Loads a zone by IANA name, as Temporal's `SpecBuilder.loadTimezone` does with Go's
 * `time.LoadLocation`: "" and "UTC" are UTC, "Local" is the process's own zone, and an unknown
 * name fails with Go's message ("unknown time zone X"). Known zones are cached for the life of
 * the process (Temporal caches for a day because its zoneinfo files can change on disk; ICU data
 * cannot change under a running Node). Unknown names are not cached, so junk cannot grow it.
 */
export function loadTimezone(name: string): TimeZone {
  if (name === '' || name === 'UTC') return TimeZone.utc
  const ianaName = name === 'Local' ? new Intl.DateTimeFormat().resolvedOptions().timeZone : name
  let zone = zones.get(ianaName)
  if (zone === undefined) {
    zone = TimeZone.fromIana(ianaName)
    zones.set(ianaName, zone)
  }
  return zone
}
