/** StartTimer and CancelTimer (handleCommandStartTimer, handleCommandCancelTimer). */
import { WorkflowTaskFailedCause } from '../../common/proto.js'
import { msFromDuration } from '../../common/time.js'
import { addTimerStartedEvent, cancelTimer as cancelUserTimer } from '../mutable-state/timers.js'
import { BadCommandError, type CommandHandler } from './command-context.js'

export const startTimer: CommandHandler = (ctx, command) => {
  const a = command.startTimerCommandAttributes
  const bad = (message: string): BadCommandError =>
    new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES,
      message,
    )
  if (!a) throw bad('StartTimerCommandAttributes is not set on StartTimerCommand.')
  if (!a.timerId) throw bad('TimerId is not set on StartTimerCommand.')
  if (a.timerId.length > ctx.maxIdLength)
    throw bad('TimerId on StartTimerCommand exceeds length limit.')
  if (msFromDuration(a.startToFireTimeout) <= 0) {
    throw bad('A valid StartToFireTimeout is not set on StartTimerCommand.')
  }
  if (ctx.ms.data.timers[a.timerId]) {
    throw new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID,
      `Timer ID ${a.timerId} already exists.`,
    )
  }
  addTimerStartedEvent(ctx.ms, a, ctx.workflowTaskCompletedEventId)
}

export const cancelTimer: CommandHandler = (ctx, command) => {
  const timerId = command.cancelTimerCommandAttributes?.timerId ?? ''
  const timer = ctx.ms.data.timers[timerId]
  if (!timer) {
    throw new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES,
      `Unable to find timer with ID ${timerId} to cancel.`,
    )
  }
  cancelUserTimer(ctx.ms, timer, {
    workflowTaskCompletedEventId: ctx.workflowTaskCompletedEventId,
    identity: ctx.identity,
  })
}
