/**
 * Schedules through the SDK's ScheduleClient: specs that start workflows on their own, the
 * overlap policies, trigger, backfill, pause, limited actions, update, delete, list, matching
 * times, and catching up after the server was down. Workflows go to task queues no worker polls,
 * so a started workflow stays running until the test closes it.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  Client,
  Connection,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type ScheduleHandle,
} from '@temporalio/client'
import { pino } from 'pino'
import { VirtualClock } from '../../src/common/clock.js'
import { api, long } from '../../src/common/proto.js'
import { timestampFromMs } from '../../src/common/time.js'
import { createServer } from '../../src/server/server.js'
import { testStoreConfig } from '../../src/testing/test-store.js'
import { eventually, startHarness, uid, type Harness } from './harness.js'

let h: Harness
before(async () => {
  h = await startHarness()
})
after(async () => {
  await h.close()
})

const Overlap = api.enums.v1.ScheduleOverlapPolicy

/** A schedule whose action starts `waitsLong` on a queue nobody polls. */
async function createSchedule(
  opts: {
    every?: string
    paused?: boolean
    overlap?: ScheduleOverlapPolicy
    remainingActions?: number
    client?: Client
  } = {},
): Promise<{ handle: ScheduleHandle; scheduleId: string; workflowId: string }> {
  const scheduleId = uid('sched')
  const workflowId = uid('scheduled')
  const handle = await (opts.client ?? h.client).schedule.create({
    scheduleId,
    spec: { intervals: [{ every: opts.every ?? '1 hour' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'waitsLong',
      taskQueue: uid('idle'),
      workflowId,
    },
    policies: { overlap: opts.overlap ?? ScheduleOverlapPolicy.ALLOW_ALL },
    state: { paused: opts.paused, remainingActions: opts.remainingActions },
  })
  return { handle, scheduleId, workflowId }
}

/** Workflows a schedule started, by the search attribute Temporal sets on them. */
async function startedBy(scheduleId: string, client = h.client) {
  const found = []
  for await (const w of client.workflow.list({
    query: `TemporalScheduledById = '${scheduleId}'`,
  })) {
    found.push(w)
  }
  return found
}

/** Triggers a start at a given time (distinct times make distinct workflow ids). */
async function triggerAt(scheduleId: string, ms: number, overlapPolicy: number): Promise<void> {
  await h.connection.workflowService.patchSchedule({
    namespace: 'default',
    scheduleId,
    patch: { triggerImmediately: { overlapPolicy, scheduledTime: timestampFromMs(ms) } },
    requestId: uid('req'),
  })
}

test('a 1 s interval schedule starts workflows on its own, as Temporal names and marks them', async () => {
  const { handle, scheduleId, workflowId } = await createSchedule({ every: '1s' })
  const runs = await eventually(async () => {
    const runs = await startedBy(scheduleId)
    assert.ok(runs.length >= 2, `${runs.length} started`)
    return runs
  })
  for (const run of runs) {
    assert.match(
      run.workflowId,
      new RegExp(`^${workflowId}-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`),
    )
    assert.equal(run.searchAttributes.TemporalScheduledById?.[0], scheduleId)
    const nominal = run.searchAttributes.TemporalScheduledStartTime?.[0] as Date
    assert.equal(run.workflowId, `${workflowId}-${nominal.toISOString().replace('.000Z', 'Z')}`)
  }
  const d = await handle.describe()
  assert.ok(d.info.recentActions.length >= 2)
  assert.equal(d.info.nextActionTimes.length, 10)
  assert.ok(d.info.createdAt instanceof Date)
  assert.equal(d.policies.overlap, ScheduleOverlapPolicy.ALLOW_ALL)
  assert.equal(d.policies.catchupWindow, 365 * 24 * 3600 * 1000)
  await handle.delete()
  await assert.rejects(handle.describe(), ScheduleNotFoundError)
})

test('bad specs and duplicate ids are refused and create nothing', async () => {
  const base = {
    action: { type: 'startWorkflow' as const, workflowType: 'waitsLong', taskQueue: 'idle' },
  }
  // The SDK turns "Invalid schedule spec: <why>" into a TypeError of <why>.
  const invalid = async (spec: object, pattern: RegExp) => {
    const scheduleId = uid('bad')
    await assert.rejects(h.client.schedule.create({ scheduleId, spec, ...base }), (e: Error) => {
      assert.ok(e instanceof TypeError, `${e.name}: ${e.message}`)
      assert.match(e.message, pattern)
      return true
    })
    await assert.rejects(h.client.schedule.getHandle(scheduleId).describe(), ScheduleNotFoundError)
  }
  await invalid({ cronExpressions: ['61 * * * *'] }, /Minute is not in range \[0-59\]/)
  await invalid({ intervals: [{ every: 0 }] }, /interval is too small/)
  await invalid({ calendars: [{ hour: 25 }] }, /Invalid CalendarSpec component for field hour/)
  await invalid(
    { cronExpressions: ['0 12 * * *'], timezone: 'Mars/Olympus' },
    /unknown time zone Mars\/Olympus/,
  )

  const raw = h.connection.workflowService
  await assert.rejects(
    raw.createSchedule({
      namespace: 'default',
      scheduleId: uid('bad'),
      requestId: uid('req'),
      schedule: {
        spec: { interval: [{ interval: { seconds: long(60) } }] },
        action: {
          startWorkflow: { workflowId: 'x', workflowType: { name: 'x' }, taskQueue: { name: 'q' } },
        },
        policies: { overlapPolicy: 42 as never },
      },
    }),
    /INVALID_ARGUMENT: invalid overlap policy: 42/,
  )
  // The SDK checks calendar ranges itself; the server checks them too, for other clients.
  await assert.rejects(
    raw.createSchedule({
      namespace: 'default',
      scheduleId: uid('bad'),
      requestId: uid('req'),
      schedule: { spec: { structuredCalendar: [{ hour: [{ start: 25 }] }] } },
    }),
    /INVALID_ARGUMENT: Invalid schedule spec: invalid calendar spec: Hour Start is not in range \[0-23\]/,
  )
  const { scheduleId, handle } = await createSchedule()
  await assert.rejects(
    h.client.schedule.create({ scheduleId, spec: { intervals: [{ every: '1h' }] }, ...base }),
    ScheduleAlreadyRunning,
  )
  await handle.delete()
})

describe('overlap policies, with three starts while the first still runs', () => {
  const cases: [
    string,
    number,
    (runs: number, info: { buffer: number; skipped: number }) => void,
  ][] = [
    [
      'SKIP',
      Overlap.SCHEDULE_OVERLAP_POLICY_SKIP,
      (runs, i) => {
        assert.equal(runs, 1)
        assert.equal(i.skipped, 2)
      },
    ],
    [
      'BUFFER_ONE',
      Overlap.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE,
      (runs, i) => {
        assert.equal(runs, 1)
        assert.deepEqual([i.buffer, i.skipped], [1, 1])
      },
    ],
    [
      'BUFFER_ALL',
      Overlap.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL,
      (runs, i) => {
        assert.equal(runs, 1)
        assert.deepEqual([i.buffer, i.skipped], [2, 0])
      },
    ],
    [
      'ALLOW_ALL',
      Overlap.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
      (runs, i) => {
        assert.equal(runs, 3)
        assert.deepEqual([i.buffer, i.skipped], [0, 0])
      },
    ],
  ]
  for (const [name, policy, check] of cases) {
    test(name, async () => {
      const { handle, scheduleId } = await createSchedule({ paused: true })
      const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000
      for (let i = 0; i < 3; i++) await triggerAt(scheduleId, t0 + i * 1000, policy)
      const d = await h.connection.workflowService.describeSchedule({
        namespace: 'default',
        scheduleId,
      })
      const running = (await startedBy(scheduleId)).filter((w) => w.status.name === 'RUNNING')
      check(running.length, {
        buffer: Number(d.info?.bufferSize),
        skipped: Number(d.info?.overlapSkipped),
      })
      if (name.startsWith('BUFFER')) {
        // Closing the running one lets the next buffered start run.
        await h.client.workflow.getHandle(running[0]!.workflowId).terminate()
        await eventually(async () => {
          const now = (await startedBy(scheduleId)).filter((w) => w.status.name === 'RUNNING')
          assert.equal(now.length, 1)
          assert.notEqual(now[0]!.workflowId, running[0]!.workflowId)
        })
      }
      await handle.delete()
    })
  }

  for (const [name, policy, closed] of [
    ['CANCEL_OTHER', Overlap.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER, 'CANCELLED'],
    ['TERMINATE_OTHER', Overlap.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER, 'TERMINATED'],
  ] as const) {
    test(name, async () => {
      const { handle, scheduleId } = await createSchedule({ paused: true })
      const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000
      await triggerAt(scheduleId, t0, policy)
      await triggerAt(scheduleId, t0 + 1000, policy)
      // The first trigger's run: the earliest (the list shows running workflows first).
      const first = (await startedBy(scheduleId)).sort(
        (a, b) => a.startTime.getTime() - b.startTime.getTime(),
      )[0]!
      if (name === 'CANCEL_OTHER') {
        // Nobody runs the workflow, so the cancel request alone does not close it: do it here.
        await eventually(async () => {
          const { events } = await h.client.workflow.getHandle(first.workflowId).fetchHistory()
          assert.ok(events?.some((e) => e.workflowExecutionCancelRequestedEventAttributes))
        })
        await h.client.workflow.getHandle(first.workflowId).terminate('stands in for the worker')
      }
      await eventually(async () => {
        const runs = await startedBy(scheduleId)
        assert.equal(runs.length, 2)
        const byId = new Map(runs.map((r) => [r.workflowId, r.status.name]))
        assert.equal(byId.get(first.workflowId), name === 'CANCEL_OTHER' ? 'TERMINATED' : closed)
        assert.ok([...byId.values()].includes('RUNNING'))
      })
      await handle.delete()
    })
  }
})

test('trigger, pause and unpause with notes, update, list by TemporalSchedulePaused', async () => {
  const { handle, scheduleId } = await createSchedule()
  await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL)
  await eventually(async () => assert.equal((await startedBy(scheduleId)).length, 1))
  await handle.pause('maintenance window')
  let d = await handle.describe()
  assert.equal(d.state.paused, true)
  assert.equal(d.state.note, 'maintenance window')
  const paused = []
  const query = `TemporalSchedulePaused = true AND ScheduleId = '${scheduleId}'`
  for await (const s of h.client.schedule.list({ query })) paused.push(s.scheduleId)
  assert.deepEqual(paused, [scheduleId])
  await assert.rejects(
    h.connection.workflowService.listSchedules({ namespace: 'default', query: `WorkflowId = 'x'` }),
    /INVALID_ARGUMENT: invalid query filter for schedules: cannot filter on "WorkflowId"/,
  )
  const count = await h.connection.workflowService.countSchedules({ namespace: 'default', query })
  assert.equal(Number(count.count), 1)
  await handle.unpause('back')
  d = await handle.describe()
  assert.equal(d.state.paused, false)
  assert.equal(d.state.note, 'back')

  await handle.update((prev) => ({ ...prev, spec: { intervals: [{ every: '2 hours' }] } }))
  d = await handle.describe()
  assert.equal(d.spec.intervals?.[0]?.every, 2 * 3600 * 1000)
  assert.ok(d.info.lastUpdatedAt instanceof Date)
  await assert.rejects(
    h.connection.workflowService.updateSchedule({
      namespace: 'default',
      scheduleId,
      schedule: d.raw.schedule,
      conflictToken: Buffer.from([0, 0, 0, 0, 0, 0, 0, 99]),
      requestId: uid('req'),
    }),
    /FAILED_PRECONDITION: mismatched conflict token/,
  )
  await handle.delete()
})

test('a closed run leaves the running list at once, and its result reaches the next run', async () => {
  const taskQueue = uid('sched-tq')
  const scheduleId = uid('sched')
  const handle = await h.client.schedule.create({
    scheduleId,
    spec: { intervals: [{ every: '1 hour' }] },
    action: { type: 'startWorkflow', workflowType: 'cronJob', taskQueue, workflowId: uid('wf') },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  })
  const describe = () =>
    h.connection.workflowService.describeSchedule({ namespace: 'default', scheduleId })
  const Status = api.enums.v1.WorkflowExecutionStatus
  await h.withWorker(taskQueue, async () => {
    for (const n of [1, 2]) {
      await triggerAt(scheduleId, Date.UTC(2026, 0, 1, n), Overlap.SCHEDULE_OVERLAP_POLICY_SKIP)
      // Closed long before the next spec time (an hour away): the watch on the run wakes it.
      await eventually(async () => {
        const { info } = await describe()
        assert.equal(info?.recentActions?.length, n)
        assert.equal(info?.runningWorkflows?.length, 0, 'still listed as running')
        assert.equal(
          info?.recentActions?.[n - 1]?.startWorkflowStatus,
          Status.WORKFLOW_EXECUTION_STATUS_COMPLETED,
        )
      }, 5000)
    }
  })
  const results = []
  for (const run of await startedBy(scheduleId)) {
    results.push(await h.client.workflow.getHandle(run.workflowId).result())
  }
  // The second run saw the first one's result as its last completion result.
  assert.deepEqual(results.sort(), ['run after "nothing"', 'run after "run after \\"nothing\\""'])
  await handle.delete()
})

test('backfill over a past range starts one run per spec time, both ends included', async () => {
  const { handle, scheduleId } = await createSchedule({ every: '1 minute', paused: true })
  const start = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000)
  const end = new Date(start.getTime() + 5 * 60_000)
  await handle.backfill({ start, end, overlap: ScheduleOverlapPolicy.ALLOW_ALL })
  const runs = await eventually(async () => {
    const runs = await startedBy(scheduleId)
    assert.equal(runs.length, 6)
    return runs
  })
  const nominal = runs
    .map((r) => (r.searchAttributes.TemporalScheduledStartTime?.[0] as Date).getTime())
    .sort((a, b) => a - b)
  assert.deepEqual(
    nominal,
    [0, 1, 2, 3, 4, 5].map((i) => start.getTime() + i * 60_000),
  )
  await handle.delete()
})

test('limited actions stop after the last one; a paused schedule starts nothing', async () => {
  const limited = await createSchedule({ every: '1s', remainingActions: 2 })
  const pausedOne = await createSchedule({ every: '1s', paused: true })
  await eventually(async () => assert.equal((await startedBy(limited.scheduleId)).length, 2))
  const d = await limited.handle.describe()
  assert.equal(d.state.remainingActions, 0)
  assert.deepEqual(d.info.nextActionTimes, [])
  await new Promise((r) => setTimeout(r, 1500))
  assert.equal((await startedBy(limited.scheduleId)).length, 2)
  assert.equal((await startedBy(pausedOne.scheduleId)).length, 0)
  await limited.handle.delete()
  await pausedOne.handle.delete()
})

test('ListScheduleMatchingTimes of an interval and a cron spec', async () => {
  const { scheduleId, handle } = await createSchedule({ every: '15 minutes' })
  const t0 = Date.UTC(2030, 0, 1)
  const { startTime } = await h.connection.workflowService.listScheduleMatchingTimes({
    namespace: 'default',
    scheduleId,
    startTime: timestampFromMs(t0),
    endTime: timestampFromMs(t0 + 3600_000),
  })
  assert.deepEqual(
    startTime.map((t) => Number(t.seconds) * 1000),
    [1, 2, 3, 4].map((i) => t0 + i * 15 * 60_000),
  )
  await handle.delete()

  // 09:00 in New York across the spring DST change of 2030-03-10: 14:00Z, then 13:00Z.
  const cron = await h.client.schedule.create({
    scheduleId: uid('cron'),
    spec: { cronExpressions: ['CRON_TZ=America/New_York 0 9 * * *'] },
    action: { type: 'startWorkflow', workflowType: 'waitsLong', taskQueue: uid('idle') },
    state: { paused: true },
  })
  const days = await h.connection.workflowService.listScheduleMatchingTimes({
    namespace: 'default',
    scheduleId: cron.scheduleId,
    startTime: timestampFromMs(Date.UTC(2030, 2, 8)),
    endTime: timestampFromMs(Date.UTC(2030, 2, 12)),
  })
  assert.deepEqual(
    days.startTime.map((t) => new Date(Number(t.seconds) * 1000).toISOString()),
    [
      '2030-03-08T14:00:00.000Z',
      '2030-03-09T14:00:00.000Z',
      '2030-03-10T13:00:00.000Z',
      '2030-03-11T13:00:00.000Z',
    ],
  )
  await cron.delete()
})

test('after the server was down, a schedule catches up what its catchup window covers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sundial-schedules-'))
  const store = await testStoreConfig(join(dir, 'catchup.db'))
  const logger = pino({ level: 'warn' })
  try {
    const first = await createServer({ port: 0, store, logger })
    const connection = await Connection.connect({ address: first.address })
    const client = new Client({ connection })
    const scheduleId = uid('catchup')
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1 minute' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'waitsLong',
        taskQueue: uid('idle'),
        workflowId: uid('c'),
      },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '10 minutes' },
    })
    await connection.close()
    await first.stop()

    // An hour passes while the server is down.
    const clock = new VirtualClock()
    clock.advance(3600_000)
    const second = await createServer({ port: 0, store, logger, clock })
    const again = new Client({ connection: await Connection.connect({ address: second.address }) })
    try {
      const d = await eventually(async () => {
        const d = await again.schedule.getHandle(scheduleId).describe()
        assert.equal(d.info.numActionsTaken, 10)
        return d
      })
      assert.ok(
        Number(d.raw.info?.missedCatchupWindow) >= 49,
        `missed ${Number(d.raw.info?.missedCatchupWindow)}`,
      )
      assert.equal((await startedBy(scheduleId, again)).length, 10)
    } finally {
      await again.connection.close()
      await second.stop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
