/**
 * Legacy string calendars (`CalendarSpec`, and the fields of cron strings) → the structured form
 * Temporal stores, plus the validation of structured calendars. Field syntax, defaults, Sunday as
 * 7, name prefixes and error texts follow `service/worker/scheduler/calendar.go`
 * (`parseCalendarToStructured`, `makeRange`, `parseValue`) and `spec.go`
 * (`validateStructuredCalendar`).
 */
import {
  MAX_CALENDAR_YEAR,
  MAX_COMMENT_BYTES,
  MIN_CALENDAR_YEAR,
  SpecError,
  type CalendarSpec,
  type Range,
  type StructuredCalendarSpec,
} from './spec-types.js'

type ParseMode = 'int' | 'year' | 'month' | 'dow'

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
]
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']

const INT_SYNTAX = /^[+-]?\d+$/

/**
 * Go's `strconv.Atoi`, including its error text, which Temporal passes through unchanged for a
 * bad step ("strconv.Atoi: parsing \"x\": invalid syntax").
 */
function atoi(s: string): number {
  if (!INT_SYNTAX.test(s))
    throw new SpecError(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`)
  const n = Number(s)
  if (!Number.isSafeInteger(n)) {
    throw new SpecError(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`)
  }
  return n
}

/**
 * One value: a decimal integer, or in month/day-of-week fields a prefix of the English name of
 * at least three (months) or two (weekdays) letters. Returns undefined when invalid or outside
 * [min, max]; callers turn that into their field-specific message.
 */
function parseValue(s: string, min: number, max: number, mode: ParseMode): number | undefined {
  const names = mode === 'month' ? MONTHS : mode === 'dow' ? WEEKDAYS : undefined
  let value: number | undefined
  if (names !== undefined && s.length >= (mode === 'month' ? 3 : 2)) {
    const lower = s.toLowerCase()
    const index = names.findIndex((name) => name.startsWith(lower))
    if (index >= 0) value = mode === 'month' ? index + 1 : index
  }
  if (value === undefined) {
    if (!INT_SYNTAX.test(s)) return undefined
    value = Number(s)
  }
  return value >= min && value <= max ? value : undefined
}

/**
 * Parses one field (`*`, `x`, `x-z`, `x/y`, `x-z/y`, comma lists) into ranges. An empty field
 * takes `def`. In the year field `*` becomes the empty list, which means "every year".
 */
export function makeRange(
  text: string,
  field: string,
  def: string,
  min: number,
  max: number,
  mode: ParseMode,
): Range[] {
  const s = text.trim() === '' ? def : text.trim()
  if (s === '*' && mode === 'year') return []
  const ranges: Range[] = []
  for (let part of s.split(',')) {
    let step = 1
    let hasStep = false
    const slash = part.split('/')
    if (slash.length > 2) throw new SpecError(`${field} has too many slashes`)
    if (slash.length === 2) {
      if (slash[1] === '') throw new SpecError(`${field} missing step value`)
      part = slash[0]!
      step = atoi(slash[1]!)
      if (step < 1) throw new SpecError(`${field} has invalid Step`)
      hasStep = true
    }
    let start = min
    let end = max
    if (part !== '*') {
      const dash = part.split('-')
      if (dash.length > 2) throw new SpecError(`${field} has too many dashes`)
      if (dash.length === 2) {
        const from = parseValue(dash[0]!, min, max, mode)
        if (from === undefined) {
          throw new SpecError(`${field} Start is not in range [${min}-${max}]`)
        }
        const to = parseValue(dash[1]!, from, max, mode)
        if (to === undefined) {
          throw new SpecError(`${field} End is before Start or not in range [${min}-${max}]`)
        }
        start = from
        end = to
      } else {
        const value = parseValue(part, min, max, mode)
        if (value === undefined) throw new SpecError(`${field} is not in range [${min}-${max}]`)
        start = value
        // "x/y" runs from x to the field's maximum; a bare "x" is just x.
        if (!hasStep) end = value
      }
    }
    if (mode === 'dow' && end === 7) {
      // 7 is Sunday. Temporal folds it into 0 by adding a separate {0} range when the range
      // actually reaches 7 and start > 1 or step > 1, then caps the range at 6. Note the
      // consequence, kept for fidelity: "1-7" becomes 1-6 and does not match Sunday.
      if ((7 - start) % step === 0 && (step > 1 || start > 1)) {
        ranges.push({ start: 0 })
        if (start === 7) continue
      }
      end = 6
    }
    // Zero values are the proto defaults, so single values and step 1 are stored without them.
    const range: Range = { start }
    if (end !== start) range.end = end
    if (step !== 1) range.step = step | 0 // int32 in the proto
    ranges.push(range)
  }
  return ranges
}

/**
 * Converts a string `CalendarSpec` (defaults: second, minute and hour `0`; the rest `*`) into a
 * `StructuredCalendarSpec`. All field errors are reported together, joined by ", ".
 */
export function parseCalendarToStructured(cal: CalendarSpec): StructuredCalendarSpec {
  const errors: string[] = []
  const field = (
    text: string | null | undefined,
    name: string,
    def: string,
    min: number,
    max: number,
    mode: ParseMode,
  ): Range[] => {
    try {
      return makeRange(text ?? '', name, def, min, max, mode)
    } catch (e: unknown) {
      if (!(e instanceof SpecError)) throw e
      errors.push(e.message)
      return []
    }
  }
  // Field order matters only for the order of messages; it is Temporal's.
  const second = field(cal.second, 'Second', '0', 0, 59, 'int')
  const minute = field(cal.minute, 'Minute', '0', 0, 59, 'int')
  const hour = field(cal.hour, 'Hour', '0', 0, 23, 'int')
  const dayOfWeek = field(cal.dayOfWeek, 'DayOfWeek', '*', 0, 7, 'dow')
  const dayOfMonth = field(cal.dayOfMonth, 'DayOfMonth', '*', 1, 31, 'int')
  const month = field(cal.month, 'Month', '*', 1, 12, 'month')
  const year = field(cal.year, 'Year', '*', MIN_CALENDAR_YEAR, MAX_CALENDAR_YEAR, 'year')
  if (errors.length > 0) throw new SpecError(errors.join(', '))
  return {
    second,
    minute,
    hour,
    dayOfMonth,
    month,
    year,
    dayOfWeek,
    comment: cal.comment ?? '',
  }
}

/**
 * Checks a structured calendar's ranges against each field's bounds (day of week is 0-6 here,
 * unlike the string form). A non-zero `end` before `start` is refused even though the `Range`
 * proto comment says it is read as `start`; `end` 0 means "just start".
 */
export function validateStructuredCalendar(cal: StructuredCalendarSpec): void {
  const errors: string[] = []
  const check = (
    ranges: Range[] | null | undefined,
    name: string,
    min: number,
    max: number,
  ): void => {
    for (const r of ranges ?? []) {
      const start = r.start ?? 0
      const end = r.end ?? 0
      if (start < min || start > max) errors.push(`${name} Start is not in range [${min}-${max}]`)
      if (end !== 0 && (end < start || end > max)) {
        errors.push(`${name} End is before Start or not in range [${min}-${max}]`)
      }
      if ((r.step ?? 0) < 0) errors.push(`${name} has invalid Step`)
    }
  }
  check(cal.second, 'Second', 0, 59)
  check(cal.minute, 'Minute', 0, 59)
  check(cal.hour, 'Hour', 0, 23)
  check(cal.dayOfMonth, 'DayOfMonth', 1, 31)
  check(cal.month, 'Month', 1, 12)
  check(cal.year, 'Year', MIN_CALENDAR_YEAR, MAX_CALENDAR_YEAR)
  check(cal.dayOfWeek, 'DayOfWeek', 0, 6)
  if (Buffer.byteLength(cal.comment ?? '', 'utf8') > MAX_COMMENT_BYTES) {
    errors.push('comment is too long')
  }
  if (errors.length > 0) throw new SpecError(`invalid calendar spec: ${errors.join(', ')}`)
}
