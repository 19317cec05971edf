/**
 * A poller took a workflow task from matching: record it as started and build the poll response
 * with the run's history (first page, and the transient task's events when it has them).
 * Returns undefined for a task that is no longer wanted (run closed, task already started or
 * replaced), which the poller drops (recordworkflowtaskstarted/api.go).
 */
import { randomUUID } from 'node:crypto'
import { NotFoundError } from '../../common/errors.js'
import { long, type temporal } from '../../common/proto.js'
import { timestampFromMs } from '../../common/time.js'
import type { QueueTask } from '../../persistence/store.js'
import type { HistoryEngine } from '../history-engine.js'
import {
  normalTaskQueue,
  startWorkflowTask,
  transientWorkflowTaskEvents,
} from '../mutable-state/workflow-tasks.js'
import { readHistoryPage } from './history-page-token.js'

type Response = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse

/** Batches per history page; a batch holds a few events. */
export const historyPageBatches = 256

export async function invoke(
  engine: HistoryEngine,
  task: QueueTask,
  poll: { identity: string },
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
      ms.deleteQueueTasks([task])
      const info = startWorkflowTask(ms, { requestId: randomUUID(), identity: poll.identity })
      return {
        wt: { ...info },
        nextEventId: ms.data.nextEventId,
        previousStartedEventId: ms.data.lastCompletedWorkflowTaskStartedEventId,
        transient: transientWorkflowTaskEvents(ms),
        workflowType: ms.info.workflowType,
        taskQueue: ms.info.taskQueue,
      }
    })
  } catch (e: unknown) {
    if (e instanceof NotFoundError) return undefined
    throw e
  }
  if (!started) return undefined
  const { wt } = started
  const page = await readHistoryPage(
    (runId, min, max, maxBatches) => engine.readEvents(runId, min, max, maxBatches),
    {
      runId: key.runId,
      nextEventId: 1,
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
    queries: {},
    messages: [],
  }
}
