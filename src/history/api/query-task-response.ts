/**
 * The poll response for a query task: the query, and the history the worker needs to answer it.
 * A query task records nothing, so this only reads the run (Temporal's matching does the same
 * with GetMutableState and GetWorkflowExecutionHistory in matching_engine.go
 * PollWorkflowTaskQueue). On the run's sticky queue the history is empty: the worker answers from
 * its cache, or fetches the history itself if the run has left it.
 */
import { long, type temporal } from '../../common/proto.js'
import type { QueryTask } from '../../matching/task-queue.js'
import type { HistoryEngine } from '../history-engine.js'
import { normalTaskQueue } from '../mutable-state/workflow-tasks.js'
import { readHistoryPage } from './history-page-token.js'
import { historyPageBatches } from './record-workflow-task-started.js'

type Response = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse

export async function invoke(
  engine: HistoryEngine,
  task: QueryTask,
  poll: { taskQueueName: string },
): Promise<Response> {
  const key = { namespaceId: task.namespaceId, workflowId: task.workflowId, runId: task.runId }
  const data = await engine.getRun(key)
  const info = data.executionInfo
  // A normal-queue poll may take the query of a run still sticky to a worker that went away; it
  // needs the full history.
  const sticky = info.stickyTaskQueue !== '' && info.stickyTaskQueue === poll.taskQueueName
  const page = sticky
    ? { events: [], nextPageToken: new Uint8Array() }
    : await readHistoryPage(
        (runId, min, max, maxBatches) => engine.readEvents(runId, min, max, maxBatches),
        { runId: key.runId, nextEventId: 1, endEventId: data.nextEventId },
        historyPageBatches,
      )
  return {
    taskToken: engine.tokens.sign({
      namespaceId: key.namespaceId,
      workflowId: key.workflowId,
      runId: key.runId,
      scheduledEventId: 0,
      attempt: 1,
      queryTaskId: task.queryTaskId,
    }),
    workflowExecution: { workflowId: key.workflowId, runId: key.runId },
    workflowType: { name: info.workflowType },
    previousStartedEventId: long(data.lastCompletedWorkflowTaskStartedEventId),
    startedEventId: long(0),
    attempt: 1,
    backlogCountHint: long(0),
    history: { events: page.events },
    nextPageToken: page.nextPageToken,
    query: task.query,
    workflowExecutionTaskQueue: normalTaskQueue(info.taskQueue),
    queries: {},
    messages: [],
  }
}
