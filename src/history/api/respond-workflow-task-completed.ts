/**
 * RespondWorkflowTaskCompleted: writes WorkflowTaskCompleted, turns the commands into events in
 * order, and schedules the next workflow task when events are waiting. A command the server
 * refuses discards all of that: the task is failed with the command's cause instead, and the
 * worker gets InvalidArgument (respondworkflowtaskcompleted/api.go).
 */
import { InvalidArgumentError } from '../../common/errors.js'
import { CommandType, long, type temporal } from '../../common/proto.js'
import type { HistoryEngine } from '../history-engine.js'
import {
  BadCommandError,
  SizeLimitCommandError,
  type CommandLimits,
} from '../commands/command-context.js'
import { closingCommands, commandHandlers } from '../commands/registry.js'
import type { MutableState } from '../mutable-state/mutable-state.js'
import {
  completeWorkflowTask,
  discardSpeculativeWorkflowTask,
  failWorkflowTask,
  scheduleWorkflowTask,
} from '../mutable-state/workflow-tasks.js'
import { UpdateMessages } from '../update-messages.js'
import type { ActivityInfo } from '../mutable-state/state.js'
import { activityTaskResponse } from './record-activity-task-started.js'
import { QueryResultType, WorkflowTaskFailedCause, type pb } from '../../common/proto.js'
import { msFromDuration } from '../../common/time.js'
import { clearStickyTaskQueue, setStickyTaskQueue } from '../mutable-state/sticky.js'
import { runKeyOf, startedWorkflowTask } from './task-checks.js'
import { terminateWorkflow } from '../mutable-state/execution.js'
import { HISTORY_SERVICE } from '../history-limits.js'

/** Activities one completion may start eagerly (Temporal's activity eager execution limit). */
const maxEagerActivities = 3

type Request = temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest
type Response = temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedResponse

export async function invoke(
  engine: HistoryEngine,
  namespace: { id: string; name: string },
  req: Request,
  limits: CommandLimits,
): Promise<Response> {
  const token = engine.tokens.verify(req.taskToken)
  const key = runKeyOf(token, namespace.id)
  const commands = req.commands ?? []
  checkCommandSequence(commands)
  const identity = req.identity ?? ''
  return engine.withWorkflowLock(key.namespaceId, key.workflowId, async () => {
    try {
      const messages = new UpdateMessages(req.messages ?? [], engine.updates, key)
      /** Set when a speculative task is dropped: where the worker must roll its history back to. */
      let resetHistoryEventId = 0
      const eager = { remaining: maxEagerActivities, started: [] as number[] }
      let eagerActivities: ActivityInfo[] = []
      let workflowType = ''
      const newWorkflowTask = await engine.updateLocked(key, (ms) => {
        const wt = startedWorkflowTask(ms, token)
        if (wt.speculative && commands.length === 0 && messages.onlyRejections()) {
          // Only rejected updates: the speculative task leaves no trace in history.
          discardSpeculativeWorkflowTask(ms)
          resetHistoryEventId = ms.data.lastCompletedWorkflowTaskStartedEventId
          messages.processRest(ms)
          applyStickyAttributes(ms, req)
          return ms.hasPendingWorkflowTask()
        }
        const workflowTaskCompletedEventId = completeWorkflowTask(ms, {
          identity,
          binaryChecksum: req.binaryChecksum ?? '',
          sdkMetadata: req.sdkMetadata,
          meteringMetadata: req.meteringMetadata,
          workerVersion: req.workerVersionStamp,
        })
        applyStickyAttributes(ms, req)
        const ctx = {
          ms,
          workflowTaskCompletedEventId,
          identity,
          namespace: namespace.name,
          eager,
          ...limits,
          searchAttributeTypes: engine.deps.searchAttributeTypes?.(namespace.id) ?? new Map(),
        }
        for (const command of commands) {
          if (command.commandType === CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE) {
            messages.process(ms, command.protocolMessageCommandAttributes?.messageId ?? '')
            continue
          }
          const handler = commandHandlers.get(command.commandType ?? 0)
          if (!handler) throw unsupported(command)
          handler(ctx, command)
        }
        messages.processRest(ms)
        if (needsNewWorkflowTask(ms, req)) scheduleWorkflowTask(ms)
        eagerActivities = eager.started.map((id) => ({ ...ms.data.activities[id]! }))
        workflowType = ms.info.workflowType
        return ms.hasPendingWorkflowTask()
      })
      messages.commit()
      // Updates that arrived while this task ran get a task of their own.
      if (engine.updates.hasUnsent(key)) {
        await engine.updateLocked(key, (ms) => scheduleWorkflowTask(ms, { speculative: true }))
      }
      // Still under the workflow lock, so no query can be buffered between the commit and this.
      engine.queries.complete(key, queryResults(req, limits.blobSizeLimit), newWorkflowTask)
      const activityTasks = await Promise.all(
        eagerActivities.map((ai) =>
          activityTaskResponse(engine, key, ai, { workflowType, namespace: namespace.name }),
        ),
      )
      return { resetHistoryEventId: long(resetHistoryEventId), activityTasks }
    } catch (e: unknown) {
      if (!(e instanceof BadCommandError)) throw e
      // A command over a size limit ends the run: the failed task, then WorkflowExecutionTerminated
      // by the history service with the same words (respondworkflowtaskcompleted/api.go).
      const terminate = e instanceof SizeLimitCommandError
      await engine.updateLocked(key, (ms) => {
        startedWorkflowTask(ms, token)
        failWorkflowTask(ms, {
          cause: e.failedCause,
          failure: { message: e.message, source: 'History', applicationFailureInfo: {} },
          identity,
          scheduleNext: !terminate,
        })
        if (terminate) {
          terminateWorkflow(ms, {
            reason: e.message,
            details: undefined,
            identity: HISTORY_SERVICE,
          })
        }
      })
      throw new InvalidArgumentError(e.message)
    }
  })
}

/**
 * A worker that keeps the run cached asks for its next task on its own sticky queue; one that
 * does not (or no longer does) sends no sticky attributes and the run returns to the normal queue
 * (respondworkflowtaskcompleted/api.go). Set before the commands, so the next task follows it.
 */
function applyStickyAttributes(ms: MutableState, req: Request): void {
  const sticky = req.stickyAttributes
  if (sticky?.workerTaskQueue?.name) {
    setStickyTaskQueue(
      ms.info,
      sticky.workerTaskQueue.name,
      msFromDuration(sticky.scheduleToStartTimeout),
    )
  } else {
    clearStickyTaskQueue(ms.info)
  }
}

/** The answers to buffered queries; one over the blob size limit becomes a failed answer. */
function queryResults(
  req: Request,
  blobSizeLimit: number,
): Record<string, pb.WorkflowQueryResult> | undefined {
  const results = req.queryResults
  if (!results) return undefined
  const out: Record<string, pb.WorkflowQueryResult> = {}
  for (const [id, result] of Object.entries(results)) {
    const size = (result.answer?.payloads ?? []).reduce((n, p) => n + (p.data?.length ?? 0), 0)
    out[id] =
      size > blobSizeLimit
        ? { resultType: QueryResultType.QUERY_RESULT_TYPE_FAILED, errorMessage: errBlobSize }
        : result
  }
  return out
}

const errBlobSize = 'Blob data size exceeds limit.'

function needsNewWorkflowTask(ms: MutableState, req: Request): boolean {
  return ms.isRunning() && (ms.hasBufferedEvents() || req.forceCreateNewWorkflowTask === true)
}

/** A closing command must be the last one (command_checker.go validateCommandSequence). */
function checkCommandSequence(commands: pb.Command[]): void {
  commands.forEach((c, i) => {
    if (closingCommands.has(c.commandType ?? 0) && i !== commands.length - 1) {
      const names = commands.map((x) => CommandType[x.commandType ?? 0]).join(', ')
      throw new InvalidArgumentError(
        `invalid command sequence: [${names}], command ${CommandType[c.commandType ?? 0]} must be the last command.`,
      )
    }
  })
}

function unsupported(command: pb.Command): BadCommandError {
  return new BadCommandError(
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FEATURE_DISABLED,
    `${CommandType[command.commandType ?? 0] ?? 'unknown command'} is not supported by this server yet.`,
  )
}
