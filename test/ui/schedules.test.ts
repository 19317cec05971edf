/**
 * The Web UI's schedules in Chromium: the list and its query box, a schedule's page (spec as
 * cron text, action, policies, state, upcoming runs, recent actions), trigger, pause and unpause,
 * backfill, delete (each confirmed in a dialog), and the create form with the server's errors
 * inline. The SDK client sets the scene and double-checks each action's effect.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ScheduleNotFoundError } from '@temporalio/client'
import type { Page } from 'playwright-core'
import {
  expectCount,
  expectText,
  skipReason,
  field,
  tableRows,
  useUiHarness,
  uid,
  type UiHarness,
} from './ui-harness.js'

const rows = (page: Page) => tableRows(page, 'Schedules')
const recent = (page: Page) =>
  page.getByRole('table', { name: 'Recent actions' }).locator('tbody tr')

describe('Web UI: schedules', { skip: skipReason }, () => {
  let h: UiHarness
  useUiHarness((started) => (h = started))

  const create = (
    scheduleId: string,
    spec: { cronExpressions?: string[]; intervals?: { every: string }[] },
    opts: { paused?: boolean; note?: string; args?: unknown[] } = {},
  ) =>
    h.client.schedule.create({
      scheduleId,
      spec,
      action: {
        type: 'startWorkflow',
        workflowType: 'greet',
        taskQueue: h.taskQueue,
        workflowId: `${scheduleId}-wf`,
        args: opts.args ?? ['Schedules'],
      },
      state: { paused: opts.paused, note: opts.note },
    })
  const detail = (scheduleId: string) => `/namespaces/default/schedules/${scheduleId}`
  const search = async (page: Page, query: string) => {
    await page.getByLabel('Schedule query').fill(query)
    await page.getByLabel('Schedule query').press('Enter')
  }

  test('takes the screenshots of the README', async () => {
    // Readable ids, before any other test adds its schedules to the list.
    await create('nightly-report', { cronExpressions: ['0 2 * * *'] }, { args: ['report'] })
    await create('hourly-sync', { intervals: [{ every: '1h' }] }, { args: ['sync'] })
    await create(
      'weekday-digest',
      { cronExpressions: ['30 8 * * MON-FRI'] },
      {
        paused: true,
        note: 'on hold until the new template ships',
      },
    )
    await create('quarter-hours', { cronExpressions: ['*/15 9-17 * * MON-FRI'] })
    for (const id of ['nightly-report', 'hourly-sync', 'nightly-report']) {
      // A run's id ends in the second it was scheduled for: triggers of one schedule in the same
      // second would start the same workflow id twice.
      await new Promise((r) => setTimeout(r, 1000))
      const handle = h.client.schedule.getHandle(id)
      const taken = (await handle.describe()).info.numActionsTaken
      await handle.trigger()
      // One at a time: the default overlap policy skips a trigger while a run is open.
      const deadline = Date.now() + 15_000
      for (;;) {
        const { info } = await handle.describe()
        if (info.numActionsTaken > taken && info.runningActions.length === 0) break
        if (Date.now() > deadline) throw new Error(`${id} did not run: ${JSON.stringify(info)}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    const list = await h.open('/namespaces/default/schedules')
    await expectCount(rows(list), 4)
    await expectText(rows(list).filter({ hasText: 'nightly-report' }), /Completed.*\n?.*Completed/s)
    await h.screenshot(list, 'schedules-list')

    const page = await h.open(detail('nightly-report'))
    await expectCount(recent(page), 2)
    await expectText(recent(page).nth(1), 'Completed')
    await expectText(recent(page).first(), 'Completed')
    await h.screenshot(page, 'schedule-detail')
    await list.close()
    await page.close()
  })

  test('lists a schedule and opens it: spec, action, upcoming runs, a run after Trigger now', async () => {
    const id = uid('sched')
    await create(id, { cronExpressions: ['*/15 9-17 * * MON-FRI'], intervals: [{ every: '1h' }] })
    const page = await h.open('/namespaces/default/schedules')
    await search(page, `ScheduleId = '${id}'`)
    await expectCount(rows(page), 1)
    await expectText(
      rows(page).first(),
      new RegExp(`^${id}\\s+greet\\s+\\*/15 9-17 \\* \\* MON-FRI; every 1h\\s+Active\\s+\\d{4}-`),
    )
    await expectText(rows(page).first(), /none yet$/)
    assert.match(page.url(), /query=ScheduleId/)

    await rows(page).first().getByRole('link', { name: id }).click()
    await page.waitForURL(new RegExp(`/schedules/${id}$`))
    await expectText(page.getByRole('heading', { level: 1 }), id)
    await expectText(field(page, 'Times'), /^\*\/15 9-17 \* \* MON-FRI\s+every 1h$/)
    await expectText(field(page, 'Time zone'), 'UTC')
    await expectText(field(page, 'Workflow type'), 'greet')
    await expectText(field(page, 'Task queue'), h.taskQueue)
    await expectText(field(page, 'Workflow ID'), `${id}-wf`)
    await expectText(field(page, 'Input'), '"Schedules"')
    await expectText(field(page, 'Overlap policy'), 'Skip')
    await expectText(field(page, 'Catchup window'), /\S/)
    await expectText(field(page, 'State'), 'Active')
    await expectText(field(page, 'Remaining actions'), 'unlimited')
    await expectText(field(page, 'Actions taken'), /^0$/)
    const upcoming = page.getByRole('region', { name: 'Upcoming runs' }).locator('li')
    await expectCount(upcoming, 10)
    const times = await upcoming.allInnerTexts()
    assert.deepEqual([...times].sort(), times, 'upcoming runs in order')
    await expectText(recent(page).first(), 'Nothing started yet.')

    // Trigger now, confirmed: a run starts, shows among the recent actions and completes.
    await page.getByRole('button', { name: 'Trigger now' }).click()
    const dialog = page.getByRole('dialog', { name: 'Trigger schedule' })
    await expectText(dialog.getByLabel('Overlap policy'), /The schedule's policy \(Skip\)/)
    await dialog.getByRole('button', { name: 'Trigger' }).click()
    await dialog.waitFor({ state: 'detached' })
    await expectText(page.getByRole('status'), 'Triggered')
    await expectCount(recent(page), 1)
    await expectText(recent(page).first(), new RegExp(`Completed\\s+${id}-wf-\\S+`))
    await expectText(field(page, 'Actions taken'), /^1$/)
    const [action] = (await h.client.schedule.getHandle(id).describe()).info.recentActions
    assert.ok(action)

    // The run's link opens its workflow page.
    await recent(page).first().getByRole('link').click()
    await page.waitForURL(/\/workflows\//)
    await expectText(page.getByRole('heading', { level: 1 }), action.action.workflow.workflowId)
    assert.match(page.url(), new RegExp(action.action.workflow.firstExecutionRunId))
    await expectText(page.getByRole('region', { name: 'Result' }), '"Hello, Schedules"')

    // And the list shows it as a recent run.
    await page.goto(
      `${h.baseUrl}/namespaces/default/schedules?query=${encodeURIComponent(`ScheduleId = '${id}'`)}`,
    )
    await expectText(rows(page).first(), /Completed\s+\d{4}-/)
    await page.close()
  })

  test('pauses with a note and unpauses, after confirmation', async () => {
    const id = uid('pause')
    await create(id, { intervals: [{ every: '1h' }] })
    const page = await h.open(detail(id))
    await expectText(field(page, 'State'), 'Active')

    await page.getByRole('button', { name: 'Pause' }).click()
    const pause = page.getByRole('dialog', { name: 'Pause schedule' })
    await pause.getByLabel('Note').fill('maintenance window')
    await pause.getByRole('button', { name: 'Pause' }).click()
    await pause.waitFor({ state: 'detached' })
    await expectText(page.getByRole('status'), 'Schedule paused.')
    await expectText(field(page, 'State'), 'Paused')
    await expectText(field(page, 'Notes'), 'maintenance window')
    let state = (await h.client.schedule.getHandle(id).describe()).state
    assert.equal(state.paused, true)
    assert.equal(state.note, 'maintenance window')

    // The list's query sees the pause too.
    const list = await h.open('/namespaces/default/schedules')
    await search(list, `ScheduleId = '${id}' AND TemporalSchedulePaused = true`)
    await expectCount(rows(list), 1)
    await expectText(rows(list).first(), /Paused\s+paused/)

    // Unpause without a note: the UI writes one, since Temporal ignores an empty one.
    await page.getByRole('button', { name: 'Unpause' }).click()
    const unpause = page.getByRole('dialog', { name: 'Unpause schedule' })
    await unpause.getByRole('button', { name: 'Unpause' }).click()
    await unpause.waitFor({ state: 'detached' })
    await expectText(field(page, 'State'), 'Active')
    await expectText(field(page, 'Notes'), 'Unpaused from the Web UI')
    state = (await h.client.schedule.getHandle(id).describe()).state
    assert.equal(state.paused, false)
    await search(list, `ScheduleId = '${id}' AND TemporalSchedulePaused = true`)
    await expectText(rows(list).first(), 'No schedules match.')
    await list.close()
    await page.close()
  })

  test('creates a schedule from the form, showing the server error for a bad cron', async () => {
    const id = uid('created')
    const page = await h.open('/namespaces/default/schedules')
    await page.getByRole('link', { name: 'Create schedule' }).click()
    await page.waitForURL(/\/create-schedule$/)
    const form = page.getByRole('form', { name: 'New schedule' })
    await form.getByLabel('Schedule ID').fill(id)
    await form.getByLabel('Workflow type').fill('greet')
    await form.getByLabel('Task queue').fill(h.taskQueue)
    await form.getByLabel('Input (JSON, optional)').fill('{"name": "form"}')
    await form.getByLabel('Spec kind').selectOption('cron')
    await form.getByLabel('Cron expression').fill('every day at noon')
    await form.getByRole('button', { name: 'Create schedule' }).click()
    await expectText(form.getByRole('alert'), /^Invalid schedule spec: .+/)
    assert.match(page.url(), /\/create-schedule$/, 'still on the form')
    await h.screenshot(page, 'create-schedule-error')

    await form.getByLabel('Cron expression').fill('30 6 * * SAT,SUN')
    await form.getByLabel('Overlap policy').selectOption('SCHEDULE_OVERLAP_POLICY_BUFFER_ONE')
    await form.getByLabel('Start paused').check()
    await form.getByLabel('Notes').fill('created by the UI test')
    await form.getByRole('button', { name: 'Create schedule' }).click()
    await page.waitForURL(new RegExp(`/schedules/${id}$`))
    await expectText(field(page, 'Times'), /^30 6 \* \* SUN,SAT$|^30 6 \* \* SAT,SUN$/)
    await expectText(field(page, 'Workflow ID'), id)
    await expectText(field(page, 'Input'), /"name": "form"/)
    await expectText(field(page, 'Overlap policy'), 'BufferOne')
    await expectText(field(page, 'State'), 'Paused')
    await expectText(field(page, 'Notes'), 'created by the UI test')
    const described = await h.client.schedule.getHandle(id).describe()
    assert.equal(described.action.type, 'startWorkflow')
    assert.deepEqual(described.action.type === 'startWorkflow' && described.action.args, [
      { name: 'form' },
    ])
    assert.equal(described.state.paused, true)

    // An interval, written as people write them.
    const second = uid('every')
    await page.goto(`${h.baseUrl}/namespaces/default/create-schedule`)
    await form.getByLabel('Schedule ID').fill(second)
    await form.getByLabel('Workflow type').fill('greet')
    await form.getByLabel('Task queue').fill(h.taskQueue)
    await form.getByLabel('Interval').fill('1 hour')
    await form.getByRole('button', { name: 'Create schedule' }).click()
    await expectText(form.getByRole('alert'), 'The interval must look like')
    await form.getByLabel('Interval').fill('1h30m')
    await form.getByRole('button', { name: 'Create schedule' }).click()
    await page.waitForURL(new RegExp(`/schedules/${second}$`))
    await expectText(field(page, 'Times'), 'every 1h 30m')
    await expectText(field(page, 'State'), 'Active')
    await page.close()
  })

  test('backfills a range, one run per matching time', async () => {
    const id = uid('backfill')
    await create(id, { intervals: [{ every: '1h' }] }, { paused: true, note: 'backfill only' })
    const page = await h.open(detail(id))
    await expectText(field(page, 'State'), 'Paused')
    await page.getByRole('button', { name: 'Backfill' }).click()
    const dialog = page.getByRole('dialog', { name: 'Backfill schedule' })
    // Half past to half past: five top-of-the-hour times in any whole-hour time zone.
    await dialog.getByLabel('Start (local time)').fill('2025-03-01T00:30')
    await dialog.getByLabel('End (local time)').fill('2025-03-01T05:30')
    await expectText(dialog.getByRole('status'), 'The spec matches 5 runs in this range.')
    // Every one of them, though each may still be open when the next starts.
    await dialog.getByLabel('Overlap policy').selectOption('SCHEDULE_OVERLAP_POLICY_ALLOW_ALL')
    await dialog.getByRole('button', { name: 'Backfill 5 runs' }).click()
    await dialog.waitFor({ state: 'detached' })
    await expectText(page.getByRole('status'), 'Backfill requested: 5 runs.')
    await expectText(field(page, 'Actions taken'), /^5$/)
    await expectCount(recent(page), 5)
    const scheduled = await recent(page).locator('td:nth-child(3)').allInnerTexts()
    assert.deepEqual(
      scheduled.map((t) => t.slice(0, 16)),
      ['05', '04', '03', '02', '01'].map((hh) => `2025-03-01 ${hh}:00`),
    )
    const info = (await h.client.schedule.getHandle(id).describe()).info
    assert.equal(info.recentActions.length, 5)
    await page.close()
  })

  test('deletes a schedule after confirmation', async () => {
    const id = uid('delete')
    await create(id, { intervals: [{ every: '1h' }] })
    const page = await h.open(detail(id))
    await expectText(field(page, 'State'), 'Active')

    // Backing out sends nothing.
    await page.getByRole('button', { name: 'Delete' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete schedule' })
    await expectText(dialog, id)
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'detached' })
    await h.client.schedule.getHandle(id).describe()

    await page.getByRole('button', { name: 'Delete' }).click()
    await dialog.getByRole('button', { name: 'Delete' }).click()
    await page.waitForURL(/\/schedules$/)
    await search(page, `ScheduleId = '${id}'`)
    await expectText(rows(page).first(), 'No schedules match.')
    await assert.rejects(h.client.schedule.getHandle(id).describe(), ScheduleNotFoundError)

    // Its old link says so.
    await page.goto(`${h.baseUrl}${detail(id)}`)
    await expectText(page.getByRole('alert'), /not found/i)
    await page.close()
  })
})
