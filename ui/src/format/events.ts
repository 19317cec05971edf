/**
 * What the compact history timeline says about each event: its attributes member and a one-line
 * summary of the fields a reader looks for first.
 */
import type { Failure, HistoryEvent, PayloadsJson } from '../api/types.js'
import { payloadInline, payloadList } from './payload.js'
import { formatDuration } from './time.js'

/** The `<eventType>EventAttributes` member of an event. */
export function eventAttributes(e: HistoryEvent): Record<string, unknown> {
  const key = Object.keys(e).find((k) => k.endsWith('EventAttributes'))
  return key ? ((e[key] as Record<string, unknown> | undefined) ?? {}) : {}
}

/** A rough family for the timeline's colouring. */
export function eventCategory(eventType: string | undefined): string {
  const t = eventType ?? ''
  if (t.includes('WORKFLOW_TASK')) return 'workflow-task'
  if (t.includes('ACTIVITY')) return 'activity'
  if (t.includes('TIMER')) return 'timer'
  if (t.includes('SIGNAL')) return 'signal'
  if (t.includes('UPDATE')) return 'update'
  if (t.includes('CHILD')) return 'child'
  if (t.includes('MARKER')) return 'marker'
  return 'workflow'
}

const inlinePayloads = (p: unknown) =>
  payloadList(p as PayloadsJson)
    .map((v) => payloadInline(v))
    .join(', ')

const nameOf = (v: unknown) => (v as { name?: string } | undefined)?.name

/** Fields worth a glance, in the order they are shown; each reads one attribute. */
const SUMMARY_FIELDS: [label: string, read: (a: Record<string, unknown>) => string | undefined][] =
  [
    ['type', (a) => nameOf(a.workflowType) ?? nameOf(a.activityType)],
    ['activityId', (a) => a.activityId as string | undefined],
    ['signal', (a) => a.signalName as string | undefined],
    ['timerId', (a) => a.timerId as string | undefined],
    [
      'fireAfter',
      (a) => (a.startToFireTimeout ? formatDuration(a.startToFireTimeout as string) : undefined),
    ],
    ['update', (a) => nameOf((a.request as { input?: unknown } | undefined)?.input)],
    ['taskQueue', (a) => nameOf(a.taskQueue)],
    ['attempt', (a) => (typeof a.attempt === 'number' ? String(a.attempt) : undefined)],
    ['input', (a) => (a.input !== undefined ? inlinePayloads(a.input) : undefined)],
    ['result', (a) => (a.result !== undefined ? inlinePayloads(a.result) : undefined)],
    ['failure', (a) => (a.failure as Failure | undefined)?.message],
    ['reason', (a) => a.reason as string | undefined],
    ['identity', (a) => a.identity as string | undefined],
  ]

export function eventSummary(e: HistoryEvent): { label: string; value: string }[] {
  const a = eventAttributes(e)
  const out: { label: string; value: string }[] = []
  for (const [label, read] of SUMMARY_FIELDS) {
    const value = read(a)
    if (value) out.push({ label, value: value.length > 120 ? `${value.slice(0, 117)}…` : value })
  }
  return out
}
