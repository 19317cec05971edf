/** What a command handler sees, and how it rejects a command. */
import { api, enumWord, type WorkflowTaskFailedCause } from '../../common/proto.js'
import type { pb } from '../../common/proto.js'
import {
  searchAttributesProblem,
  searchAttributesSizeProblem,
  type SearchAttributeLimits,
} from '../../visibility/search-attribute-registry.js'
import type { MutableState } from '../mutable-state/mutable-state.js'

import { payloadMapSize } from '../../common/proto-size.js'

export { payloadMapSize, payloadsSize } from '../../common/proto-size.js'

/** The frontend's limits (dynamic config) that the commands of a completion are held to. */
export interface CommandLimits {
  /** `limit.blobSize.error`: largest payload a command may carry, in encoded bytes. */
  blobSizeLimit: number
  /** `limit.memoSize.error`: largest memo (a run's, after a ModifyWorkflowProperties). */
  memoSizeLimit: number
  /** `limit.maxIDLength`: ids and names in commands. */
  maxIdLength: number
  /** `frontend.searchAttributes*Limit`. */
  searchAttributes: SearchAttributeLimits
}

export interface CommandContext extends CommandLimits {
  ms: MutableState
  /** Id of the WorkflowTaskCompleted event the commands' events point back to. */
  workflowTaskCompletedEventId: number
  identity: string
  /** The run's namespace name, which events about other runs carry. */
  namespace: string
  /**
   * Eager activity execution: how many more activities this completion may start for its own
   * worker, and the scheduled ids of those it started (returned in the response).
   */
  eager?: { remaining: number; started: number[] }
  /** The namespace's custom search attributes (name to IndexedValueType), to check upserts by. */
  searchAttributeTypes: ReadonlyMap<string, number>
}

export type CommandHandler = (ctx: CommandContext, command: pb.Command) => void

/**
 * A command the server refuses. The workflow task is failed with `failedCause` instead of completed
 * (nothing the task's commands did is kept) and the worker gets InvalidArgument with `message`.
 */
export class BadCommandError extends Error {
  constructor(
    readonly failedCause: WorkflowTaskFailedCause,
    message: string,
  ) {
    super(message)
  }
}

/**
 * A command over a size limit. As in Temporal (workflowTaskCompletedHandler.terminateWorkflow),
 * the task is failed and the run then terminated, both with `${cause}: ${message}`: a retried
 * task would only produce the same command again.
 */
export class SizeLimitCommandError extends BadCommandError {
  constructor(failedCause: WorkflowTaskFailedCause, message: string) {
    const word = enumWord(api.enums.v1.WorkflowTaskFailedCause, failedCause, CAUSE_PREFIX)
    super(failedCause, `${word}: ${message}`)
  }
}
const CAUSE_PREFIX = 'WORKFLOW_TASK_FAILED_CAUSE_'

/** payloadsMapSize of the command handler: each key's length plus its payload's data. */
export function keysAndDataSize(fields: Record<string, pb.Payload>): number {
  let size = 0
  for (const [key, payload] of Object.entries(fields))
    size += key.length + (payload.data?.length ?? 0)
  return size
}

/** Throws SizeLimitCommandError(cause, message) for a payload of `size` over the blob limit. */
export function checkPayloadSize(
  ctx: CommandContext,
  size: number,
  cause: WorkflowTaskFailedCause,
  message: string,
): void {
  if (size > ctx.blobSizeLimit) throw new SizeLimitCommandError(cause, message)
}

/** Throws SizeLimitCommandError(cause, message) for a memo over `limit.memoSize.error`. */
export function checkMemoSize(
  ctx: CommandContext,
  memo: pb.Memo | null | undefined,
  cause: WorkflowTaskFailedCause,
  message: string,
): void {
  if (payloadMapSize(memo?.fields) > ctx.memoSizeLimit) {
    throw new SizeLimitCommandError(cause, message)
  }
}

/**
 * The two search attribute checks of a command (CommandAttrValidator and workflowSizeChecker):
 * too many, unregistered or ill-typed attributes fail the task (BadCommandError); attributes
 * too large terminate the run (SizeLimitCommandError). `after` is what the run's attributes
 * would be, which an upsert measures instead of its own.
 */
export function checkSearchAttributes(
  ctx: CommandContext,
  sa: pb.SearchAttributes | null | undefined,
  cause: WorkflowTaskFailedCause,
  after: pb.SearchAttributes | null | undefined = sa,
): void {
  const problem = searchAttributesProblem(
    ctx.searchAttributeTypes,
    ctx.namespace,
    sa,
    ctx.searchAttributes,
  )
  if (problem) throw new BadCommandError(cause, problem)
  const sizeProblem = searchAttributesSizeProblem(after, ctx.searchAttributes)
  if (sizeProblem) throw new SizeLimitCommandError(cause, sizeProblem)
}
