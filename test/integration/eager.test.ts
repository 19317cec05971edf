/** Eager activity execution: the completing worker gets its activity in the completion response. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { temporal } from '@temporalio/proto'
import { startHarness, uid, type Harness } from './harness.js'
import type * as wf from './workflows.js'

type CompletedResponse = temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedResponse
type ActivityPoll = temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse

let eagerTasks = 0
let polledTasks = 0
let h: Harness
before(async () => {
  h = await startHarness({
    observeCalls: (rpc, _req, res) => {
      if (rpc === 'respondWorkflowTaskCompleted') {
        eagerTasks += (res as CompletedResponse).activityTasks?.length ?? 0
      }
      if (rpc === 'pollActivityTaskQueue' && (res as ActivityPoll).taskToken?.length) polledTasks++
    },
  })
})
after(async () => {
  await h.close()
})

test('an activity requested eagerly runs without a poll and the workflow completes', async () => {
  const taskQueue = uid('tq')
  const workflowId = uid('eager')
  const result = await h.withWorker(taskQueue, () =>
    h.client.workflow.execute<typeof wf.threeActivities>('threeActivities', {
      taskQueue,
      workflowId,
      args: ['e'],
    }),
  )
  assert.deepEqual(result, ['Hello, e-1!', 'Hello, e-2!', 'Hello, e-3!'])
  assert.ok(eagerTasks >= 1, `no activity was dispatched eagerly (${polledTasks} polled)`)
  const { events } = await h.client.workflow.getHandle(workflowId).fetchHistory()
  assert.equal(events!.filter((e) => e.activityTaskCompletedEventAttributes).length, 3)
})
