/**
 * Paging through 10,000 workflows, half of them closed: every run is listed exactly once and the
 * count agrees. Started through the raw WorkflowService (no worker needed), 50 at a time.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startHarness, type Harness } from './harness.js'

const TOTAL = 10_000
const IN_FLIGHT = 50

let h: Harness

before(async () => {
  h = await startHarness()
  const ids = Array.from({ length: TOTAL }, (_, i) => `page-${i}`)
  await inParallel(ids, async (workflowId, i) => {
    await h.connection.workflowService.startWorkflowExecution({
      namespace: 'default',
      workflowId,
      workflowType: { name: 'paged' },
      taskQueue: { name: 'nobody-polls' },
      requestId: workflowId,
    })
    if (i % 2 === 0) {
      await h.connection.workflowService.terminateWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId },
        reason: 'paging test',
      })
    }
  })
})

after(() => h.close())

test('10,000 workflows list page by page with no duplicate and no gap', async () => {
  const seen = new Set<string>()
  let pages = 0
  let token: Uint8Array | undefined
  do {
    const page = await h.connection.workflowService.listWorkflowExecutions({
      namespace: 'default',
      pageSize: 700,
      nextPageToken: token,
    })
    pages++
    for (const wf of page.executions) {
      const id = wf.execution!.workflowId!
      assert.ok(!seen.has(id), `${id} listed twice`)
      seen.add(id)
    }
    token = page.nextPageToken?.length ? page.nextPageToken : undefined
  } while (token)
  assert.equal(seen.size, TOTAL)
  assert.equal(pages, Math.ceil(TOTAL / 700))
  const { count } = await h.client.workflow.count()
  assert.equal(count, TOTAL)
  const closed = await h.client.workflow.count(`ExecutionStatus = 'Terminated'`)
  assert.equal(closed.count, TOTAL / 2)
})

test('a page token from another query shape is refused', async () => {
  const first = await h.connection.workflowService.listWorkflowExecutions({
    namespace: 'default',
    pageSize: 10,
  })
  await assert.rejects(
    h.connection.workflowService.listWorkflowExecutions({
      namespace: 'default',
      pageSize: 10,
      query: 'ORDER BY WorkflowId',
      nextPageToken: first.nextPageToken,
    }),
    /invalid next page token/,
  )
  await assert.rejects(
    h.connection.workflowService.listWorkflowExecutions({
      namespace: 'default',
      pageSize: 10,
      nextPageToken: Buffer.from('garbage'),
    }),
    /invalid next page token/,
  )
})

async function inParallel<T>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane))
}
