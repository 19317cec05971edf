/**
 * The Web UI's remaining screens and actions in Chromium: queries and the call stack, update,
 * cancel and reset (each confirmed in a dialog), the task queue's pollers, and pages that follow
 * running workflows without a reload.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
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

describe('Web UI: actions, queries and live pages', { skip: skipReason }, () => {
  let h: UiHarness
  useUiHarness((started) => (h = started))

  const start = (workflow: string, workflowId: string, args: unknown[]) =>
    h.client.workflow.start(workflow, { taskQueue: h.taskQueue, workflowId, args })
  const detail = (workflowId: string, runId: string, tab = '') =>
    `/namespaces/default/workflows/${workflowId}/${runId}${tab && `/${tab}`}`

  test('runs a query and shows the call stack', async () => {
    const workflowId = uid('query')
    const handle = await start('waitsForSignal', workflowId, ['first'])
    const page = await h.open(detail(workflowId, handle.firstExecutionRunId, 'queries'))
    await page.getByLabel('Query type').fill('currentValue')
    await page.getByRole('button', { name: 'Run query' }).click()
    await expectText(page.getByRole('region', { name: 'Query result' }), '"first"')

    // An unknown query type: the worker's answer shows as an error.
    await page.getByLabel('Query type').fill('noSuchQuery')
    await page.getByRole('button', { name: 'Run query' }).click()
    await expectText(page.getByRole('alert'), /noSuchQuery/)

    await page.getByRole('tab', { name: 'Call stack' }).click()
    await page.waitForURL(/\/stack$/)
    await expectText(page.locator('pre[aria-label="Call stack"]'), /waitsForSignal/)
    await page.close()
    await handle.terminate('test over')
  })

  test('sends an update after confirmation and shows what it returned', async () => {
    const workflowId = uid('update')
    const handle = await start('waitsForSignal', workflowId, ['first'])
    const page = await h.open(detail(workflowId, handle.firstExecutionRunId))
    await expectText(field(page, 'Status'), 'Running')
    await page.getByRole('button', { name: 'Update', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: 'Update workflow' })
    await dialog.getByLabel('Update name').fill('setValue')
    await dialog.getByLabel('Argument (JSON, optional)').fill('"second"')
    await dialog.getByRole('button', { name: 'Send update' }).click()
    await dialog.waitFor({ state: 'detached' })
    await expectText(page.getByRole('status'), /Update "setValue" returned:\s*"first"/)
    await expectText(
      page.getByRole('list', { name: 'Event history' }),
      /WorkflowExecutionUpdateCompleted/,
    )
    assert.equal(await handle.query('currentValue'), 'second')

    // An update the workflow has no handler for: it is rejected, and the failure shows.
    await page.getByRole('button', { name: 'Update', exact: true }).click()
    await dialog.getByLabel('Update name').fill('noSuchUpdate')
    await dialog.getByRole('button', { name: 'Send update' }).click()
    await expectText(page.getByRole('status'), /Update "noSuchUpdate" failed:[\s\S]*noSuchUpdate/)
    await page.close()
    await handle.terminate('test over')
  })

  test('requests cancellation after confirmation', async () => {
    const workflowId = uid('cancel')
    const handle = await start('waitsForSignal', workflowId, ['first'])
    const page = await h.open(detail(workflowId, handle.firstExecutionRunId))
    await expectText(field(page, 'Status'), 'Running')
    await page.getByRole('button', { name: 'Cancel', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: 'Cancel workflow' })
    await dialog.getByLabel('Reason').fill('not needed')
    await dialog.getByRole('button', { name: 'Request cancellation' }).click()
    await dialog.waitFor({ state: 'detached' })
    await expectText(page.getByRole('status'), 'Cancellation requested.')
    await expectText(field(page, 'Status'), 'Canceled')
    await expectText(
      page.getByRole('list', { name: 'Event history' }),
      /WorkflowExecutionCancelRequested[\s\S]*WorkflowExecutionCanceled/,
    )
    await page.close()
  })

  test('resets a workflow to a new run and opens it', async () => {
    const workflowId = uid('reset')
    const handle = await start('greet', workflowId, ['Reset'])
    await handle.result()
    const page = await h.open(detail(workflowId, handle.firstExecutionRunId))
    await expectText(field(page, 'Status'), 'Completed')
    await page.getByRole('button', { name: 'Reset' }).click()
    const dialog = page.getByRole('dialog', { name: 'Reset workflow' })
    const point = dialog.getByLabel('Reset point')
    await expectText(point, /#4 completed/)
    await dialog.getByLabel('Reason').fill('try again')
    await dialog.getByRole('button', { name: 'Reset' }).click()
    await page.waitForURL((url) => !url.pathname.endsWith(handle.firstExecutionRunId))
    const newRunId = decodeURIComponent(page.url().split('/').at(-1)!)
    assert.notEqual(newRunId, handle.firstExecutionRunId)
    await expectText(page.locator('.run-id'), newRunId)
    await expectText(field(page, 'Status'), 'Completed')
    await expectText(page.getByRole('region', { name: 'Result' }), '"Hello, Reset"')
    await expectText(
      page.getByRole('list', { name: 'Event history' }),
      /WorkflowTaskFailed[\s\S]*WorkflowExecutionCompleted/,
    )
    await page.close()
  })

  test('shows the pollers of a task queue', async () => {
    const workflowId = uid('poll')
    const handle = await start('greet', workflowId, ['x'])
    await handle.result()
    const page = await h.open(detail(workflowId, handle.firstExecutionRunId))
    await field(page, 'Task queue').getByRole('link', { name: h.taskQueue }).click()
    await page.waitForURL(/\/task-queues\//)
    await expectText(page.getByRole('table', { name: 'Workflow pollers' }), 'ui-test-worker')
    await expectText(page.getByRole('table', { name: 'Activity pollers' }), 'ui-test-worker')
    await h.screenshot(page, 'task-queue')
    await page.close()
  })

  test('follows running workflows without a reload, in the list and on their page', async () => {
    const prefix = uid('live')
    const list = await h.open(`/namespaces/default/workflows?id=${prefix}`)
    await expectText(rows(list).first(), 'No workflows match.')
    const handle = await start('waitsForSignal', `${prefix}-1`, ['x'])
    await expectCount(rows(list), 1)
    await expectText(rows(list).first(), /^Running/)

    const page = await h.open(detail(`${prefix}-1`, handle.firstExecutionRunId))
    await expectText(field(page, 'Status'), 'Running')
    await handle.signal('finish', 'from the client')
    await expectText(field(page, 'Status'), 'Completed')
    await expectText(page.getByRole('region', { name: 'Result' }), '"from the client"')
    await expectText(rows(list).first(), /^Completed/)
    await list.close()
    await page.close()
  })
})
