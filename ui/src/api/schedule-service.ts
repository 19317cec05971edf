/**
 * The ScheduleService calls of the WorkflowService, on their `/api/v1/namespaces/{ns}/schedules`
 * HTTP bindings. Changes carry the UI's identity and, where Temporal asks for one, a fresh
 * request id.
 */
import { apiDelete, apiGet, apiPost, IDENTITY, randomId, seg } from './client.js'
import type {
  DescribeScheduleResponse,
  ListScheduleMatchingTimesResponse,
  ListSchedulesResponse,
  Schedule,
  SchedulePatch,
} from './types.js'

const schedules = (namespace: string) => `/namespaces/${seg(namespace)}/schedules`
const one = (namespace: string, scheduleId: string) => `${schedules(namespace)}/${seg(scheduleId)}`

export function listSchedules(
  namespace: string,
  req: { query: string; maximumPageSize: number; nextPageToken?: string },
  signal?: AbortSignal,
) {
  return apiGet<ListSchedulesResponse>(schedules(namespace), req, signal)
}

export function describeSchedule(namespace: string, scheduleId: string, signal?: AbortSignal) {
  return apiGet<DescribeScheduleResponse>(one(namespace, scheduleId), {}, signal)
}

export function createSchedule(namespace: string, scheduleId: string, schedule: Schedule) {
  return apiPost<{ conflictToken?: string }>(one(namespace, scheduleId), {
    schedule,
    identity: IDENTITY,
    requestId: randomId(),
  })
}

/** Pause, unpause, trigger or backfill: one member of `patch` per call. */
export function patchSchedule(namespace: string, scheduleId: string, patch: SchedulePatch) {
  return apiPost<object>(`${one(namespace, scheduleId)}/patch`, {
    patch,
    identity: IDENTITY,
    requestId: randomId(),
  })
}

export function deleteSchedule(namespace: string, scheduleId: string) {
  return apiDelete<object>(one(namespace, scheduleId), { identity: IDENTITY })
}

/** The times the spec matches in [startTime, endTime] (RFC 3339), as a backfill would act. */
export function listScheduleMatchingTimes(
  namespace: string,
  scheduleId: string,
  startTime: string,
  endTime: string,
  signal?: AbortSignal,
) {
  return apiGet<ListScheduleMatchingTimesResponse>(
    `${one(namespace, scheduleId)}/matching-times`,
    { startTime, endTime },
    signal,
  )
}
