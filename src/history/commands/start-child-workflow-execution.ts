/** StartChildWorkflowExecution (handleCommandStartChildWorkflow + its attribute checks). */
import { WorkflowTaskFailedCause } from '../../common/proto.js'
import { validateRetryPolicy } from '../../common/retry-policy.js'
import { msFromDuration } from '../../common/time.js'
import { isValidCronSchedule } from '../cron.js'
import { addStartChildWorkflowExecutionInitiatedEvent } from '../mutable-state/children.js'
import { normalTaskQueue } from '../mutable-state/workflow-tasks.js'
import {
  BadCommandError,
  checkMemoSize,
  checkPayloadSize,
  checkSearchAttributes,
  payloadsSize,
  type CommandHandler,
} from './command-context.js'

const cause =
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES

const bad = (message: string): BadCommandError => new BadCommandError(cause, message)

export const startChildWorkflowExecution: CommandHandler = (ctx, command) => {
  const a = command.startChildWorkflowExecutionCommandAttributes
  if (!a) throw bad('StartChildWorkflowExecutionCommandAttributes is not set on command.')
  if (!a.workflowId) throw bad('Required field WorkflowId is not set on command.')
  if (a.workflowId.length > ctx.maxIdLength) throw bad('WorkflowId exceeds length limit.')
  if (!a.workflowType?.name) throw bad('Required field WorkflowType is not set on command.')
  if (a.namespace && a.namespace !== ctx.namespace) {
    throw bad('Starting a child workflow in another namespace is not supported by this server.')
  }
  for (const d of [a.workflowExecutionTimeout, a.workflowRunTimeout, a.workflowTaskTimeout]) {
    if (msFromDuration(d) < 0) throw bad('A valid timeout may not be negative.')
  }
  const retryProblem = validateRetryPolicy(a.retryPolicy)
  if (retryProblem) throw bad(retryProblem)
  if (a.cronSchedule && !isValidCronSchedule(a.cronSchedule)) throw bad('Invalid CronSchedule.')
  checkPayloadSize(
    ctx,
    payloadsSize(a.input),
    cause,
    'StartChildWorkflowExecutionCommandAttributes. Input exceeds size limit.',
  )
  checkMemoSize(
    ctx,
    a.memo,
    cause,
    'StartChildWorkflowExecutionCommandAttributes.Memo exceeds size limit.',
  )
  checkSearchAttributes(ctx, a.searchAttributes, cause)
  addStartChildWorkflowExecutionInitiatedEvent(
    ctx.ms,
    { ...a, taskQueue: normalTaskQueue(a.taskQueue?.name || ctx.ms.info.taskQueue) },
    { workflowTaskCompletedEventId: ctx.workflowTaskCompletedEventId, namespace: ctx.namespace },
  )
}
