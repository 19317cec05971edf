/** What a command handler sees, and how it rejects a command. */
import type { WorkflowTaskFailedCause, pb } from '../../common/proto.js'
import type { MutableState } from '../mutable-state/mutable-state.js'

export interface CommandContext {
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
  /** Largest payload a command may carry, in bytes. */
  blobSizeLimit: number
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

export function payloadsSize(p: pb.Payloads | null | undefined): number {
  let size = 0
  for (const payload of p?.payloads ?? []) size += payload.data?.length ?? 0
  return size
}
