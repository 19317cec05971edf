/**
 * The Web UI's batch actions in Chromium: choosing rows (or the whole query) on the workflows
 * list, terminate, cancel and signal behind a confirmation that counts the workflows, the batch
 * job's page following its progress, the batch jobs list, and Stop. The SDK client starts the
 * workflows and double-checks what the jobs did to them.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { WorkflowHandle } from '@temporalio/client'
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
const row = (page: Page, workflowId: string) =>
  rows(page).filter({ has: page.getByRole('link', { name: workflowId, exact: true }) })
const bar = (page: Page) => page.getByRole('group', { name: 'Batch actions' })
const JOB_URL = /\/batch-operations\/[0-9a-f-]{36}$/

describe('Web UI: batch actions', { skip: skipReason }, () => {
  let h: UiHarness
  useUiHarness((started) => (h = started))

  /** `n` workflows waiting for a signal, `<prefix>-1` to `<prefix>-<n>`. */
  const startWaiting = async (prefix: string, n: number) => {
    const handles: WorkflowHandle[] = []
    for (let i = 1; i <= n; i++) {
      handles.push(
        await h.client.workflow.start('waitsForSignal', {
          taskQueue: h.taskQueue,
          workflowId: `${prefix}-${i}`,
          args: ['waiting'],
        }),
      )
    }
    return handles
  }
  const status = async (handle: WorkflowHandle) => (await handle.describe()).status.name
  const openList = async (prefix: string, running: number) => {
    const page = await h.open(`/namespaces/default/workflows?id=${prefix}`)
    await expectCount(page.locator('tbody .status-running'), running)
    return page
  }

  test('terminates the selected workflows and follows the job to 3/3', async () => {
    const prefix = uid('select')
    const handles = await startWaiting(prefix, 4)
    const page = await openList(prefix, 4)
    await expectText(bar(page), 'Select running workflows to act on several at once')
    for (const i of [1, 2, 3])
      await page.getByRole('checkbox', { name: `Select ${prefix}-${i}` }).check()
    await expectText(bar(page), '3 workflows selected')

    await bar(page).getByRole('button', { name: 'Terminate' }).click()
    const dialog = page.getByRole('dialog', { name: 'Terminate workflows' })
    await expectText(dialog, 'This terminates 3 workflows, the ones selected.')
    await dialog.getByLabel('Reason').fill('cleared by the batch test')
    await h.screenshot(page, 'batch-dialog')
    await dialog.getByRole('button', { name: 'Terminate 3 workflows' }).click()

    await page.waitForURL(JOB_URL)
    await expectText(page.getByLabel('Progress figures'), '3/3')
    await expectText(field(page, 'State'), 'Completed')
    await expectText(field(page, 'Type'), 'Terminate')
    await expectText(field(page, 'Reason'), 'cleared by the batch test')
    const listed = page.getByRole('region', { name: 'Workflows' }).getByRole('link')
    await expectCount(listed, 3)
    assert.equal(await page.getByRole('button', { name: 'Stop' }).isDisabled(), true)
    await h.screenshot(page, 'batch-job')

    // Back on the list: the three are terminated, the fourth still runs.
    await page.goBack()
    for (const i of [1, 2, 3]) await expectText(row(page, `${prefix}-${i}`), /^Terminated/)
    await expectText(row(page, `${prefix}-4`), /^Running/)
    assert.deepEqual(await Promise.all(handles.map(status)), [
      'TERMINATED',
      'TERMINATED',
      'TERMINATED',
      'RUNNING',
    ])
    await page.close()
    await handles[3]!.terminate('test over')
  })

  test('cancels every running workflow the query matches, counted first', async () => {
    const prefix = uid('query')
    const handles = await startWaiting(prefix, 3)
    await h.client.workflow.execute('greet', {
      taskQueue: h.taskQueue,
      workflowId: `${prefix}-done`,
      args: ['closed'],
    })
    const page = await openList(prefix, 3)
    await bar(page).getByRole('button', { name: 'All matching the query' }).click()
    await expectText(bar(page), 'All running workflows matching the query')
    for (const i of [1, 2, 3]) {
      const box = page.getByRole('checkbox', { name: `Select ${prefix}-${i}` })
      assert.equal(await box.isChecked(), true)
      assert.equal(await box.isDisabled(), true)
    }
    assert.equal(
      await page.getByRole('checkbox', { name: `Select ${prefix}-done` }).isChecked(),
      false,
    )

    h.apiCalls.length = 0
    await bar(page).getByRole('button', { name: 'Cancel' }).click()
    const dialog = page.getByRole('dialog', { name: 'Cancel workflows' })
    // The closed one is not counted: a job from the list acts on running workflows only.
    await expectText(dialog, 'This requests cancellation of 3 workflows: every running workflow')
    const query = await expectText(dialog.locator('pre'), `WorkflowId STARTS_WITH '${prefix}'`)
    assert.match(query, /^ExecutionStatus = 'Running' AND /)
    assert.ok(h.apiCalls.some((u) => u.pathname.endsWith('/workflow-count')))
    await dialog.getByLabel('Reason').fill('no longer needed')
    await dialog.getByRole('button', { name: 'Cancel 3 workflows' }).click()

    await page.waitForURL(JOB_URL)
    await expectText(page.getByLabel('Progress figures'), '3/3')
    await expectText(field(page, 'State'), 'Completed')
    await expectText(field(page, 'Type'), 'Cancel')
    await expectText(field(page, 'Query'), query.trim())

    await page.goBack()
    for (const i of [1, 2, 3]) await expectText(row(page, `${prefix}-${i}`), /^Canceled/)
    await expectText(row(page, `${prefix}-done`), /^Completed/)
    assert.deepEqual(await Promise.all(handles.map(status)), [
      'CANCELLED',
      'CANCELLED',
      'CANCELLED',
    ])
    await page.close()
  })

  test('signals the selected workflows with a JSON argument', async () => {
    const prefix = uid('signal')
    const handles = await startWaiting(prefix, 2)
    const page = await openList(prefix, 2)
    await page.getByRole('checkbox', { name: 'Select all running on this page' }).check()
    await expectText(bar(page), '2 workflows selected')
    await bar(page).getByRole('button', { name: 'Signal' }).click()
    const dialog = page.getByRole('dialog', { name: 'Signal workflows' })
    await dialog.getByLabel('Signal name').fill('finish')
    await dialog.getByLabel('Argument (JSON, optional)').fill('{"from": "the batch"}')
    await dialog.getByLabel('Reason').fill('wrap up')
    await dialog.getByRole('button', { name: 'Signal 2 workflows' }).click()
    await page.waitForURL(JOB_URL)
    await expectText(page.getByLabel('Progress figures'), '2/2')
    await expectText(field(page, 'Type'), 'Signal')
    for (const handle of handles) assert.deepEqual(await handle.result(), { from: 'the batch' })
    await page.close()
  })

  test('stops a running job, which keeps what it did and lists as failed', async () => {
    const prefix = uid('stop')
    const handles = await startWaiting(prefix, 8)
    const page = await openList(prefix, 8)
    await bar(page).getByRole('button', { name: 'All matching the query' }).click()
    await bar(page).getByRole('button', { name: 'Terminate' }).click()
    const dialog = page.getByRole('dialog', { name: 'Terminate workflows' })
    await expectText(dialog, 'This terminates 8 workflows')
    await dialog.getByLabel('Reason').fill('slowly')
    // One a second: the job is still running when Stop is pressed.
    await dialog.getByLabel('Operations per second (optional)').fill('1')
    await dialog.getByRole('button', { name: 'Terminate 8 workflows' }).click()
    await page.waitForURL(JOB_URL)
    const jobId = decodeURIComponent(page.url().split('/').at(-1)!)
    await expectText(field(page, 'State'), 'Running')
    await expectText(page.getByLabel('Progress figures'), /^[1-7]\/8$/)

    await page.getByRole('button', { name: 'Stop' }).click()
    const stop = page.getByRole('dialog', { name: 'Stop batch job' })
    await stop.getByLabel('Reason').fill('changed my mind')
    await stop.getByRole('button', { name: 'Stop' }).click()
    await stop.waitFor({ state: 'detached' })
    await expectText(page.getByRole('status'), 'Stop requested.')
    await expectText(field(page, 'State'), 'Failed')
    assert.equal(await page.getByRole('button', { name: 'Stop' }).isDisabled(), true)
    const figures = await page.getByLabel('Progress figures').innerText()
    const done = Number(/^(\d+)\/8/.exec(figures)?.[1])
    assert.ok(done >= 1 && done < 8, `stopped part way: ${figures}`)

    // What it terminated stays terminated; the rest runs on, and the job does no more.
    await new Promise((r) => setTimeout(r, 2000))
    const statuses = await Promise.all(handles.map(status))
    const terminated = statuses.filter((s) => s === 'TERMINATED').length
    assert.ok(terminated >= done && terminated < 8, `terminated ${terminated} of 8`)
    assert.equal(statuses.filter((s) => s === 'RUNNING').length, 8 - terminated)
    await expectText(page.getByLabel('Progress figures'), figures)

    // The batch jobs list shows it, and links back to it.
    await page.getByRole('link', { name: 'Batch jobs' }).first().click()
    await page.waitForURL(/\/batch-operations$/)
    const job = page
      .getByRole('table', { name: 'Batch jobs' })
      .locator('tbody tr')
      .filter({ hasText: jobId })
    await expectText(
      job,
      new RegExp(`^${jobId}\\s+Terminate\\s+Failed\\s+\\d{4}-.*\\d{4}-.*${done}/8`, 's'),
    )
    await expectCount(page.getByRole('table', { name: 'Batch jobs' }).locator('tbody tr'), 4)
    await h.screenshot(page, 'batch-jobs')
    await job.getByRole('link', { name: jobId }).click()
    await page.waitForURL(JOB_URL)
    await expectText(field(page, 'State'), 'Failed')
    await page.close()
    for (const handle of handles) {
      if ((await status(handle)) === 'RUNNING') await handle.terminate('test over')
    }
  })
})
