/**
 * A poller took an activity task: record the attempt as started (no event; see activities.ts) and
 * build the poll response. Undefined for a task that is no longer wanted.
 */
import { randomUUID } from 'node:crypto'
import { NotFoundError } from '../../common/errors.js'
import { toNumber, type temporal } from '../../common/proto.js'
import { retryPolicyToProto } from '../../common/retry-policy.js'
import { durationFromMs, timestampFromMs } from '../../common/time.js'
import type { QueueTask, RunKey } from '../../persistence/store.js'
import type { ActivityInfo } from '../mutable-state/state.js'
import type { HistoryEngine } from '../history-engine.js'
import { HistoryLimitExceededError } from '../history-limits.js'
import { startActivity } from '../mutable-state/activities.js'
import { encodedPayloads } from '../mutable-state/encoded.js'

type Response = temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse

export async function invoke(
  engine: HistoryEngine,
  task: QueueTask,
  poll: { identity: string; namespace: string },
): Promise<Response | undefined> {
  const key = { namespaceId: task.namespaceId, workflowId: task.workflowId, runId: task.runId }
  let started
  try {
    started = await engine.updateWorkflow(key, (ms) => {
      const ai = ms.data.activities[task.scheduledEventId]
      if (!ms.isRunning() || !ai || ai.startedTime !== 0 || ai.retryTimerKey) return undefined
      ms.deleteQueueTasks([task])
      startActivity(ms, ai, { requestId: randomUUID(), identity: poll.identity })
      return { ai: { ...ai }, workflowType: ms.info.workflowType }
    })
  } catch (e: unknown) {
    // Gone, or terminated just now for passing a history limit: the poller drops the task.
    if (e instanceof NotFoundError || e instanceof HistoryLimitExceededError) return undefined
    throw e
  }
  if (!started) return undefined
  return activityTaskResponse(engine, key, started.ai, {
    workflowType: started.workflowType,
    namespace: poll.namespace,
  })
}

/** The poll response for a started activity attempt (also sent eagerly with a task completion). */
export async function activityTaskResponse(
  engine: HistoryEngine,
  key: RunKey,
  ai: ActivityInfo,
  run: { workflowType: string; namespace: string },
): Promise<Response> {
  // Input and header live only in the scheduled event, as in Temporal; read it back.
  const { events } = await engine.readEvents(
    key.runId,
    ai.scheduledEventId,
    ai.scheduledEventId + 1,
  )
  const scheduled = events.find((e) => toNumber(e.eventId) === ai.scheduledEventId)
  const attrs = scheduled?.activityTaskScheduledEventAttributes
  return {
    taskToken: engine.tokens.sign({
      namespaceId: key.namespaceId,
      workflowId: key.workflowId,
      runId: key.runId,
      scheduledEventId: ai.scheduledEventId,
      attempt: ai.attempt,
      activityId: ai.activityId,
    }),
    workflowNamespace: run.namespace,
    workflowType: { name: run.workflowType },
    workflowExecution: { workflowId: key.workflowId, runId: key.runId },
    activityType: { name: ai.activityType },
    activityId: ai.activityId,
    header: attrs?.header,
    input: attrs?.input,
    heartbeatDetails: encodedPayloads.decode(ai.lastHeartbeatDetails),
    scheduledTime: timestampFromMs(ai.firstScheduledTime),
    currentAttemptScheduledTime: timestampFromMs(ai.scheduledTime),
    startedTime: timestampFromMs(ai.startedTime),
    attempt: ai.attempt,
    scheduleToCloseTimeout: durationFromMs(ai.scheduleToCloseTimeoutMs),
    startToCloseTimeout: durationFromMs(ai.startToCloseTimeoutMs),
    heartbeatTimeout: durationFromMs(ai.heartbeatTimeoutMs),
    retryPolicy: retryPolicyToProto(ai.retryPolicy),
  }
}
