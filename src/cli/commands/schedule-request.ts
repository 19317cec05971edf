/**
 * The Schedule a `sundial schedule create | update` command line describes, built as Temporal's
 * CLI builds it (`commands.schedule.go`: toScheduleSpec, toScheduleAction, and the Go SDK's
 * ScheduleOptions): spec from `--cron`, `--interval`, `--calendar`, the workflow action from the
 * start flags, policies and state. The flag value parsers live here too.
 */
import { InvalidArgumentError } from 'commander'
import { parseDuration } from '../../common/duration.js'
import { api, long, type temporal } from '../../common/proto.js'
import { durationFromMs, timestampFromMs } from '../../common/time.js'
import { optionalDuration, type ClientFlags } from '../client/options.js'
import { enumValue } from '../client/payloads.js'
import type { ClientSession } from '../client/session.js'
import { workflowFields, type WorkflowFlags } from './workflow-start.js'

type CalendarSpec = temporal.api.schedule.v1.ICalendarSpec
type Schedule = temporal.api.schedule.v1.ISchedule

/** `--overlap-policy` words, as Temporal's CLI takes them. */
export const OVERLAP_POLICIES = [
  'Skip',
  'BufferOne',
  'BufferAll',
  'CancelOther',
  'TerminateOther',
  'AllowAll',
] as const
export type OverlapPolicyWord = (typeof OVERLAP_POLICIES)[number]

/** `-s`: the schedule a command is about. */
export interface ScheduleIdFlags extends ClientFlags {
  scheduleId: string
}

/** One `--interval`: every `every` ms, shifted by `offset` ms. */
export interface IntervalFlag {
  every: number
  offset: number
}

/** Temporal's option sets `schedule-configuration`, `overlap-policy` and the start flags. */
export interface ScheduleConfigFlags extends ScheduleIdFlags, WorkflowFlags {
  calendar: CalendarSpec[]
  excludeCalendar: CalendarSpec[]
  cron: string[]
  interval: IntervalFlag[]
  startTime?: number
  endTime?: number
  jitter?: number
  timeZone?: string
  catchupWindow?: number
  notes?: string
  paused?: boolean
  pauseOnFailure?: boolean
  remainingActions?: number
  overlapPolicy: OverlapPolicyWord
}

/** `create` alone sets the schedule's own memo and search attributes. */
export interface ScheduleCreateFlags extends ScheduleConfigFlags {
  scheduleSearchAttribute: [string, unknown][]
  scheduleMemo: [string, unknown][]
}

/** A ScheduleOverlapPolicy value from its `--overlap-policy` word. */
export function overlapPolicy(word: OverlapPolicyWord): number {
  return enumValue(api.enums.v1.ScheduleOverlapPolicy, 'SCHEDULE_OVERLAP_POLICY_', word)
}

/** The whole Schedule: spec, start-workflow action, policies and state. */
export function scheduleFromFlags(s: ClientSession, flags: ScheduleConfigFlags): Schedule {
  const remaining = flags.remainingActions ?? 0
  return {
    spec: {
      cronString: flags.cron,
      calendar: flags.calendar,
      excludeCalendar: flags.excludeCalendar,
      interval: flags.interval.map((i) => ({
        interval: durationFromMs(i.every),
        phase: i.offset > 0 ? durationFromMs(i.offset) : undefined,
      })),
      startTime: flags.startTime === undefined ? undefined : timestampFromMs(flags.startTime),
      endTime: flags.endTime === undefined ? undefined : timestampFromMs(flags.endTime),
      jitter: optionalDuration(flags.jitter),
      timezoneName: flags.timeZone,
    },
    action: {
      // A new UUID as workflow id when none is given, as the Go SDK does.
      startWorkflow: workflowFields(s, flags),
    },
    policies: {
      overlapPolicy: overlapPolicy(flags.overlapPolicy),
      // Unset, the server applies its default (one year).
      catchupWindow: optionalDuration(flags.catchupWindow),
      pauseOnFailure: flags.pauseOnFailure ?? false,
    },
    state: {
      notes: flags.notes ?? '',
      paused: flags.paused ?? false,
      // Zero remaining actions means unlimited, as in Temporal's CLI.
      limitedActions: remaining > 0,
      remainingActions: long(remaining),
    },
  }
}

/**
 * Accumulates `--interval`: `5m`, or `5m/1m` for an offset (phase), as in Temporal's
 * toIntervalSpec.
 */
export function collectInterval(value: string, previous: IntervalFlag[]): IntervalFlag[] {
  const parts = value.split('/')
  if (parts.length > 2) {
    throw new InvalidArgumentError(
      'invalid interval: must be "<duration>" or "<duration>/<duration>"',
    )
  }
  const parse = (text: string) => {
    const ms = parseDuration(text)
    if (ms === undefined)
      throw new InvalidArgumentError(`invalid interval: "${text}" is not a duration`)
    return ms
  }
  const offset = parts.length === 2 ? parse(parts[1]!) : 0
  return [...previous, { every: parse(parts[0]!), offset }]
}

/** CalendarSpec's fields in proto JSON, camelCase and as their proto names. */
const CALENDAR_FIELDS: Readonly<Record<string, keyof CalendarSpec>> = {
  second: 'second',
  minute: 'minute',
  hour: 'hour',
  dayOfMonth: 'dayOfMonth',
  day_of_month: 'dayOfMonth',
  month: 'month',
  year: 'year',
  dayOfWeek: 'dayOfWeek',
  day_of_week: 'dayOfWeek',
  comment: 'comment',
}

/**
 * Accumulates `--calendar` (and `--exclude-calendar`): a CalendarSpec in JSON, such as
 * `{"dayOfWeek":"Fri","hour":"17","minute":"5"}`. Unknown fields and non-string values are
 * refused, as protojson refuses them.
 */
export function collectCalendar(value: string, previous: CalendarSpec[]): CalendarSpec[] {
  const fail = (why: string) =>
    new InvalidArgumentError(`failed to parse json calendar spec: ${why}`)
  let json: unknown
  try {
    json = JSON.parse(value)
  } catch (e: unknown) {
    throw fail((e as Error).message)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw fail('not a JSON object')
  }
  const spec: Record<string, string> = {}
  for (const [key, v] of Object.entries(json)) {
    const field = CALENDAR_FIELDS[key]
    if (!field) throw fail(`unknown field "${key}"`)
    if (typeof v !== 'string') throw fail(`field ${key} must be a string`)
    spec[field] = v
  }
  return [...previous, spec]
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i

/** A timestamp flag (`--start-time`): RFC 3339, as Temporal's CLI takes it; in ms since 1970. */
export function parseTimestampArg(value: string): number {
  const ms = RFC3339.test(value) ? Date.parse(value) : NaN
  if (Number.isNaN(ms)) {
    throw new InvalidArgumentError(
      `"${value}" is not an RFC 3339 time (like 2024-05-01T00:00:00Z).`,
    )
  }
  return ms
}
