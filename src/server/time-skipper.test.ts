import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { pino } from 'pino'
import { VirtualClock } from '../common/clock.js'
import { FailedPreconditionError } from '../common/errors.js'
import { WorkflowExecutionStatus } from '../common/proto.js'
import type { MutableStateData } from '../history/mutable-state/state.js'
import { SqliteStore } from '../persistence/sqlite/sqlite-store.js'
import { TimeSkipper } from './time-skipper.js'

const DAY = 86_400_000
const key = { namespaceId: 'ns', workflowId: 'wf', runId: 'run' }

function skipper(startUnlocked: boolean): { skipper: TimeSkipper; clock: VirtualClock } {
  const clock = new VirtualClock()
  const store = SqliteStore.open()
  const s = new TimeSkipper({
    clock,
    tasks: store.tasks,
    logger: pino({ level: 'silent' }),
    startUnlocked,
  })
  return { skipper: s, clock }
}

/** Whether `p` settles within `ms` of real time. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), sleep(ms).then(() => false)])
}

function runState(withWorkflowTask: boolean): MutableStateData {
  return {
    status: WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
    workflowTask: withWorkflowTask ? {} : undefined,
    activities: {},
  } as unknown as MutableStateData
}

test('locked, virtual time runs at real speed; unlocked and idle, it jumps to the next wait', async () => {
  const { skipper: s, clock } = skipper(false)
  const start = clock.now()
  const woke = s.sleepUntil(start + DAY)
  assert.equal(await settlesWithin(woke, 100), false, 'locked: a day is a day')
  s.unlock()
  assert.equal(await settlesWithin(woke, 1000), true)
  assert.ok(clock.now() - start >= DAY)
})

test('a run with work outstanding holds time; its completion lets it jump', async () => {
  const { skipper: s, clock } = skipper(true)
  s.runCommitted(key, runState(true))
  const start = clock.now()
  const woke = s.sleepUntil(start + DAY)
  assert.equal(await settlesWithin(woke, 100), false, 'a workflow task is outstanding')
  s.runCommitted(key, runState(false))
  assert.equal(await settlesWithin(woke, 1000), true)
})

test('a client waiting on an update outcome counts as an unlock', async () => {
  const { skipper: s, clock } = skipper(false)
  const woke = s.sleepUntil(clock.now() + DAY)
  s.outcomeWaiters(1)
  assert.equal(await settlesWithin(woke, 1000), true)
  s.outcomeWaiters(-1)
  const again = s.sleepUntil(clock.now() + DAY)
  assert.equal(await settlesWithin(again, 100), false, 'locked again once the wait ended')
})

test('unlockWithSleep advances by its duration and locks again; an extra unlock is refused', async () => {
  const { skipper: s, clock } = skipper(false)
  const start = clock.now()
  await s.unlockWithSleep(2 * DAY)
  assert.ok(clock.now() - start >= 2 * DAY)
  const later = s.sleepUntil(clock.now() + DAY)
  assert.equal(await settlesWithin(later, 100), false, 'locked again')
  s.unlock()
  assert.throws(() => s.unlock(), FailedPreconditionError)
})
