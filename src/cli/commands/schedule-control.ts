/**
 * `sundial schedule create | update | toggle | trigger | backfill | delete`: the requests
 * Temporal's CLI makes through the Go SDK's ScheduleClient (`commands.schedule.go`), sent as raw
 * WorkflowService RPCs, and what it prints: nothing for create, update and toggle, a sentence for
 * the others. JSON output is the server's answer.
 */
import { randomUUID } from 'node:crypto'
import { timestampFromMs } from '../../common/time.js'
import { CliError } from '../client/cli-error.js'
import { inputValues } from '../client/payloads.js'
import type { ClientSession } from '../client/session.js'
import {
  overlapPolicy,
  scheduleFromFlags,
  type OverlapPolicyWord,
  type ScheduleConfigFlags,
  type ScheduleCreateFlags,
  type ScheduleIdFlags,
} from './schedule-request.js'
import { payloadMap } from './workflow-start.js'

/** `toggle`: exactly one of `--pause` and `--unpause`, and the notes to set. */
export interface ToggleFlags extends ScheduleIdFlags {
  pause?: boolean
  unpause?: boolean
  reason: string
}

/** `trigger`: the overlap policy of the one start. */
export interface TriggerFlags extends ScheduleIdFlags {
  overlapPolicy: OverlapPolicyWord
}

/** `backfill`: the range whose spec times to start, and their overlap policy. */
export interface BackfillFlags extends TriggerFlags {
  startTime: number
  endTime: number
}

/** Reads `--input-file` before connecting, so that a bad file fails fast. */
export function prepareScheduleConfig(flags: ScheduleConfigFlags): void {
  flags.input = inputValues(flags.input, flags.inputFile)
}

/** Toggle needs one direction, as Temporal's CLI checks before connecting. */
export function prepareToggle(flags: ToggleFlags): void {
  if (Boolean(flags.pause) === Boolean(flags.unpause)) {
    throw new CliError('exactly one of --pause or --unpause is required')
  }
}

/** CreateSchedule with the spec, action, policies and state the flags describe. */
export async function createSchedule(s: ClientSession, flags: ScheduleCreateFlags): Promise<void> {
  const response = await s.call(`creating schedule ${flags.scheduleId}`, () =>
    s.workflowService.createSchedule({
      namespace: s.namespace,
      scheduleId: flags.scheduleId,
      schedule: scheduleFromFlags(s, flags),
      identity: s.identity,
      requestId: randomUUID(),
      memo: flags.scheduleMemo.length ? { fields: payloadMap(s, flags.scheduleMemo) } : undefined,
      searchAttributes: flags.scheduleSearchAttribute.length
        ? { indexedFields: payloadMap(s, flags.scheduleSearchAttribute) }
        : undefined,
    }),
  )
  s.out.message('temporal.api.workflowservice.v1.CreateScheduleResponse', response)
}

/**
 * UpdateSchedule: replaces the whole schedule (what a flag leaves out returns to its default),
 * guarded by the conflict token of a DescribeSchedule just before, as the Go SDK's Update does.
 * The schedule's memo and search attributes stay as they are.
 */
export async function updateSchedule(s: ClientSession, flags: ScheduleConfigFlags): Promise<void> {
  const what = `updating schedule ${flags.scheduleId}`
  const current = await s.call(what, () =>
    s.workflowService.describeSchedule({ namespace: s.namespace, scheduleId: flags.scheduleId }),
  )
  const response = await s.call(what, () =>
    s.workflowService.updateSchedule({
      namespace: s.namespace,
      scheduleId: flags.scheduleId,
      schedule: scheduleFromFlags(s, flags),
      conflictToken: current.conflictToken,
      identity: s.identity,
      requestId: randomUUID(),
    }),
  )
  s.out.message('temporal.api.workflowservice.v1.UpdateScheduleResponse', response)
}

/** PatchSchedule with `pause` or `unpause`, whose text becomes the schedule's notes. */
export async function toggleSchedule(s: ClientSession, flags: ToggleFlags): Promise<void> {
  const patch = flags.pause ? { pause: flags.reason } : { unpause: flags.reason }
  await patchSchedule(s, flags, flags.pause ? 'pausing' : 'unpausing', patch)
}

/** PatchSchedule `triggerImmediately`: one start now, under `--overlap-policy`. */
export async function triggerSchedule(s: ClientSession, flags: TriggerFlags): Promise<void> {
  await patchSchedule(s, flags, 'triggering', {
    triggerImmediately: { overlapPolicy: overlapPolicy(flags.overlapPolicy) },
  })
  s.out.text('Trigger request sent')
}

/** PatchSchedule `backfillRequest`: a start for every spec time in the range, ends included. */
export async function backfillSchedule(s: ClientSession, flags: BackfillFlags): Promise<void> {
  await patchSchedule(s, flags, 'backfilling', {
    backfillRequest: [
      {
        startTime: timestampFromMs(flags.startTime),
        endTime: timestampFromMs(flags.endTime),
        overlapPolicy: overlapPolicy(flags.overlapPolicy),
      },
    ],
  })
  s.out.text('Backfill request sent')
}

/** DeleteSchedule; the workflows it started are left alone. */
export async function deleteSchedule(s: ClientSession, flags: ScheduleIdFlags): Promise<void> {
  const response = await s.call(`deleting schedule ${flags.scheduleId}`, () =>
    s.workflowService.deleteSchedule({
      namespace: s.namespace,
      scheduleId: flags.scheduleId,
      identity: s.identity,
    }),
  )
  s.out.message('temporal.api.workflowservice.v1.DeleteScheduleResponse', response)
  s.out.text('Schedule deleted')
}

async function patchSchedule(
  s: ClientSession,
  flags: ScheduleIdFlags,
  verb: string,
  patch: Parameters<ClientSession['workflowService']['patchSchedule']>[0]['patch'],
): Promise<void> {
  const response = await s.call(`${verb} schedule ${flags.scheduleId}`, () =>
    s.workflowService.patchSchedule({
      namespace: s.namespace,
      scheduleId: flags.scheduleId,
      patch,
      identity: s.identity,
      requestId: randomUUID(),
    }),
  )
  s.out.message('temporal.api.workflowservice.v1.PatchScheduleResponse', response)
}
