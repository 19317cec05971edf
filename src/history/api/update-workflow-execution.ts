/**
 * UpdateWorkflowExecution and PollWorkflowExecutionUpdate: admit an update (or find the one
 * already admitted or recorded under its id), make sure a workflow task will carry it — a
 * speculative one if the run has none — and wait until it reaches the asked stage or the long
 * poll ends (updateworkflow/api.go, pollupdate/api.go).
 */
import { deadlineSignal } from '../../common/clock.js'
import { NotFoundError } from '../../common/errors.js'
import { toNumber, type temporal } from '../../common/proto.js'
import type { RunKey } from '../../persistence/store.js'
import type { HistoryEngine } from '../history-engine.js'
import type { MutableStateData } from '../mutable-state/state.js'
import { scheduleWorkflowTask } from '../mutable-state/workflow-tasks.js'
import { UpdateStage, type UpdateEntry, type UpdateOutcome } from '../update-registry.js'
import { checkRunning } from './task-checks.js'

type Request = temporal.api.workflowservice.v1.IUpdateWorkflowExecutionRequest
type Response = temporal.api.workflowservice.v1.IUpdateWorkflowExecutionResponse
type PollRequest = temporal.api.workflowservice.v1.IPollWorkflowExecutionUpdateRequest

interface Wait {
  signal: AbortSignal
  longPollMs: number
}

export async function invoke(
  engine: HistoryEngine,
  namespaceId: string,
  req: Request,
  wait: Wait,
): Promise<Response> {
  const e = req.workflowExecution
  const key = await engine.resolveRun(namespaceId, e?.workflowId ?? '', e?.runId)
  const request = req.request!
  const updateId = request.meta?.updateId ?? ''
  const snapshot = await engine.getRun(key)
  if (req.firstExecutionRunId && snapshot.executionInfo.firstRunId !== req.firstExecutionRunId) {
    throw new NotFoundError('workflow execution not found for the given first execution run id')
  }
  let entry = engine.updates.get(key, updateId)
  if (!entry) {
    const recorded = await fromHistory(engine, key, snapshot, updateId)
    if (recorded) return { ...recorded, updateRef: ref(key, updateId) }
  }
  if (!entry) {
    entry = await engine.withWorkflowLock(key.namespaceId, key.workflowId, async () => {
      const admitted = engine.updates.admit(key, request)
      try {
        await engine.updateLocked(key, (ms) => {
          checkRunning(ms)
          scheduleWorkflowTask(ms, { speculative: true })
        })
      } catch (err: unknown) {
        engine.updates.completed(key, updateId, { failure: { message: String(err) } })
        throw err
      }
      return admitted
    })
  }
  const stage =
    req.waitPolicy?.lifecycleStage || UpdateStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED
  await waitForStage(engine, entry, stage, wait)
  return { updateRef: ref(key, updateId), stage: entry.stage, outcome: entry.outcome ?? null }
}

export async function poll(
  engine: HistoryEngine,
  namespaceId: string,
  req: PollRequest,
  wait: Wait,
): Promise<temporal.api.workflowservice.v1.IPollWorkflowExecutionUpdateResponse> {
  const e = req.updateRef?.workflowExecution
  const updateId = req.updateRef?.updateId ?? ''
  const key = await engine.resolveRun(namespaceId, e?.workflowId ?? '', e?.runId)
  const entry = engine.updates.get(key, updateId)
  if (!entry) {
    const recorded = await fromHistory(engine, key, await engine.getRun(key), updateId)
    if (!recorded) throw new NotFoundError(`update ${updateId} not found`)
    return { ...recorded, updateRef: ref(key, updateId) }
  }
  const stage =
    req.waitPolicy?.lifecycleStage ||
    UpdateStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED
  await waitForStage(engine, entry, stage, wait)
  return { updateRef: ref(key, updateId), stage: entry.stage, outcome: entry.outcome ?? null }
}

/** Waits until the update reaches `stage` or the long poll ends. */
async function waitForStage(
  engine: HistoryEngine,
  entry: UpdateEntry,
  stage: UpdateStage,
  wait: Wait,
): Promise<void> {
  const { signal, dispose } = deadlineSignal(engine.clock, wait.longPollMs, wait.signal)
  const forOutcome = stage === UpdateStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED
  if (forOutcome) engine.deps.observer?.outcomeWaiters(1)
  try {
    await engine.updates.waitFor(entry, stage, signal)
  } finally {
    if (forOutcome) engine.deps.observer?.outcomeWaiters(-1)
    dispose()
  }
}

/** An update already in history: completed (with its outcome) or accepted. */
async function fromHistory(
  engine: HistoryEngine,
  key: RunKey,
  data: MutableStateData,
  updateId: string,
): Promise<{ stage: UpdateStage; outcome: UpdateOutcome | null } | undefined> {
  const record = data.updates?.[updateId]
  if (!record) return undefined
  if (!record.completedEventId) {
    return { stage: UpdateStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED, outcome: null }
  }
  const id = record.completedEventId
  const { events } = await engine.readEvents(key.runId, id, id + 1)
  const event = events.find((ev) => toNumber(ev.eventId) === id)
  return {
    stage: UpdateStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED,
    outcome: event?.workflowExecutionUpdateCompletedEventAttributes?.outcome ?? null,
  }
}

function ref(key: RunKey, updateId: string) {
  return { workflowExecution: { workflowId: key.workflowId, runId: key.runId }, updateId }
}
