/**
 * A schedule's durable state: one JobStore row (kind `schedule`) holding what Temporal's
 * scheduler workflow keeps in its history — the schedule as the client gave it (canonical spec,
 * action, policies, state), the counters of its info, the starts it has buffered, the backfills
 * under way and the workflows it runs. Proto messages are kept encoded (base64), everything else
 * as plain JSON.
 */
import { api, type temporal } from '../../common/proto.js'

export type Schedule = temporal.api.schedule.v1.ISchedule
export const OverlapPolicy = api.enums.v1.ScheduleOverlapPolicy
export type OverlapPolicy = temporal.api.enums.v1.ScheduleOverlapPolicy

/** A start waiting for its overlap policy to let it run (Temporal's BufferedStart). */
export interface BufferedStart {
  /** The spec's time, before jitter (ms); names the workflow id. */
  nominal: number
  /** When it was due: nominal plus jitter, or a trigger's time (ms). */
  actual: number
  /** UNSPECIFIED: the schedule's policy at the time it is processed. */
  overlapPolicy: OverlapPolicy
  /** A trigger or a backfill: not subject to pause, remaining actions or the catchup window. */
  manual: boolean
}

/** A backfill request being turned into starts, a few per wake-up. */
export interface OngoingBackfill {
  /** Exclusive lower bound of the next spec time to produce (ms). */
  after: number
  /** Inclusive upper bound (ms). */
  end: number
  overlapPolicy: OverlapPolicy
}

export interface RecentAction {
  scheduleTime: number
  actualTime: number
  workflowId: string
  runId: string
  /** WorkflowExecutionStatus: RUNNING until a tracked workflow is seen closed. */
  status: number
}

export interface ScheduleState {
  scheduleId: string
  /** base64 of the encoded `Schedule` (canonical spec, defaults filled in). */
  schedule: string
  /** base64 of the encoded schedule's `Memo` and `SearchAttributes` (not the workflows'). */
  memo?: string
  searchAttributes?: string
  /** The CreateSchedule request id: a retried create with the same id succeeds. */
  createRequestId: string
  conflictToken: number
  createTime: number
  updateTime?: number
  /** Spec times up to here have been considered (ms). */
  lastProcessedTime: number
  actionCount: number
  missedCatchupWindow: number
  overlapSkipped: number
  bufferDropped: number
  buffer: BufferedStart[]
  backfills: OngoingBackfill[]
  /** Workflows started under a policy other than ALLOW_ALL and not yet seen closed. */
  running: { workflowId: string; runId: string }[]
  recentActions: RecentAction[]
  /** base64 of encoded Payloads / Failure of the last tracked run, passed to the next start. */
  lastCompletionResult?: string
  continuedFailure?: string
}

const { Schedule: ScheduleMessage } = api.schedule.v1

export function encodeSchedule(schedule: Schedule): string {
  return Buffer.from(ScheduleMessage.encode(schedule).finish()).toString('base64')
}

export function decodeSchedule(state: ScheduleState): temporal.api.schedule.v1.Schedule {
  return ScheduleMessage.decode(Buffer.from(state.schedule, 'base64'))
}

/** base64 of an encoded message, or undefined for none. */
export function encoded<T>(
  type: { encode(m: T): { finish(): Uint8Array } },
  message: T | null | undefined,
): string | undefined {
  return message ? Buffer.from(type.encode(message).finish()).toString('base64') : undefined
}

export function decoded<T>(
  type: { decode(b: Uint8Array): T },
  b64: string | undefined,
): T | undefined {
  return b64 === undefined ? undefined : type.decode(Buffer.from(b64, 'base64'))
}
