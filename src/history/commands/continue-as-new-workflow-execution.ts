/** ContinueAsNewWorkflowExecution (handleCommandContinueAsNewWorkflow). */
import { WorkflowTaskFailedCause } from '../../common/proto.js'
import { validateRetryPolicy } from '../../common/retry-policy.js'
import { msFromDuration } from '../../common/time.js'
import { isValidCronSchedule } from '../cron.js'
import { continueAsNew } from '../mutable-state/continue-as-new.js'
import { checkNoUnhandledEvents } from './close-workflow.js'
import {
  BadCommandError,
  checkMemoSize,
  checkPayloadSize,
  checkSearchAttributes,
  payloadsSize,
  type CommandHandler,
} from './command-context.js'

const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES

const bad = (message: string): BadCommandError => new BadCommandError(cause, message)

export const continueAsNewWorkflowExecution: CommandHandler = (ctx, command) => {
  const a = command.continueAsNewWorkflowExecutionCommandAttributes
  if (!a) throw bad('ContinueAsNewWorkflowExecutionCommandAttributes is not set.')
  const max = ctx.maxIdLength
  if ((a.workflowType?.name ?? '').length > max) throw bad('WorkflowType exceeds length limit.')
  if ((a.taskQueue?.name ?? '').length > max) throw bad('TaskQueue exceeds length limit.')
  for (const d of [a.workflowRunTimeout, a.workflowTaskTimeout, a.backoffStartInterval]) {
    if (msFromDuration(d) < 0) throw bad('A timeout or interval on ContinueAsNew is negative.')
  }
  const retryProblem = validateRetryPolicy(a.retryPolicy)
  if (retryProblem) throw bad(retryProblem)
  if (a.cronSchedule && !isValidCronSchedule(a.cronSchedule)) throw bad('Invalid CronSchedule.')
  checkNoUnhandledEvents(ctx)
  checkPayloadSize(
    ctx,
    payloadsSize(a.input),
    cause,
    'ContinueAsNewWorkflowExecutionCommandAttributes. Input exceeds size limit.',
  )
  checkMemoSize(
    ctx,
    a.memo,
    cause,
    'ContinueAsNewWorkflowExecutionCommandAttributes. Memo exceeds size limit.',
  )
  checkSearchAttributes(ctx, a.searchAttributes, cause)
  continueAsNew(ctx.ms, a, ctx.workflowTaskCompletedEventId)
}
