/**
 * A poller took a workflow task from matching: record it as started and build the poll response
 * with the run's history (first page, and the transient task's events when it has them).
 * Returns undefined for a task that is no longer wanted (run closed, task already started or
 * replaced, or a sticky queue's task for a run that has left it), which the poller drops
 * (recordworkflowtaskstarted/api.go).
 *
 * A run still sticky to its worker gets only the events after the last completed task's started
 * event; the worker has the rest cached. A task the sticky worker was too slow for, taken from
 * the normal queue instead, ends the stickiness first, so that poller gets the full history.
 */
import { randomUUID } from 'node:crypto'
import { NotFoundError } from '../../common/errors.js'
import { TaskQueueKind, long, type pb, type temporal } from '../../common/proto.js'
import { timestampFromMs } from '../../common/time.js'
import type { QueueTask } from '../../persistence/store.js'
import type { HistoryEngine } from '../history-engine.js'
import { HistoryLimitExceededError } from '../history-limits.js'
import {
  clearStickyTaskQueue,
  currentTaskQueue,
  isStickyTaskQueueSet,
} from '../mutable-state/sticky.js'
import {
  normalTaskQueue,
  startWorkflowTask,
  transientWorkflowTaskEvents,
} from '../mutable-state/workflow-tasks.js'
import { updateRequestMessages } from '../update-messages.js'
import { readHistoryPage } from './history-page-token.js'

type Response = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse

/** Batches per history page; a batch holds a few events. */
export const historyPageBatches = 256

export async function invoke(
  engine: HistoryEngine,
  task: QueueTask,
  poll: { identity: string; taskQueue: pb.TaskQueue },
): Promise<Response | undefined> {
  const key = { namespaceId: task.namespaceId, workflowId: task.workflowId, runId: task.runId }
  let started
  try {
    started = await engine.updateWorkflow(key, (ms) => {
      const wt = ms.data.workflowTask
      if (
        !ms.isRunning() ||
        !wt ||
        wt.startedEventId !== 0 ||
        wt.scheduledEventId !== task.scheduledEventId
      ) {
        return undefined
      }
      const current = currentTaskQueue(ms.info)
      if (isStickyTaskQueueSet(ms.info) && current.name !== poll.taskQueue.name) {
        // The sticky worker was unavailable and matching sent the task to the normal queue.
        clearStickyTaskQueue(ms.info)
        ms.markDirty()
      } else if (
        current.kind === TaskQueueKind.TASK_QUEUE_KIND_NORMAL &&
        poll.taskQueue.kind === TaskQueueKind.TASK_QUEUE_KIND_STICKY
      ) {
        // A stale task on a sticky queue the run has left (reset, failed over to the normal
        // queue): a newer task is scheduled already, or the schedule-to-start timer makes one.
        return undefined
      }
      ms.deleteQueueTasks([task])
      const info = startWorkflowTask(ms, { requestId: randomUUID(), identity: poll.identity })
      const previousStartedEventId = ms.data.lastCompletedWorkflowTaskStartedEventId
      return {
        wt: { ...info },
        nextEventId: ms.data.nextEventId,
        previousStartedEventId,
        firstEventId: isStickyTaskQueueSet(ms.info) ? previousStartedEventId + 1 : 1,
        transient: transientWorkflowTaskEvents(ms),
        workflowType: ms.info.workflowType,
        taskQueue: ms.info.taskQueue,
        queries: engine.queries.buffered(key),
        messages: updateRequestMessages(engine.updates.toSend(key), info.startedEventId),
      }
    })
  } catch (e: unknown) {
    // Gone, or terminated just now for passing a history limit: the poller drops the task.
    if (e instanceof NotFoundError || e instanceof HistoryLimitExceededError) return undefined
    throw e
  }
  if (!started) return undefined
  const { wt } = started
  const page = await readHistoryPage(
    (runId, min, max, maxBatches) => engine.readEvents(runId, min, max, maxBatches),
    {
      runId: key.runId,
      nextEventId: started.firstEventId,
      endEventId: started.nextEventId,
      transient: started.transient,
    },
    historyPageBatches,
  )
  return {
    taskToken: engine.tokens.sign({
      namespaceId: key.namespaceId,
      workflowId: key.workflowId,
      runId: key.runId,
      scheduledEventId: wt.scheduledEventId,
      startedEventId: wt.startedEventId,
      attempt: wt.attempt,
    }),
    workflowExecution: { workflowId: key.workflowId, runId: key.runId },
    workflowType: { name: started.workflowType },
    previousStartedEventId: long(started.previousStartedEventId),
    startedEventId: long(wt.startedEventId),
    attempt: wt.attempt,
    backlogCountHint: long(0),
    history: { events: page.events },
    nextPageToken: page.nextPageToken,
    workflowExecutionTaskQueue: normalTaskQueue(started.taskQueue),
    scheduledTime: timestampFromMs(wt.scheduledTime),
    startedTime: timestampFromMs(wt.startedTime),
    queries: started.queries,
    messages: started.messages,
  }
}
