/**
 * What a schedule does when it wakes, as pure functions of its state (Temporal's scheduler
 * workflow, service/worker/scheduler/workflow.go and buffer.go): turn the spec times that came
 * due into buffered starts (or missed ones, past the catchup window), add backfill starts, and
 * apply the overlap policies to the buffer. The caller performs the starts, cancels and
 * terminations this decides, then commits the state.
 */
import { long } from '../../common/proto.js'
import type { CompiledSpec } from './spec.js'
import {
  OverlapPolicy,
  type BufferedStart,
  type Schedule,
  type ScheduleState,
} from './schedule-state.js'

/** Temporal's tweakables (CurrentTweakablePolicies). */
export const DEFAULT_CATCHUP_WINDOW_MS = 365 * 24 * 3600 * 1000
export const MIN_CATCHUP_WINDOW_MS = 10_000
export const MAX_BUFFER_SIZE = 1000
/** Backfill starts added per wake-up, while the buffer is under half full. */
export const BACKFILLS_PER_WAKE = 10
export const RECENT_ACTIONS_KEPT = 10
/** Spec times considered per wake-up: a long outage catches up over several wake-ups. */
const MAX_TIMES_PER_WAKE = 100_000

export function catchupWindowMs(schedule: Schedule): number {
  const given = schedule.policies?.catchupWindow
  if (!given) return DEFAULT_CATCHUP_WINDOW_MS
  const ms = Number(given.seconds ?? 0) * 1000 + Math.floor((given.nanos ?? 0) / 1e6)
  return Math.max(ms, MIN_CATCHUP_WINDOW_MS)
}

/** Scheduled (not manual) actions are off while paused or out of remaining actions. */
export function scheduledActionsOff(schedule: Schedule): boolean {
  const s = schedule.state
  return Boolean(s?.paused) || (Boolean(s?.limitedActions) && Number(s?.remainingActions ?? 0) <= 0)
}

/** Buffers a start, or counts it dropped when the buffer is full. */
export function addStart(state: ScheduleState, start: BufferedStart): void {
  if (state.buffer.length >= MAX_BUFFER_SIZE) {
    state.bufferDropped++
    return
  }
  state.buffer.push(start)
}

/**
 * Spec times in (lastProcessedTime, now]: buffered, or counted in `missedCatchupWindow` when
 * older than the catchup window. Times before the last update are dropped; while scheduled
 * actions are off the range is skipped without counting anything.
 */
export function collectDueTimes(
  state: ScheduleState,
  schedule: Schedule,
  spec: CompiledSpec,
  now: number,
): void {
  if (scheduledActionsOff(schedule)) {
    state.lastProcessedTime = Math.max(state.lastProcessedTime, now)
    return
  }
  const window = catchupWindowMs(schedule)
  let t = state.lastProcessedTime
  for (let n = 0; n < MAX_TIMES_PER_WAKE; n++) {
    const next = spec.getNextTime(t)
    if (!next || next.next > now) {
      t = now
      break
    }
    t = next.next
    if (state.updateTime !== undefined && next.next < state.updateTime) continue
    if (now - next.next > window) {
      state.missedCatchupWindow++
      continue
    }
    addStart(state, {
      nominal: next.nominal,
      actual: next.next,
      overlapPolicy: OverlapPolicy.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED,
      manual: false,
    })
  }
  state.lastProcessedTime = Math.max(state.lastProcessedTime, t)
}

/** Turns up to BACKFILLS_PER_WAKE spec times of the ongoing backfills into manual starts. */
export function collectBackfills(state: ScheduleState, spec: CompiledSpec): void {
  let budget = BACKFILLS_PER_WAKE
  while (state.backfills.length > 0 && budget > 0 && state.buffer.length < MAX_BUFFER_SIZE / 2) {
    const b = state.backfills[0]!
    const next = spec.getNextTime(b.after)
    if (!next || next.next > b.end) {
      state.backfills.shift()
      continue
    }
    b.after = next.next
    addStart(state, {
      nominal: next.nominal,
      actual: next.next,
      overlapPolicy: b.overlapPolicy,
      manual: true,
    })
    budget--
  }
}

export interface BufferDecision {
  /** The start that runs now under its policy, and is then tracked as running. */
  nonOverlapping?: BufferedStart
  /** ALLOW_ALL starts: run now, never tracked. */
  overlapping: BufferedStart[]
  /** The running workflows must be cancelled (CANCEL_OTHER) or terminated (TERMINATE_OTHER). */
  cancelRunning: boolean
  terminateRunning: boolean
}

/**
 * Applies the overlap policies to the buffer (Temporal's ProcessBuffer): what starts now, what
 * stays buffered (left in `state.buffer`), what is skipped (counted in `overlapSkipped`). A
 * start's UNSPECIFIED policy is resolved now, to the schedule's own (SKIP by default).
 */
export function processBuffer(state: ScheduleState, schedule: Schedule): BufferDecision {
  const isRunning = state.running.length > 0
  const resolve = (p: OverlapPolicy): OverlapPolicy =>
    p || schedule.policies?.overlapPolicy || OverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP
  const out: BufferDecision = { overlapping: [], cancelRunning: false, terminateRunning: false }
  let kept: BufferedStart[] = []
  for (const start of state.buffer) {
    const policy = resolve(start.overlapPolicy)
    if (policy === OverlapPolicy.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL) {
      out.overlapping.push(start)
      continue
    }
    if (!isRunning && !out.nonOverlapping) {
      out.nonOverlapping = start
      continue
    }
    switch (policy) {
      case OverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE:
        if (kept.length === 0) kept.push(start)
        else state.overlapSkipped++
        break
      case OverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL:
        kept.push(start)
        break
      case OverlapPolicy.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER:
      case OverlapPolicy.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER:
        if (isRunning) {
          // The latest start waits for the running ones to go, which it asks for.
          kept = [start]
          if (policy === OverlapPolicy.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER)
            out.cancelRunning = true
          else out.terminateRunning = true
        } else {
          // Nothing really runs: this start replaces the one chosen earlier in this pass.
          out.nonOverlapping = start
        }
        break
      case OverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP:
      case OverlapPolicy.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED:
        state.overlapSkipped++
    }
  }
  // Temporal drops the pass's ALLOW_ALL starts when it has to cancel or terminate first.
  if (out.cancelRunning || out.terminateRunning) out.overlapping = []
  state.buffer = kept
  return out
}

/**
 * Whether a start may act (Temporal's canTakeScheduledAction): manual starts always; scheduled
 * ones unless paused, using up one remaining action when actions are limited.
 */
export function takeAction(state: ScheduleState, schedule: Schedule, manual: boolean): boolean {
  if (manual) return true
  const s = schedule.state
  if (s?.paused) return false
  if (!s?.limitedActions) return true
  const remaining = Number(s.remainingActions ?? 0)
  if (remaining <= 0) return false
  s.remainingActions = long(remaining - 1)
  state.conflictToken++
  return true
}

/** The started workflow's id: the action's, then the nominal time in RFC 3339 (seconds, Z). */
export function scheduledWorkflowId(schedule: Schedule, nominal: number): string {
  const base = schedule.action?.startWorkflow?.workflowId ?? ''
  if (schedule.policies?.keepOriginalWorkflowId) return base
  return `${base}-${new Date(Math.floor(nominal / 1000) * 1000).toISOString().replace('.000Z', 'Z')}`
}
