/**
 * Schedule specs as text. The server answers with the canonical spec (Temporal's CleanSpec):
 * cron strings and calendars compiled into structured calendars. Each is written back here as
 * the cron line it reads as (`*\/15 9-17 * * MON-FRI`), in the 5, 6 or 7 field forms Temporal's
 * cron parser takes, so that what the page shows can be pasted into a new schedule.
 */
import type { IntervalSpec, Range, ScheduleSpec, StructuredCalendarSpec } from '../api/types.js'
import { formatDuration } from './time.js'

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']
const MONTHS = [
  '',
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
]

interface Field {
  min: number
  max: number
  /** What an absent field matches (Temporal: 0 for the time of day, all for the date). */
  absent: string
  names?: string[]
}

const FIELDS = {
  second: { min: 0, max: 59, absent: '0' },
  minute: { min: 0, max: 59, absent: '0' },
  hour: { min: 0, max: 23, absent: '0' },
  dayOfMonth: { min: 1, max: 31, absent: '*' },
  month: { min: 1, max: 12, absent: '*', names: MONTHS },
  dayOfWeek: { min: 0, max: 6, absent: '*', names: DAYS },
  year: { min: 0, max: Number.MAX_SAFE_INTEGER, absent: '*' },
} satisfies Record<string, Field>

function rangeText(r: Range, f: Field): string {
  const start = r.start ?? 0
  const end = Math.max(r.end ?? 0, start)
  const step = r.step || 1
  const name = (n: number) => f.names?.[n] ?? String(n)
  if (start === f.min && end === f.max) return step === 1 ? '*' : `*/${step}`
  if (start === end) return name(start)
  return `${name(start)}-${name(end)}${step === 1 ? '' : `/${step}`}`
}

function fieldText(ranges: Range[] | undefined, f: Field): string {
  if (!ranges || ranges.length === 0) return f.absent
  return ranges.map((r) => rangeText(r, f)).join(',')
}

/** A structured calendar as a cron line, with its comment after `#`. */
export function calendarText(cal: StructuredCalendarSpec): string {
  const t = (k: keyof typeof FIELDS) => fieldText(cal[k], FIELDS[k])
  const date = [t('minute'), t('hour'), t('dayOfMonth'), t('month'), t('dayOfWeek')]
  const second = t('second')
  const year = t('year')
  // Five fields; six add the year at the end; seven put the second first as well.
  const fields = second !== '0' ? [second, ...date, year] : year !== '*' ? [...date, year] : date
  return fields.join(' ') + (cal.comment ? ` # ${cal.comment}` : '')
}

/** `every 1h`, with its phase when it has one. */
export function intervalText(iv: IntervalSpec): string {
  const phase =
    iv.phase && Number.parseFloat(iv.phase) > 0 ? ` offset ${formatDuration(iv.phase)}` : ''
  return `every ${formatDuration(iv.interval ?? '0s')}${phase}`
}

/** Every way the spec adds times, one line each. */
export function specLines(spec: ScheduleSpec | undefined): string[] {
  return [
    ...(spec?.structuredCalendar ?? []).map(calendarText),
    ...(spec?.interval ?? []).map(intervalText),
    // Only a spec that was never canonicalized still has these; show them as given.
    ...(spec?.cronString ?? []),
  ]
}

/** The spec on one line, for a table cell: `*\/5 * * * *; every 1h (Europe/Berlin)`. */
export function specSummary(spec: ScheduleSpec | undefined): string {
  const lines = specLines(spec).map((l) => l.replace(/ # .*$/, ''))
  if (lines.length === 0) return 'no times'
  const zone = spec?.timezoneName ? ` (${spec.timezoneName})` : ''
  const excluded = spec?.excludeStructuredCalendar?.length ? ', with exclusions' : ''
  return lines.join('; ') + zone + excluded
}

/**
 * A duration as typed into a form: `90s`, `5m`, `1h30m`, `2d`, in the order days, hours,
 * minutes, seconds. Returns the proto JSON duration (`"5400s"`), or undefined if it is not one.
 */
export function parseDurationInput(text: string): string | undefined {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim().replace(/\s+/g, ''))
  if (!m || m.slice(1).every((g) => g === undefined)) return undefined
  const [d, h, min, s] = m.slice(1).map((g) => Number(g ?? 0)) as [number, number, number, number]
  const seconds = ((d * 24 + h) * 60 + min) * 60 + s
  return seconds > 0 ? `${seconds}s` : undefined
}
