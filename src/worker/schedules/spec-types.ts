/**
 * The schedule-spec protobuf types, aliased once for the spec engine (the `common/proto.ts`
 * style): the engine reads and writes `@temporalio/proto` messages, never a parallel model.
 */
import type { google, temporal } from '../../common/proto.js'

export type ScheduleSpec = temporal.api.schedule.v1.IScheduleSpec
export type CalendarSpec = temporal.api.schedule.v1.ICalendarSpec
export type StructuredCalendarSpec = temporal.api.schedule.v1.IStructuredCalendarSpec
export type IntervalSpec = temporal.api.schedule.v1.IIntervalSpec
export type Range = temporal.api.schedule.v1.IRange
export type Duration = google.protobuf.IDuration
export type Timestamp = google.protobuf.ITimestamp

/**
 * Years a calendar may name, from `service/worker/scheduler/calendar.go`
 * (`minCalendarYear`/`maxCalendarYear`); no time after the end of 2100 is ever produced.
 */
export const MIN_CALENDAR_YEAR = 2000
export const MAX_CALENDAR_YEAR = 2100

/** `maxCommentLen` in calendar.go, counted in UTF-8 bytes as Go's `len` does. */
export const MAX_COMMENT_BYTES = 200

/**
 * A spec Temporal would refuse, carrying Temporal's wording. Only the engine's own modules throw
 * it; the exported API turns it into `InvalidArgumentError("Invalid schedule spec: ...")`, the
 * status and text the frontend answers CreateSchedule with (`workflow_handler.go`).
 */
export class SpecError extends Error {
  override readonly name = 'SpecError'
}
