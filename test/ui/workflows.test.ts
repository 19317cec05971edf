/**
 * The Web UI in Chromium against an in-process server: the workflows list (counts, quick
 * filters, the query box and its errors, paging), a workflow's page (summary, input, result,
 * failure, history as timeline and JSON, deep links), a retrying pending activity, and the
 * signal and terminate actions with their confirmations. Every step is asserted on what the
 * page shows; the SDK client only sets the scene and double-checks an action's effect.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { WorkflowFailedError } from '@temporalio/client'
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

const rows = (page: Page) => tableRows(page, 'Workflows')
const chip = (page: Page, status: string) =>
  page.locator(`.status-counts [data-status="${status}"]`)

describe('Web UI: workflows', { skip: skipReason }, () => {
  let h: UiHarness
  useUiHarness((started) => (h = started), { namespaces: ['ui-other'] })

  const start = (workflow: string, workflowId: string, args: unknown[]) =>
    h.client.workflow.start(workflow, { taskQueue: h.taskQueue, workflowId, args })

  test('lists workflows with counts by status, filters them and pages through them', async () => {
    const prefix = uid('list')
    for (let i = 1; i <= 3; i++)
      await (await start('greet', `${prefix}-greet-${i}`, ['x'])).result()
    const waiting = [
      await start('waitsForSignal', `${prefix}-wait-1`, ['a']),
      await start('waitsForSignal', `${prefix}-wait-2`, ['b']),
    ]
    const failed = await start('failsAtOnce', `${prefix}-fail-1`, ['no'])
    await assert.rejects(failed.result(), WorkflowFailedError)

    h.apiCalls.length = 0
    const page = await h.open(`/namespaces/default/workflows?id=${prefix}`)
    await expectText(chip(page, 'All'), /All\s*6/)
    await expectText(chip(page, 'Running'), /Running\s*2/)
    await expectText(chip(page, 'Completed'), /Completed\s*3/)
    await expectText(chip(page, 'Failed'), /Failed\s*1/)
    await expectCount(rows(page), 6)
    const table = await page.getByRole('table', { name: 'Workflows' }).innerText()
    for (const id of ['greet-1', 'greet-2', 'greet-3', 'wait-1', 'wait-2', 'fail-1']) {
      assert.match(table, new RegExp(`${prefix}-${id}`))
    }
    assert.match(table, /Workflow ID\s+Run ID\s+Type\s+Start\s+Close/)
    await h.screenshot(page, 'workflows-list')

    // Quick filter by status: the chip links to the filtered list.
    await chip(page, 'Running').click()
    await expectCount(rows(page), 2)
    for (const text of await rows(page).allInnerTexts()) assert.match(text, /^Running/)
    assert.match(page.url(), /status=Running/)

    // The query box, combined with the id quick filter; All clears the status filter.
    await chip(page, 'All').click()
    await expectCount(rows(page), 6)
    await page.getByLabel('List filter query').fill(`WorkflowType = 'greet'`)
    await page.getByLabel('List filter query').press('Enter')
    await expectCount(rows(page), 3)
    await expectText(chip(page, 'All'), /All\s*3/)
    for (const text of await rows(page).allInnerTexts()) assert.match(text, /greet/)

    // Quick filter by type, in its own box.
    await page.getByLabel('List filter query').fill('')
    await page.getByLabel('Workflow type').fill('failsAtOnce')
    await page.getByRole('button', { name: 'Search' }).click()
    await expectCount(rows(page), 1)
    await expectText(rows(page).first(), /Failed.*fail-1.*failsAtOnce/s)

    // A query the server refuses: its message shows inline, under the box.
    await page.getByLabel('Workflow type').fill('')
    await page.getByLabel('List filter query').fill(`WorkflowType = `)
    await page.getByLabel('List filter query').press('Enter')
    await expectText(page.getByRole('alert').first(), /Query error: .+/)
    await h.screenshot(page, 'workflows-list-query-error')

    // Server-side paging: two per page, three pages, Previous goes back.
    await page.goto(`${h.baseUrl}/namespaces/default/workflows?id=${prefix}&pageSize=2`)
    const seen = new Set<string>()
    const idsOnPage = async () =>
      (await rows(page).allInnerTexts()).map((t) => /(list-\S+)/.exec(t)?.[1] ?? t)
    await expectCount(rows(page), 2)
    await expectText(page.getByLabel('Page number'), 'Page 1')
    for (const id of await idsOnPage()) seen.add(id)
    const next = page.getByRole('button', { name: 'Next' })
    await next.click()
    await expectText(page.getByLabel('Page number'), 'Page 2')
    await expectCount(rows(page), 2)
    for (const id of await idsOnPage()) seen.add(id)
    await next.click()
    await expectText(page.getByLabel('Page number'), 'Page 3')
    await expectCount(rows(page), 2)
    for (const id of await idsOnPage()) seen.add(id)
    assert.equal(seen.size, 6, `six different workflows over three pages: ${[...seen].join(' ')}`)
    assert.equal(await next.isDisabled(), true)
    await page.getByRole('button', { name: 'Previous' }).click()
    await expectText(page.getByLabel('Page number'), 'Page 2')

    // Built for namespaces of 100,000 runs: every list call asks for one bounded page, counts
    // come from the count API, and nothing else reads workflows in bulk.
    const lists = h.apiCalls.filter((u) => u.pathname === '/api/v1/namespaces/default/workflows')
    assert.ok(lists.length > 0)
    for (const u of lists) {
      const size = Number(u.searchParams.get('pageSize'))
      assert.ok(size > 0 && size <= 100, `page size of ${u.href}`)
    }
    assert.ok(h.apiCalls.some((u) => u.pathname.endsWith('/workflow-count')))
    const pathsCalled = new Set(h.apiCalls.map((u) => u.pathname))
    assert.deepEqual(
      [...pathsCalled].sort(),
      [
        '/api/v1/namespaces',
        '/api/v1/namespaces/default/workflow-count',
        '/api/v1/namespaces/default/workflows',
      ],
      'the list page reads namespaces, counts and pages, nothing more',
    )

    await page.close()
    for (const w of waiting) await w.terminate('test over')
  })

  test('switches namespaces and lists them', async () => {
    const page = await h.open('/namespaces/default/workflows')
    await page.getByLabel('Namespace', { exact: true }).selectOption('ui-other')
    await page.waitForURL(/\/namespaces\/ui-other\/workflows/)
    await expectText(rows(page).first(), 'No workflows match.')
    await expectText(page.getByRole('heading', { level: 1 }), 'in ui-other')

    await page.getByRole('link', { name: 'Namespaces' }).click()
    const table = page.getByRole('table', { name: 'Namespaces' })
    await expectText(table, /default\s+Registered/)
    await expectText(table, /ui-other\s+Registered/)
    await table.getByRole('link', { name: 'ui-other' }).click()
    await page.waitForURL(/\/namespaces\/ui-other\/workflows$/)
    await page.close()
  })

  test('opens a workflow: summary, input, result, and its history as timeline and JSON', async () => {
    const workflowId = uid('detail')
    const handle = await h.client.workflow.start('greet', {
      taskQueue: h.taskQueue,
      workflowId,
      args: ['World'],
      memo: { team: 'payments' },
    })
    assert.equal(await handle.result(), 'Hello, World')

    const page = await h.open(`/namespaces/default/workflows?id=${workflowId}`)
    await page.getByRole('link', { name: workflowId }).click()
    await page.waitForURL(new RegExp(`/workflows/${workflowId}/${handle.firstExecutionRunId}`))
    await expectText(page.getByRole('heading', { level: 1 }), workflowId)
    await expectText(field(page, 'Status'), 'Completed')
    await expectText(field(page, 'Type'), 'greet')
    await expectText(field(page, 'Task queue'), h.taskQueue)
    await expectText(field(page, 'Start'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/)
    await expectText(field(page, 'Close'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/)
    await expectText(field(page, 'Memo'), /team\s+"payments"/)
    await expectText(page.getByRole('region', { name: 'Input' }), '"World"')
    await expectText(page.getByRole('region', { name: 'Result' }), '"Hello, World"')

    const timeline = page.getByRole('list', { name: 'Event history' })
    await expectCount(timeline.locator('li.event'), 5)
    const types = (await timeline.locator('.event-type').allInnerTexts()).map((t) => t.trim())
    assert.deepEqual(types, [
      'WorkflowExecutionStarted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionCompleted',
    ])
    await expectText(timeline.locator('li.event').first(), /type\s+greet/)
    await expectText(timeline.locator('li.event').last(), /result\s+"Hello, World"/)

    // Opening an event shows its full JSON.
    await timeline.locator('li.event summary').first().click()
    const json = await expectText(page.getByLabel('Event 1 JSON'), '"workflowType"')
    const event = JSON.parse(json) as { eventType: string; eventId: string }
    assert.equal(event.eventType, 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED')
    assert.equal(event.eventId, '1')
    await h.screenshot(page, 'workflow-detail')

    // Every event as JSON.
    await page.getByRole('button', { name: 'JSON', exact: true }).click()
    await expectCount(page.locator('.event-json-list pre'), 5)
    await expectText(
      page.getByLabel('Event 5', { exact: true }),
      'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
    )

    // The page is a deep link: loading it afresh shows the same run.
    await page.reload()
    await expectText(field(page, 'Status'), 'Completed')
    await expectText(page.getByRole('region', { name: 'Result' }), '"Hello, World"')
    await page.close()
  })

  test('shows JSON payloads decoded and binary ones in base64', async () => {
    const workflowId = uid('binary')
    // The SDK sends bytes as a binary/plain payload, which has no JSON form.
    const handle = await start('greet', workflowId, [new Uint8Array([104, 105, 33])])
    await handle.result()
    const page = await h.open(`/namespaces/default/workflows/${workflowId}`)
    await expectText(page.getByRole('region', { name: 'Input' }), /binary\/plain \(base64\)\s+aGkh/)
    await expectText(page.getByRole('region', { name: 'Result' }), '"Hello, 104,105,33"')
    await page.close()
  })

  test('opens a workflow whose id needs escaping in URLs', async () => {
    const prefix = uid('odd')
    const workflowId = `${prefix}/with space?#%`
    const handle = await start('greet', workflowId, ['odd'])
    await handle.result()
    const page = await h.open(`/namespaces/default/workflows?id=${encodeURIComponent(prefix)}`)
    await page.getByRole('link', { name: workflowId }).click()
    await expectText(page.getByRole('heading', { level: 1 }), workflowId)
    await expectText(page.getByRole('region', { name: 'Result' }), '"Hello, odd"')
    // And as a link opened afresh.
    await page.reload()
    await expectText(field(page, 'Status'), 'Completed')
    await page.close()
  })

  test('shows the failure of a failed workflow, from a link without a run id', async () => {
    const workflowId = uid('failed')
    const handle = await start('failsAtOnce', workflowId, ['oops'])
    await assert.rejects(handle.result(), WorkflowFailedError)

    const page = await h.open(`/namespaces/default/workflows/${workflowId}`)
    // The link gains the run id, so that it keeps pointing at this run.
    await page.waitForURL(new RegExp(`/workflows/${workflowId}/${handle.firstExecutionRunId}`))
    await expectText(field(page, 'Status'), 'Failed')
    const failure = page.getByRole('region', { name: 'Result' })
    await expectText(failure, /Failure/)
    await expectText(failure, /BadInput/)
    await expectText(failure, 'cannot proceed: oops')
    await page.close()
  })

  test('shows a pending activity retrying, with its attempt and last failure', async () => {
    const workflowId = uid('retrying')
    const handle = await start('retriesForever', workflowId, [])
    const page = await h.open(`/namespaces/default/workflows/${workflowId}`)
    await expectText(field(page, 'Status'), 'Running')
    await page.getByRole('tab', { name: /Pending activities/ }).click()
    const activity = page.getByRole('article', { name: /Activity 1/ })
    await expectText(activity, /alwaysFails/)
    // Retries come every 200 ms; the page refreshes by itself until a later attempt shows.
    await expectText(activity.locator('[data-field="Attempt"] dd'), /^([3-9]|\d\d+) \(unlimited/)
    await expectText(activity.getByRole('region', { name: 'Last failure' }), /failed: disk full/)
    await expectText(activity.getByRole('region', { name: 'Heartbeat details' }), 'checking disk')
    await expectText(activity.locator('[data-field="Last worker"] dd'), 'ui-test-worker')
    await expectText(activity.locator('[data-field="State"] dd'), /Scheduled|Started/)
    await h.screenshot(page, 'pending-activity')
    await page.close()
    await handle.terminate('test over')
  })

  test('signals a running workflow after confirmation, and the page follows it', async () => {
    const workflowId = uid('signal')
    const handle = await start('waitsForSignal', workflowId, ['start'])
    const page = await h.open(`/namespaces/default/workflows/${workflowId}`)
    await expectText(field(page, 'Status'), 'Running')
    await expectText(page.getByRole('region', { name: 'Result' }), 'The workflow is running.')

    await page.getByRole('button', { name: 'Signal', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: 'Signal workflow' })
    await expectText(dialog, workflowId)
    await dialog.getByLabel('Signal name').fill('finish')
    await dialog.getByLabel('Argument (JSON, optional)').fill('"all done"')
    await h.screenshot(page, 'signal-dialog')
    await dialog.getByRole('button', { name: 'Send signal' }).click()
    await dialog.waitFor({ state: 'detached' })
    await expectText(page.getByRole('status'), 'Signal "finish" sent.')

    // The page refreshes a running workflow by itself: it sees the run complete.
    await expectText(field(page, 'Status'), 'Completed')
    await expectText(page.getByRole('region', { name: 'Result' }), '"all done"')
    const timeline = page.getByRole('list', { name: 'Event history' })
    await expectText(timeline, /WorkflowExecutionSignaled\s+\+\S+\s+signal\s+finish/)
    assert.equal(await handle.result(), 'all done')
    await page.close()
  })

  test('terminates a running workflow only once confirmed', async () => {
    const workflowId = uid('terminate')
    const handle = await start('waitsForSignal', workflowId, ['start'])
    const page = await h.open(`/namespaces/default/workflows/${workflowId}`)
    await expectText(field(page, 'Status'), 'Running')

    // Backing out of the dialog sends nothing.
    await page.getByRole('button', { name: 'Terminate' }).click()
    const dialog = page.getByRole('dialog', { name: 'Terminate workflow' })
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'detached' })
    const described = await handle.describe()
    assert.equal(described.status.name, 'RUNNING')

    await page.getByRole('button', { name: 'Terminate' }).click()
    await dialog.getByLabel('Reason').fill('stopped from the UI test')
    await dialog.getByRole('button', { name: 'Terminate' }).click()
    await dialog.waitFor({ state: 'detached' })
    await expectText(field(page, 'Status'), 'Terminated')
    await expectText(
      page.getByRole('region', { name: 'Result' }),
      /Terminated\s+Reason: stopped from the UI test/,
    )
    await expectText(
      page.getByRole('list', { name: 'Event history' }),
      /WorkflowExecutionTerminated/,
    )
    assert.equal((await handle.describe()).status.name, 'TERMINATED')
    // Closed: nothing left to do but reset.
    assert.equal(await page.getByRole('button', { name: 'Terminate' }).isDisabled(), true)
    await page.close()
  })
})
