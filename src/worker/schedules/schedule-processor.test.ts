import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  addStart,
  catchupWindowMs,
  collectDueTimes,
  MAX_BUFFER_SIZE,
  processBuffer,
  scheduledWorkflowId,
  takeAction,
} from './schedule-processor.js'
import {
  OverlapPolicy,
  type BufferedStart,
  type Schedule,
  type ScheduleState,
} from './schedule-state.js'
import { compileSpec } from './spec.js'
import { durationFromMs } from '../../common/time.js'
import { long } from '../../common/proto.js'

function state(over: Partial<ScheduleState> = {}): ScheduleState {
  return {
    scheduleId: 's',
    schedule: '',
    createRequestId: 'r',
    conflictToken: 1,
    createTime: 0,
    lastProcessedTime: 0,
    actionCount: 0,
    missedCatchupWindow: 0,
    overlapSkipped: 0,
    bufferDropped: 0,
    buffer: [],
    backfills: [],
    running: [],
    recentActions: [],
    ...over,
  }
}

const start = (nominal: number, overlapPolicy = 0): BufferedStart => ({
  nominal,
  actual: nominal,
  overlapPolicy,
  manual: false,
})

const P = OverlapPolicy
const running = [{ workflowId: 'w', runId: 'r' }]

test('SKIP starts one when nothing runs and skips the rest; the schedule policy is the default', () => {
  const s = state({ buffer: [start(1), start(2), start(3)] })
  const d = processBuffer(s, { policies: {} })
  assert.equal(d.nonOverlapping?.nominal, 1)
  assert.deepEqual([s.buffer.length, s.overlapSkipped], [0, 2])
})

test('while a workflow runs: BUFFER_ONE keeps one, BUFFER_ALL keeps all, ALLOW_ALL starts all', () => {
  const policy = (overlapPolicy: number): Schedule => ({ policies: { overlapPolicy } })
  const one = state({ running, buffer: [start(1), start(2)] })
  assert.equal(
    processBuffer(one, policy(P.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE)).nonOverlapping,
    undefined,
  )
  assert.deepEqual([one.buffer.map((b) => b.nominal), one.overlapSkipped], [[1], 1])
  const all = state({ running, buffer: [start(1), start(2)] })
  processBuffer(all, policy(P.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL))
  assert.deepEqual(
    all.buffer.map((b) => b.nominal),
    [1, 2],
  )
  const allow = state({ running, buffer: [start(1), start(2)] })
  const d = processBuffer(allow, policy(P.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL))
  assert.deepEqual(
    d.overlapping.map((b) => b.nominal),
    [1, 2],
  )
})

test('CANCEL_OTHER and TERMINATE_OTHER keep the latest start and ask to stop what runs', () => {
  const s = state({ running, buffer: [start(1), start(2)] })
  const d = processBuffer(s, {
    policies: { overlapPolicy: P.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER },
  })
  assert.equal(d.cancelRunning, true)
  assert.deepEqual(
    s.buffer.map((b) => b.nominal),
    [2],
  )
  const idle = state({ buffer: [start(1), start(2)] })
  const t = processBuffer(idle, {
    policies: { overlapPolicy: P.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER },
  })
  // Nothing really runs: the later start replaces the earlier one.
  assert.deepEqual([t.nonOverlapping?.nominal, t.terminateRunning], [2, false])
})

test('due times past the catchup window are counted missed; the buffer drops beyond its size', () => {
  const spec = compileSpec({ interval: [{ interval: durationFromMs(60_000) }] })
  const schedule: Schedule = { policies: { catchupWindow: durationFromMs(10 * 60_000) } }
  const s = state({ lastProcessedTime: 0 })
  collectDueTimes(s, schedule, spec, 3600_000)
  assert.equal(s.buffer.length, 11)
  assert.equal(s.missedCatchupWindow, 49)
  assert.equal(s.lastProcessedTime, 3600_000)
  assert.equal(catchupWindowMs({ policies: { catchupWindow: durationFromMs(1000) } }), 10_000)
  const full = state()
  for (let i = 0; i <= MAX_BUFFER_SIZE; i++) addStart(full, start(i))
  assert.deepEqual([full.buffer.length, full.bufferDropped], [MAX_BUFFER_SIZE, 1])
})

test('limited actions are used up by scheduled starts only; paused stops scheduled ones', () => {
  const schedule: Schedule = { state: { limitedActions: true, remainingActions: long(1) } }
  const s = state()
  assert.equal(takeAction(s, schedule, false), true)
  assert.equal(takeAction(s, schedule, false), false)
  assert.equal(takeAction(s, schedule, true), true)
  assert.equal(s.conflictToken, 2)
  assert.equal(takeAction(s, { state: { paused: true } }, false), false)
})

test('workflow ids carry the nominal time in RFC 3339 seconds, unless kept original', () => {
  const schedule: Schedule = { action: { startWorkflow: { workflowId: 'job' } } }
  assert.equal(
    scheduledWorkflowId(schedule, Date.UTC(2022, 5, 1, 0, 15, 0, 700)),
    'job-2022-06-01T00:15:00Z',
  )
  schedule.policies = { keepOriginalWorkflowId: true }
  assert.equal(scheduledWorkflowId(schedule, 0), 'job')
})
