/**
 * `sundial schedule create | list | describe | update | toggle | trigger | backfill | delete |
 * list-matching-times` against a live server, in text and JSON, each checked against what the
 * SDK's ScheduleClient or a raw RPC sees. Scheduled workflows go to a task queue nobody polls,
 * so each one started stays running until the test ends.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { api } from '../../src/common/proto.js'
import { eventually } from '../integration/harness.js'
import {
  cardFields,
  startCliHarness,
  tableRows,
  uid,
  type CliHarness,
} from './workflow-cli-harness.js'

let h: CliHarness
const owner = `ScheduleOwner${process.pid}`
before(async () => {
  h = await startCliHarness()
  await h.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: { [owner]: api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD },
  })
})
after(() => h.close())

/** `schedule create` with an action on an idle task queue, plus `extra` flags. */
async function create(extra: string[] = [], scheduleId = uid('sched')) {
  const workflowId = uid('scheduled')
  const r = await h.run([
    'schedule',
    'create',
    '-s',
    scheduleId,
    '-w',
    workflowId,
    '--type',
    'waitsLong',
    '-t',
    uid('idle'),
    ...extra,
  ])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, '', 'create prints nothing, as Temporal')
  return { scheduleId, workflowId, handle: h.client.schedule.getHandle(scheduleId) }
}

/** Workflows a schedule started, by the search attribute the server sets on them. */
async function startedBy(scheduleId: string): Promise<string[]> {
  const ids: string[] = []
  for await (const w of h.client.workflow.list({
    query: `TemporalScheduledById = '${scheduleId}'`,
  })) {
    ids.push(w.workflowId)
  }
  return ids.sort()
}

// Each test has schedules of its own, so they run side by side.
describe('sundial schedule', { concurrency: true }, () => {
  test('create sets every flag; describe shows it as a card and as the server answer', async () => {
    const { scheduleId, workflowId, handle } = await create([
      '--interval',
      '1h',
      '--interval',
      '10m/1m',
      '--cron',
      '30 12 * * Fri',
      '--calendar',
      '{"hour":"2,4","dayOfWeek":"thu,fri"}',
      '--exclude-calendar',
      '{"month":"12","dayOfMonth":"25"}',
      '--jitter',
      '30s',
      '--time-zone',
      'Europe/Paris',
      '--end-time',
      '2099-01-01T00:00:00Z',
      '--overlap-policy',
      'BufferAll',
      '--catchup-window',
      '10m',
      '--pause-on-failure',
      '--notes',
      'made by the test',
      '--paused',
      '--remaining-actions',
      '3',
      '-i',
      '"first"',
      '-i',
      '{"n":2}',
      '--execution-timeout',
      '1h',
      '--memo',
      'wfMemo="run"',
      '--schedule-memo',
      'schedMemo="sched"',
      '--schedule-search-attribute',
      `${owner}="ops"`,
    ])
    const d = await handle.describe()
    assert.deepEqual(
      (d.spec.intervals ?? []).map((i) => [i.every, i.offset ?? 0]),
      [
        [3_600_000, 0],
        [600_000, 60_000],
      ],
    )
    assert.equal(d.spec.calendars?.length, 2)
    assert.equal(d.spec.skip?.length, 1)
    assert.equal(d.spec.jitter, 30_000)
    assert.equal(d.spec.timezone, 'Europe/Paris')
    assert.equal(d.spec.endAt?.toISOString(), '2099-01-01T00:00:00.000Z')
    assert.equal(d.action.type, 'startWorkflow')
    assert.equal(d.action.type === 'startWorkflow' && d.action.workflowId, workflowId)
    assert.deepEqual(d.action.type === 'startWorkflow' && d.action.args, ['first', { n: 2 }])
    assert.equal(d.policies.overlap, 'BUFFER_ALL')
    assert.equal(d.policies.catchupWindow, 600_000)
    assert.equal(d.policies.pauseOnFailure, true)
    assert.equal(d.state.paused, true)
    assert.equal(d.state.note, 'made by the test')
    assert.equal(d.state.remainingActions, 3)
    assert.deepEqual(d.memo, { schedMemo: 'sched' })
    assert.deepEqual(d.searchAttributes[owner], ['ops'])

    const text = await h.run(['schedule', 'describe', '-s', scheduleId])
    assert.equal(text.code, 0, text.stderr)
    const card = cardFields(text.stdout)
    assert.equal(card.ScheduleId, scheduleId)
    assert.deepEqual(JSON.parse(card.Action!), {
      ID: workflowId,
      Workflow: 'waitsLong',
      Args: ['first', { n: 2 }],
      TaskQueue: d.action.type === 'startWorkflow' ? d.action.taskQueue : '',
      WorkflowExecutionTimeout: '1h 0m 0s',
      Memo: { wfMemo: 'run' },
    })
    assert.equal(
      card.Spec,
      '[{"second":"0","minute":"0","hour":"2,4","dayOfMonth":"1-31","month":"1-12","dayOfWeek":"4,5"}, ' +
        '{"second":"0","minute":"30","hour":"12","dayOfMonth":"1-31","month":"1-12","dayOfWeek":"5"}, ' +
        '{"every":"1h 0m 0s"}, {"every":"10m 0s","offset":"1m 0s"}]',
    )
    assert.match(card.SkipSpec!, /"month":"12"/)
    assert.equal(card.EndAt, '2099-01-01T00:00:00.000Z')
    assert.equal(card.Jitter, '30s')
    assert.equal(card.TimeZoneName, 'Europe/Paris')
    assert.equal(card.OverlapPolicy, 'BufferAll')
    assert.equal(card.CatchupWindow, '10m 0s')
    assert.equal(card.PauseOnFailure, 'true')
    assert.equal(card.Notes, 'made by the test')
    assert.equal(card.Paused, 'true')
    assert.equal(card.LimitedActions, 'true')
    assert.equal(card.RemainingActions, '3')
    assert.equal(card.RunningWorkflows, '[]')
    assert.equal(card.CreatedAt, d.info.createdAt.toISOString())
    // One of the upcoming times the SDK saw: a nominal time may pass between the two describes.
    assert.ok(
      d.info.nextActionTimes.some((t) => t.toISOString() === card.NextRunTime),
      `${card.NextRunTime} is not among ${d.info.nextActionTimes.map((t) => t.toISOString()).join(', ')}`,
    )
    assert.deepEqual(JSON.parse(card.ActionCounts!), {
      Total: 0,
      MissedCatchupWindow: 0,
      SkippedOverlap: 0,
    })
    assert.equal(card.SearchAttributes, `${owner}="ops"`)
    assert.equal(card.Memo, 'schedMemo="sched"')
    assert.equal(card.StartAt, undefined, 'unset fields are left out')

    const json = await h.json<{ schedule: { action: { startWorkflow: { workflowId: string } } } }>([
      'schedule',
      'describe',
      '-s',
      scheduleId,
    ])
    const raw = await h.connection.workflowService.describeSchedule({
      namespace: 'default',
      scheduleId,
    })
    assert.equal(json.schedule.action.startWorkflow.workflowId, workflowId)
    assert.equal(
      (json as { conflictToken?: string }).conflictToken,
      Buffer.from(raw.conflictToken).toString('base64'),
    )
    await handle.delete()
  })

  test('a 1 s interval schedule starts workflows; list shows it in text, json and jsonl', async () => {
    const tag = uid('listed')
    const hourly = uid('sched')
    const created = await h.json<{ conflictToken: string }>([
      'schedule',
      'create',
      '-s',
      hourly,
      '--type',
      'waitsLong',
      '-t',
      uid('idle'),
      '--interval',
      '1h',
      '--schedule-search-attribute',
      `${owner}="${tag}"`,
    ])
    assert.equal(created.conflictToken, Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]).toString('base64'))

    const { scheduleId, workflowId, handle } = await create([
      '--interval',
      '1s',
      '--overlap-policy',
      'AllowAll',
      '--schedule-search-attribute',
      `${owner}="${tag}"`,
    ])
    const runs = await eventually(async () => {
      const runs = await startedBy(scheduleId)
      assert.ok(runs.length >= 2, `${runs.length} started`)
      return runs
    })
    for (const id of runs) {
      assert.match(id, new RegExp(`^${workflowId}-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`))
    }

    const byTag = `${owner} = '${tag}'`
    const list = await h.run(['schedule', 'list', '-q', byTag])
    assert.equal(list.code, 0, list.stderr)
    const [header, ...rows] = tableRows(list.stdout)
    assert.deepEqual(header, ['ScheduleId', 'Action', 'Paused', 'NextRunTime', 'LastRunTime'])
    assert.deepEqual(rows.map((r) => r[0]).sort(), [hourly, scheduleId].sort())
    const row = rows.find((r) => r[0] === scheduleId)!
    assert.deepEqual(row.slice(0, 3), [scheduleId, '{"Workflow":"waitsLong"}', 'false'])
    assert.match(row[4]!, /^\d{4}-\d\d-\d\dT/, 'a last run time')

    const long = await h.run(['schedule', 'list', '--long', '-q', `ScheduleId = '${scheduleId}'`])
    assert.equal(long.code, 0, long.stderr)
    const [longHeader, longRow] = tableRows(long.stdout)
    assert.deepEqual(longHeader, [
      'ScheduleId',
      'Action',
      'Spec',
      'Notes',
      'Paused',
      'NextRunTime',
      'LastRunTime',
    ])
    assert.equal(longRow![2], '[{"every":"1s"}]')

    const sdk: string[] = []
    for await (const s of h.client.schedule.list({ query: byTag })) sdk.push(s.scheduleId)
    const json = await h.json<{ scheduleId: string; info: { workflowType: { name: string } } }[]>([
      'schedule',
      'list',
      '-q',
      byTag,
    ])
    assert.deepEqual(json.map((e) => e.scheduleId).sort(), sdk.sort())
    assert.equal(json.find((e) => e.scheduleId === scheduleId)?.info.workflowType.name, 'waitsLong')
    const jsonl = await h.run(['schedule', 'list', '-o', 'jsonl', '-q', byTag])
    assert.equal(jsonl.code, 0, jsonl.stderr)
    const lines = jsonl.stdout.trim().split('\n')
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { scheduleId: string }).scheduleId).sort(),
      sdk.sort(),
    )

    const bad = await h.run(['schedule', 'list', '-q', 'WorkflowType = "x"'])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /^sundial: listing schedules failed: .*\(INVALID_ARGUMENT\)\n$/)
    await handle.delete()
    await h.client.schedule.getHandle(hourly).delete()
  })

  test('toggle pauses and unpauses with the reason as notes', async () => {
    const { scheduleId, handle } = await create(['--interval', '1h'])
    const paused = await h.run([
      'schedule',
      'toggle',
      '-s',
      scheduleId,
      '--pause',
      '--reason',
      'maintenance',
    ])
    assert.equal(paused.code, 0, paused.stderr)
    assert.equal(paused.stdout, '')
    let d = await handle.describe()
    assert.equal(d.state.paused, true)
    assert.equal(d.state.note, 'maintenance')
    const card = cardFields((await h.run(['schedule', 'describe', '-s', scheduleId])).stdout)
    assert.equal(card.Paused, 'true')
    assert.equal(card.Notes, 'maintenance')

    const unpaused = await h.json(['schedule', 'toggle', '-s', scheduleId, '--unpause'])
    assert.deepEqual(unpaused, {})
    d = await handle.describe()
    assert.equal(d.state.paused, false)
    assert.equal(d.state.note, '(no reason provided)')

    const neither = await h.run(['schedule', 'toggle', '-s', scheduleId])
    const both = await h.run(['schedule', 'toggle', '-s', scheduleId, '--pause', '--unpause'])
    for (const r of [neither, both]) {
      assert.equal(r.code, 1)
      assert.equal(r.stderr, 'sundial: exactly one of --pause or --unpause is required\n')
    }
    await handle.delete()
  })

  test('trigger starts one run now, under the overlap policy asked for', async () => {
    const { scheduleId, workflowId, handle } = await create(['--interval', '1h', '--paused'])
    const r = await h.run(['schedule', 'trigger', '-s', scheduleId])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'Trigger request sent\n')
    const [first] = await eventually(async () => {
      const runs = await startedBy(scheduleId)
      assert.equal(runs.length, 1)
      return runs
    })
    assert.ok(first!.startsWith(`${workflowId}-`))

    // Skip (the default) while that run is running: the second trigger is skipped and counted.
    assert.equal((await h.run(['schedule', 'trigger', '-s', scheduleId])).code, 0)
    await eventually(async () => {
      const card = cardFields((await h.run(['schedule', 'describe', '-s', scheduleId])).stdout)
      assert.equal((JSON.parse(card.ActionCounts!) as { SkippedOverlap: number }).SkippedOverlap, 1)
      assert.equal(card.RunningWorkflows, `[${first}]`)
    })
    // The trigger time is the run's id suffix: wait for the next second, so that ids differ.
    await eventually(() =>
      Promise.resolve(
        assert.notEqual(new Date().toISOString().slice(0, 19), first!.slice(-20, -1)),
      ),
    )
    const json = await h.json([
      'schedule',
      'trigger',
      '-s',
      scheduleId,
      '--overlap-policy',
      'AllowAll',
    ])
    assert.deepEqual(json, {})
    await eventually(async () => assert.equal((await startedBy(scheduleId)).length, 2))
    await handle.delete()
  })

  test('backfill starts one run per spec time in the range, both ends included', async () => {
    const { scheduleId, workflowId, handle } = await create(['--interval', '1m', '--paused'])
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000
    const iso = (ms: number) => new Date(ms).toISOString()
    const r = await h.run([
      'schedule',
      'backfill',
      '-s',
      scheduleId,
      '--start-time',
      iso(start),
      '--end-time',
      iso(start + 5 * 60_000),
      '--overlap-policy',
      'AllowAll',
    ])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'Backfill request sent\n')
    const runs = await eventually(async () => {
      const runs = await startedBy(scheduleId)
      assert.equal(runs.length, 6)
      return runs
    })
    assert.deepEqual(
      runs,
      [0, 1, 2, 3, 4, 5].map(
        (i) => `${workflowId}-${iso(start + i * 60_000).replace('.000Z', 'Z')}`,
      ),
    )
    const json = await h.json([
      'schedule',
      'backfill',
      '-s',
      scheduleId,
      '--start-time',
      iso(start - 2 * 60_000),
      '--end-time',
      iso(start - 60_000),
      '--overlap-policy',
      'AllowAll',
    ])
    assert.deepEqual(json, {})
    await eventually(async () => assert.equal((await startedBy(scheduleId)).length, 8))

    const badTime = await h.run(
      `schedule backfill -s ${scheduleId} --start-time yesterday --end-time now`,
    )
    assert.equal(badTime.code, 1)
    assert.match(badTime.stderr, /"yesterday" is not an RFC 3339 time/)
    await handle.delete()
  })

  test('update replaces the schedule and keeps its memo; list-matching-times', async () => {
    const { scheduleId, handle } = await create([
      '--interval',
      '1h',
      '--notes',
      'before',
      '--schedule-memo',
      'kept="yes"',
    ])
    const r = await h.run([
      'schedule',
      'update',
      '-s',
      scheduleId,
      '-w',
      'after-update',
      '--type',
      'otherType',
      '-t',
      'otherQueue',
      '--cron',
      '0 */6 * * *',
      '--overlap-policy',
      'CancelOther',
    ])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, '')
    const d = await handle.describe()
    assert.equal(d.action.type === 'startWorkflow' && d.action.workflowType, 'otherType')
    assert.equal(d.action.type === 'startWorkflow' && d.action.workflowId, 'after-update')
    assert.deepEqual(d.spec.intervals ?? [], [])
    assert.equal(d.spec.calendars?.length, 1)
    assert.equal(d.policies.overlap, 'CANCEL_OTHER')
    assert.ok(!d.state.note, 'notes left out are reset')
    assert.deepEqual(d.memo, { kept: 'yes' })
    assert.ok(d.info.lastUpdatedAt instanceof Date)
    const card = cardFields((await h.run(['schedule', 'describe', '-s', scheduleId])).stdout)
    assert.equal(card.LastUpdateAt, d.info.lastUpdatedAt.toISOString())
    const json = await h.json(`schedule update -s ${scheduleId} --type t -t q --interval 2h`)
    assert.deepEqual(json, {})

    const range = ['--start-time', '2024-01-01T00:00:00Z', '--end-time', '2024-01-01T07:00:00Z']
    const times = await h.run(['schedule', 'list-matching-times', '-s', scheduleId, ...range])
    assert.equal(times.code, 0, times.stderr)
    assert.deepEqual(tableRows(times.stdout), [
      ['Time'],
      ['2024-01-01T02:00:00.000Z'],
      ['2024-01-01T04:00:00.000Z'],
      ['2024-01-01T06:00:00.000Z'],
    ])
    const timesJson = await h.json<{ startTime: string[] }>([
      'schedule',
      'list-matching-times',
      '-s',
      scheduleId,
      ...range,
    ])
    assert.deepEqual(timesJson.startTime, [
      '2024-01-01T02:00:00.000Z',
      '2024-01-01T04:00:00.000Z',
      '2024-01-01T06:00:00.000Z',
    ])

    const missing = await h.run('schedule update -s no-such-schedule --type t -t q --interval 1h')
    assert.equal(missing.code, 1)
    assert.match(
      missing.stderr,
      /^sundial: updating schedule no-such-schedule failed: .*\(NOT_FOUND\)\n$/,
    )
    await handle.delete()
  })

  test('delete removes the schedule and leaves its workflows running', async () => {
    const { scheduleId } = await create(['--interval', '1h', '--paused'])
    assert.equal((await h.run(['schedule', 'trigger', '-s', scheduleId])).code, 0)
    const [run] = await eventually(async () => {
      const runs = await startedBy(scheduleId)
      assert.equal(runs.length, 1)
      return runs
    })
    const r = await h.run(['schedule', 'delete', '-s', scheduleId])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'Schedule deleted\n')
    const gone = await h.run(['schedule', 'describe', '-s', scheduleId])
    assert.equal(gone.code, 1)
    assert.match(
      gone.stderr,
      new RegExp(`^sundial: describing schedule ${scheduleId} failed: .*\\(NOT_FOUND\\)\\n$`),
    )
    assert.equal((await h.client.workflow.getHandle(run!).describe()).status.name, 'RUNNING')

    const other = await create(['--interval', '1h'])
    assert.deepEqual(await h.json(['schedule', 'delete', '-s', other.scheduleId]), {})
    const again = await h.run(['schedule', 'delete', '-s', other.scheduleId])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /\(NOT_FOUND\)/)
  })

  test('bad input: the server refuses a bad spec, the CLI bad flag values', async () => {
    const scheduleId = uid('bad')
    const base = ['schedule', 'create', '-s', scheduleId, '--type', 't', '-t', 'q']
    const [cron, zone, interval, calendar, calendarJson, duplicate] = await Promise.all([
      h.run([...base, '--cron', '61 * * * *']),
      h.run([...base, '--cron', '0 12 * * *', '--time-zone', 'Mars/Olympus']),
      h.run([...base, '--interval', '5m/1m/1s']),
      h.run([...base, '--calendar', '{"hours":"1"}']),
      h.run([...base, '--calendar', '{"hour":']),
      create(['--interval', '1h']).then(({ scheduleId: id }) =>
        h.run(['schedule', 'create', '-s', id, '--type', 't', '-t', 'q', '--interval', '1h']),
      ),
    ])
    assert.equal(cron.code, 1)
    assert.equal(
      cron.stderr,
      `sundial: creating schedule ${scheduleId} failed: Invalid schedule spec: Minute is not in range [0-59] (INVALID_ARGUMENT)\n`,
    )
    assert.equal(zone.code, 1)
    assert.match(
      zone.stderr,
      /Invalid schedule spec: .*unknown time zone Mars\/Olympus.*\(INVALID_ARGUMENT\)/,
    )
    await assert.rejects(h.client.schedule.getHandle(scheduleId).describe(), /not found/i)
    assert.equal(interval.code, 1)
    assert.match(
      interval.stderr,
      /invalid interval: must be "<duration>" or "<duration>\/<duration>"/,
    )
    assert.equal(calendar.code, 1)
    assert.match(calendar.stderr, /failed to parse json calendar spec: unknown field "hours"/)
    assert.equal(calendarJson.code, 1)
    assert.match(calendarJson.stderr, /failed to parse json calendar spec: /)
    assert.equal(duplicate.code, 1)
    assert.match(duplicate.stderr, /is already registered \(ALREADY_EXISTS\)\n$/)

    const policy = await h.run([...base, '--interval', '1h', '--overlap-policy', 'Sometimes'])
    assert.equal(policy.code, 1)
    assert.match(
      policy.stderr,
      /Allowed choices are Skip, BufferOne, BufferAll, CancelOther, TerminateOther, AllowAll/,
    )
    const noId = await h.run(['schedule', 'describe'])
    assert.equal(noId.code, 1)
    assert.match(noId.stderr, /required option '-s, --schedule-id <id>' not specified/)
  })
})
