/**
 * `sundial schedule describe | list | list-matching-times`. Text output has the fields of
 * Temporal's CLI (`commands.schedule.go`, printableSchedule): a card for describe, a table for
 * list whose columns grow with `--long` and `--really-long`; specs, actions and counts print as
 * one-line JSON as there. JSON output is the server's answer.
 */
import { payloadJsonValue } from '../../common/payload-value.js'
import { api, enumWord, toNumber, type pb, type temporal } from '../../common/proto.js'
import { formatDuration, msFromDuration, timestampFromMs } from '../../common/time.js'
import { payloadMapText, payloadText } from '../client/payloads.js'
import { card, formatTime, table } from '../client/render.js'
import type { ClientSession } from '../client/session.js'
import type { ScheduleIdFlags } from './schedule-request.js'

type ScheduleSpec = temporal.api.schedule.v1.IScheduleSpec
type StructuredCalendar = temporal.api.schedule.v1.IStructuredCalendarSpec
type ScheduleInfo = temporal.api.schedule.v1.IScheduleInfo
type ListEntry = temporal.api.schedule.v1.IScheduleListEntry
type StartWorkflow = temporal.api.workflow.v1.INewWorkflowExecutionInfo

/** `list`: the filter and how many columns. */
export interface ScheduleListFlags extends ScheduleIdFlags {
  query?: string
  long?: boolean
  reallyLong?: boolean
}

/** `list-matching-times`: the range to list. */
export interface MatchingTimesFlags extends ScheduleIdFlags {
  startTime: number
  endTime: number
}

/** A printable field: its column or card label, and its text (undefined: left out of a card). */
type Field = [name: string, value: string | undefined]

/** DescribeSchedule: the schedule's card. */
export async function describeSchedule(s: ClientSession, flags: ScheduleIdFlags): Promise<void> {
  const response = await s.call(`describing schedule ${flags.scheduleId}`, () =>
    s.workflowService.describeSchedule({ namespace: s.namespace, scheduleId: flags.scheduleId }),
  )
  s.out.message('temporal.api.workflowservice.v1.DescribeScheduleResponse', response)
  if (!s.out.isText) return
  const schedule = response.schedule
  const info = response.info
  const policies = schedule?.policies
  const state = schedule?.state
  const limited = Boolean(state?.limitedActions)
  const counts = {
    Total: toNumber(info?.actionCount),
    MissedCatchupWindow: toNumber(info?.missedCatchupWindow),
    SkippedOverlap: toNumber(info?.overlapSkipped),
  }
  s.out.text(
    card([
      ['ScheduleId', flags.scheduleId],
      ['Action', actionJson(schedule?.action?.startWorkflow)],
      ...specFields(schedule?.spec, true),
      [
        'OverlapPolicy',
        enumWord(
          api.enums.v1.ScheduleOverlapPolicy,
          policies?.overlapPolicy ?? 0,
          'SCHEDULE_OVERLAP_POLICY_',
        ),
      ],
      ['CatchupWindow', goDuration(msFromDuration(policies?.catchupWindow))],
      ['PauseOnFailure', String(Boolean(policies?.pauseOnFailure))],
      ['Notes', state?.notes || undefined],
      ['Paused', String(Boolean(state?.paused))],
      ['LimitedActions', limited ? 'true' : undefined],
      ['RemainingActions', limited ? String(toNumber(state?.remainingActions)) : undefined],
      ...runTimes(info),
      [
        'RunningWorkflows',
        `[${(info?.runningWorkflows ?? []).map((w) => w.workflowId).join(', ')}]`,
      ],
      ['CreatedAt', formatTime(info?.createTime) || undefined],
      ['LastUpdateAt', formatTime(info?.updateTime) || undefined],
      ['ActionCounts', JSON.stringify(counts)],
      ['SearchAttributes', payloadMapText(response.searchAttributes?.indexedFields)],
      ['Memo', payloadMapText(response.memo?.fields)],
    ]),
  )
}

/** ListSchedules, all pages: a table (jsonl streams entries as pages arrive). */
export async function listSchedules(s: ClientSession, flags: ScheduleListFlags): Promise<void> {
  const entries: ListEntry[] = []
  let nextPageToken: Uint8Array | undefined
  do {
    const page = await s.call('listing schedules', () =>
      s.workflowService.listSchedules({
        namespace: s.namespace,
        query: flags.query ?? '',
        nextPageToken,
      }),
    )
    entries.push(...page.schedules)
    if (s.out.format === 'jsonl') {
      for (const e of page.schedules) s.out.message('temporal.api.schedule.v1.ScheduleListEntry', e)
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined
  } while (nextPageToken)
  if (s.out.format === 'json') {
    s.out.list(entries.map((e) => s.out.protoJson('temporal.api.schedule.v1.ScheduleListEntry', e)))
  }
  if (!s.out.isText) return
  const rows = entries.map((e) => listRow(e, flags))
  const columns = (rows[0] ?? listRow({}, flags)).map(([name]) => name)
  s.out.text(
    table(
      columns,
      rows.map((r) => r.map(([, value]) => (value ?? '').replaceAll('\n', ', '))),
    ),
  )
}

/** The columns Temporal's list shows: more with `--long`, all with `--really-long`. */
function listRow(e: ListEntry, flags: ScheduleListFlags): Field[] {
  const info = e.info
  const long = Boolean(flags.long || flags.reallyLong)
  const spec = specFields(info?.spec, false)
  const pick = (name: string) => spec.find(([n]) => n === name) ?? [name, '']
  return [
    ['ScheduleId', e.scheduleId ?? ''],
    ['Action', JSON.stringify({ Workflow: info?.workflowType?.name ?? '' })],
    ...(long ? [pick('Spec')] : []),
    ...(flags.reallyLong
      ? ['SkipSpec', 'StartAt', 'EndAt', 'Jitter', 'TimeZoneName'].map(pick)
      : []),
    ...(long ? [['Notes', info?.notes ?? ''] as Field] : []),
    ['Paused', String(Boolean(info?.paused))],
    ...runTimes(info),
    ...(flags.reallyLong
      ? ([
          ['SearchAttributes', payloadMapText(e.searchAttributes?.indexedFields)],
          ['Memo', payloadMapText(e.memo?.fields)],
        ] as Field[])
      : []),
  ]
}

/** ListScheduleMatchingTimes: one row per time the spec matches in the range. */
export async function listMatchingTimes(
  s: ClientSession,
  flags: MatchingTimesFlags,
): Promise<void> {
  const response = await s.call(`listing matching times of schedule ${flags.scheduleId}`, () =>
    s.workflowService.listScheduleMatchingTimes({
      namespace: s.namespace,
      scheduleId: flags.scheduleId,
      startTime: timestampFromMs(flags.startTime),
      endTime: timestampFromMs(flags.endTime),
    }),
  )
  s.out.message('temporal.api.workflowservice.v1.ListScheduleMatchingTimesResponse', response)
  s.out.text(
    table(
      ['Time'],
      response.startTime.map((t) => [formatTime(t)]),
    ),
  )
}

/** NextRunTime (the first future action) and LastRunTime (the last recent action's time). */
function runTimes(info: ScheduleInfo | null | undefined): Field[] {
  return [
    ['NextRunTime', formatTime(info?.futureActionTimes?.[0])],
    ['LastRunTime', formatTime(info?.recentActions?.at(-1)?.scheduleTime)],
  ]
}

/**
 * Spec, SkipSpec, StartAt, EndAt, Jitter and TimeZoneName, as Temporal's specToPrintable makes
 * them: calendars as CalendarSpec JSON (`{"hour":"2,4","dayOfWeek":"4-5"}`), intervals as
 * `{"every":"2s","offset":"1s"}`. In a card, empty ones are left out (`cardOmitEmpty`); Jitter is
 * always there.
 */
function specFields(spec: ScheduleSpec | null | undefined, omitEmpty: boolean): Field[] {
  const list = (items: unknown[]) =>
    items.length === 0
      ? omitEmpty
        ? undefined
        : ''
      : `[${items.map((i) => JSON.stringify(i)).join(', ')}]`
  const orEmpty = (text: string) => (text === '' && omitEmpty ? undefined : text)
  const intervals = (spec?.interval ?? []).map((i) => {
    const offset = msFromDuration(i.phase)
    return {
      every: goDuration(msFromDuration(i.interval)),
      ...(offset > 0 ? { offset: goDuration(offset) } : {}),
    }
  })
  return [
    [
      'Spec',
      list([
        ...(spec?.structuredCalendar ?? []).map(calendarJson),
        ...(spec?.calendar ?? []),
        ...(spec?.cronString ?? []),
        ...intervals,
      ]),
    ],
    [
      'SkipSpec',
      list([
        ...(spec?.excludeStructuredCalendar ?? []).map(calendarJson),
        ...(spec?.excludeCalendar ?? []),
      ]),
    ],
    ['StartAt', orEmpty(formatTime(spec?.startTime))],
    ['EndAt', orEmpty(formatTime(spec?.endTime))],
    ['Jitter', goDuration(msFromDuration(spec?.jitter))],
    ['TimeZoneName', orEmpty(spec?.timezoneName ?? '')],
  ]
}

/**
 * A structured calendar as Temporal's formatCalendarSpec writes it: each field's ranges as
 * `start[-end][/step]`, comma-separated; empty fields left out.
 */
function calendarJson(cal: StructuredCalendar): Record<string, string> {
  const field = (ranges: temporal.api.schedule.v1.IRange[] | null | undefined) =>
    (ranges ?? [])
      .map((r) => {
        const start = r.start ?? 0
        const end = r.end ?? 0
        const step = r.step ?? 0
        return `${start}${end > start ? `-${end}` : ''}${step > 1 ? `/${step}` : ''}`
      })
      .join(',')
  const out: Record<string, string> = {}
  const fields = {
    second: field(cal.second),
    minute: field(cal.minute),
    hour: field(cal.hour),
    dayOfMonth: field(cal.dayOfMonth),
    month: field(cal.month),
    year: field(cal.year),
    dayOfWeek: field(cal.dayOfWeek),
    comment: cal.comment ?? '',
  }
  for (const [k, v] of Object.entries(fields)) if (v !== '') out[k] = v
  return out
}

/** The start-workflow action on one line: the Go SDK's field names, unset ones left out. */
function actionJson(action: StartWorkflow | null | undefined): string {
  if (!action) return ''
  const duration = (d: pb.Duration | null | undefined) => {
    const ms = msFromDuration(d)
    return ms > 0 ? goDuration(ms) : undefined
  }
  const values = (fields: Record<string, pb.Payload> | null | undefined) => {
    const entries = Object.entries(fields ?? {})
    if (entries.length === 0) return undefined
    return Object.fromEntries(entries.map(([k, v]) => [k, payloadValue(v)]))
  }
  const input = action.input?.payloads ?? []
  return JSON.stringify({
    ID: action.workflowId ?? '',
    Workflow: action.workflowType?.name ?? '',
    Args: input.length ? input.map(payloadValue) : undefined,
    TaskQueue: action.taskQueue?.name ?? '',
    WorkflowExecutionTimeout: duration(action.workflowExecutionTimeout),
    WorkflowRunTimeout: duration(action.workflowRunTimeout),
    WorkflowTaskTimeout: duration(action.workflowTaskTimeout),
    Memo: values(action.memo?.fields),
    SearchAttributes: values(action.searchAttributes?.indexedFields),
  })
}

/** A payload's JSON value, or its description (`<binary/plain, 3 bytes>`) when it holds none. */
function payloadValue(payload: pb.Payload): unknown {
  const json = payloadJsonValue(payload)
  return json ? json.value : payloadText(payload)
}

/**
 * A duration as Temporal's schedule commands print it: Go's form with days split out and a
 * space between units (`365d 0h 0m 0s`, `1m 30s`, `2s`).
 */
export function goDuration(ms: number): string {
  const text = formatDuration(ms).replace(/^(\d+)h/, (whole, h: string) => {
    const hours = Number(h)
    return hours < 24 ? whole : `${Math.floor(hours / 24)}d${hours % 24}h`
  })
  return (text.match(/\d+(?:\.\d+)?(?:ms|µs|ns|d|h|m|s)/g) ?? [text]).join(' ')
}
