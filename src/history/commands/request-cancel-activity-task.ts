/** RequestCancelActivityTask (handleCommandRequestCancelActivity). */
import { WorkflowTaskFailedCause, toNumber } from '../../common/proto.js'
import { requestCancelActivity } from '../mutable-state/activities.js'
import { BadCommandError, type CommandHandler } from './command-context.js'

export const requestCancelActivityTask: CommandHandler = (ctx, command) => {
  const scheduledEventId = toNumber(
    command.requestCancelActivityTaskCommandAttributes?.scheduledEventId,
  )
  const ai = ctx.ms.data.activities[scheduledEventId]
  if (!ai) {
    throw new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
      `Unable to find activity with scheduled event id ${scheduledEventId} to cancel.`,
    )
  }
  // A repeated request for the same activity changes nothing (the first one is in history).
  if (ai.cancelRequested) return
  requestCancelActivity(ctx.ms, ai, ctx.workflowTaskCompletedEventId)
}
