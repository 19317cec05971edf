/**
 * PostgreSQL going away under load: the server answers UNAVAILABLE while the database is down,
 * reconnects by itself when it is back, and loses nothing it acknowledged: every workflow of the
 * run completes, once. Always on PostgreSQL (whatever SUNDIAL_TEST_STORE says), and only with the
 * embedded server, which the test can stop and start.
 */
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, test } from 'node:test'
import { Connection } from '@temporalio/client'
import { testPostgres } from '../../src/testing/test-postgres.js'
import { testStoreConfig } from '../../src/testing/test-store.js'
import { eventually, startHarness, uid, type Harness } from './harness.js'
import type * as wf from './workflows.js'

const external = Boolean(process.env.SUNDIAL_TEST_POSTGRES_URL)
let h: Harness

before(async () => {
  if (external) return
  h = await startHarness({ store: await testStoreConfig(undefined, 'postgres') })
})
after(async () => {
  await h?.close()
})

test(
  'killing PostgreSQL mid-run: UNAVAILABLE while down, recovery, 500 workflows complete once',
  { skip: external && 'needs the embedded PostgreSQL, which the test can stop and start' },
  async () => {
    const postgres = await testPostgres()
    const taskQueue = uid('outage')
    const count = 500
    // No retry interceptor: this connection shows what the server answers.
    const probe = await Connection.connect({ address: h.server.address, interceptors: [] })
    const countAll = () =>
      probe.workflowService.countWorkflowExecutions({ namespace: 'default', query: '' })
    const completed = async () =>
      Number(
        (
          await h.client.workflow.count(
            `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Completed'`,
          )
        ).count,
      )
    try {
      const ids = Array.from({ length: count }, (_, i) => uid(`outage-${i}`))
      const results = await h.withWorker(taskQueue, async () => {
        const handles = await Promise.all(
          ids.map((workflowId, i) =>
            h.client.workflow.start<typeof wf.threeActivities>('threeActivities', {
              taskQueue,
              workflowId,
              args: [`n${i}`],
            }),
          ),
        )
        const results = Promise.all(handles.map((handle) => handle.result()))
        // Mid-run: some workflows are done, most are not.
        await eventually(async () => assert.ok((await completed()) >= 50), 30_000)
        await postgres.stop()
        try {
          await assert.rejects(countAll(), (e: unknown) => {
            assert.equal((e as { code?: number }).code, 14, String(e))
            return true
          })
          await sleep(2000)
        } finally {
          await postgres.start()
        }
        await eventually(() => countAll(), 10_000)
        return results
      })
      results.forEach((r, i) => {
        assert.deepEqual(r, [`Hello, n${i}-1!`, `Hello, n${i}-2!`, `Hello, n${i}-3!`])
      })
      // Exactly once: one run per workflow id, each completed, each with one completion event.
      assert.equal(await completed(), count)
      const all = await h.client.workflow.count(`TaskQueue = '${taskQueue}'`)
      assert.equal(Number(all.count), count)
      for (const workflowId of ids) {
        const events = (await h.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []
        const done = events.filter((e) => e.activityTaskCompletedEventAttributes).length
        const closed = events.filter((e) => e.workflowExecutionCompletedEventAttributes).length
        assert.deepEqual([done, closed], [3, 1], workflowId)
      }
    } finally {
      await probe.close()
    }
  },
)
