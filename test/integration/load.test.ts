import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startHarness, uid, type Harness } from './harness.js'
import type * as wf from './workflows.js'

let h: Harness
before(async () => {
  h = await startHarness()
})
after(async () => {
  await h.close()
})

test('200 workflows of 3 activities each, started together, all complete', async () => {
  const taskQueue = uid('tq')
  const count = 200
  const results = await h.withWorker(taskQueue, async () => {
    const handles = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        h.client.workflow.start<typeof wf.threeActivities>('threeActivities', {
          taskQueue,
          workflowId: uid(`load-${i}`),
          args: [`n${i}`],
        }),
      ),
    )
    return Promise.all(handles.map((handle) => handle.result()))
  })
  assert.equal(results.length, count)
  results.forEach((r, i) => {
    assert.deepEqual(r, [`Hello, n${i}-1!`, `Hello, n${i}-2!`, `Hello, n${i}-3!`])
  })
})
