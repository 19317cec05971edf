/**
 * The worker's answers for an activity attempt: completed, failed, canceled, and heartbeats, each
 * by task token or by (workflow id, run id, activity id) — the `ById` forms used for async
 * completion. A token for an older attempt is refused with NotFound.
 */
import { NotFoundError } from '../../common/errors.js'
import type { pb } from '../../common/proto.js'
import type { TaskToken } from '../../common/task-token.js'
import type { HistoryEngine } from '../history-engine.js'
import {
  activityByActivityId,
  cancelActivity,
  completeActivity,
  failActivity,
  recordActivityHeartbeat,
} from '../mutable-state/activities.js'
import type { MutableState } from '../mutable-state/mutable-state.js'
import type { ActivityInfo } from '../mutable-state/state.js'
import { checkRunning, runKeyOf, startedActivity } from './task-checks.js'

/** Names the attempt an answer is for: a task token, or ids for the current attempt. */
export type ActivityTarget =
  | { token: Uint8Array | null | undefined }
  | { workflowId: string; runId: string; activityId: string }

export type ActivityOutcome =
  | { kind: 'completed'; result: pb.Payloads | null | undefined }
  | {
      kind: 'failed'
      failure: pb.Failure | null | undefined
      lastHeartbeatDetails: pb.Payloads | null | undefined
    }
  | { kind: 'canceled'; details: pb.Payloads | null | undefined }

export async function respondActivityTask(
  engine: HistoryEngine,
  namespaceId: string,
  target: ActivityTarget,
  identity: string,
  outcome: ActivityOutcome,
): Promise<void> {
  await withActivity(engine, namespaceId, target, (ms, ai) => {
    switch (outcome.kind) {
      case 'completed':
        return completeActivity(ms, ai, { result: outcome.result, identity })
      case 'failed':
        return failActivity(ms, ai, {
          failure: outcome.failure,
          identity,
          lastHeartbeatDetails: outcome.lastHeartbeatDetails,
        })
      case 'canceled':
        return cancelActivity(ms, ai, { details: outcome.details, identity })
    }
  })
}

/** Records a heartbeat; the answer tells the worker whether the workflow asked to cancel. */
export async function recordActivityTaskHeartbeat(
  engine: HistoryEngine,
  namespaceId: string,
  target: ActivityTarget,
  details: pb.Payloads | null | undefined,
): Promise<{ cancelRequested: boolean }> {
  return withActivity(engine, namespaceId, target, (ms, ai) => {
    recordActivityHeartbeat(ms, ai, details)
    return { cancelRequested: ai.cancelRequested }
  })
}

async function withActivity<T>(
  engine: HistoryEngine,
  namespaceId: string,
  target: ActivityTarget,
  fn: (ms: MutableState, ai: ActivityInfo) => T,
): Promise<T> {
  if ('token' in target) {
    const token: TaskToken = engine.tokens.verify(target.token)
    return engine.updateWorkflow(runKeyOf(token, namespaceId), (ms) =>
      fn(ms, startedActivity(ms, token)),
    )
  }
  const key = await engine.resolveRun(namespaceId, target.workflowId, target.runId)
  return engine.updateWorkflow(key, (ms) => {
    checkRunning(ms)
    const ai = activityByActivityId(ms, target.activityId)
    if (!ai || ai.startedTime === 0) throw new NotFoundError('Activity task not found.')
    return fn(ms, ai)
  })
}
