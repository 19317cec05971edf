import assert from 'node:assert/strict'
import { test } from 'node:test'
import { api, EventType, WorkflowTaskFailedCause, long, type pb } from '../../common/proto.js'
import { isResetOf, resetEventId, resetTarget } from './reset-point.js'

const E = EventType

function history(...types: EventType[]): pb.HistoryEvent[] {
  return types.map((eventType, i) => ({ eventId: long(i + 1), eventType }))
}

async function* pages(...p: pb.HistoryEvent[][]): AsyncIterable<pb.HistoryEvent[]> {
  for (const events of p) yield await Promise.resolve(events)
}

const twoTasks = history(
  E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
  E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  E.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, // 4
  E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, // 6
  E.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, // 8
  E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
)

test('first workflow task: the first completed one, across pages', async () => {
  assert.equal(await resetEventId({ kind: 'first' }, pages(twoTasks)), 4)
  assert.equal(
    await resetEventId({ kind: 'first' }, pages(twoTasks.slice(0, 2), twoTasks.slice(2))),
    4,
  )
})

test('last workflow task: the last completed one, or the one after a later schedule', async () => {
  assert.equal(await resetEventId({ kind: 'last' }, pages(twoTasks)), 8)
  // A task scheduled after the last completion: the event after it, as Temporal picks.
  assert.equal(await resetEventId({ kind: 'last' }, pages(twoTasks.slice(0, 6))), 7)
})

test('no completed task: the event after the first schedule; nothing: 0', async () => {
  const pending = history(
    E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
    E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  )
  assert.equal(await resetEventId({ kind: 'first' }, pages(pending)), 3)
  assert.equal(await resetEventId({ kind: 'first' }, pages([])), 0)
})

test('an explicit event id needs no history', async () => {
  assert.equal(await resetEventId({ kind: 'event', eventId: 12 }, pages()), 12)
})

test('a run made by a reset names its base run', async () => {
  const reset: pb.HistoryEvent[] = [
    ...twoTasks.slice(0, 3),
    {
      eventId: long(4),
      eventType: E.EVENT_TYPE_WORKFLOW_TASK_FAILED,
      workflowTaskFailedEventAttributes: {
        cause: WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
        baseRunId: 'base',
        newRunId: 'new',
      },
    },
  ]
  assert.equal(await isResetOf('base', pages(reset)), true)
  assert.equal(await isResetOf('other', pages(reset)), false)
  assert.equal(await isResetOf('base', pages(twoTasks)), false)
})

test('the reset options target: named by a decoded message, found in a plain object', () => {
  const { ResetOptions } = api.common.v1
  const decoded = (o: object) => ResetOptions.decode(ResetOptions.encode(o).finish())
  assert.equal(resetTarget(decoded({})), undefined)
  assert.equal(resetTarget(decoded({ firstWorkflowTask: {} })), 'firstWorkflowTask')
  assert.equal(resetTarget(decoded({ workflowTaskId: long(0) })), 'workflowTaskId')
  assert.equal(resetTarget(decoded({ buildId: 'b' })), 'buildId')
  assert.equal(resetTarget({}), undefined)
  assert.equal(resetTarget({ lastWorkflowTask: {} }), 'lastWorkflowTask')
  assert.equal(resetTarget({ workflowTaskId: long(7) }), 'workflowTaskId')
})
