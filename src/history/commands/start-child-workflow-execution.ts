/** StartChildWorkflowExecution (handleCommandStartChildWorkflow + its attribute checks). */
import { WorkflowTaskFailedCause } from '../../common/proto.js'
import { validateRetryPolicy } from '../../common/retry-policy.js'
import { msFromDuration } from '../../common/time.js'
import { isValidCronSchedule } from '../cron.js'
import { addStartChildWorkflowExecutionInitiatedEvent } from '../mutable-state/children.js'
import { normalTaskQueue } from '../mutable-state/workflow-tasks.js'
import { BadCommandError, payloadsSize, type CommandHandler } from './command-context.js'

const bad = (message: string): BadCommandError =>
  new BadCommandError(
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES,
    message,
  )

export const startChildWorkflowExecution: CommandHandler = (ctx, command) => {
  const a = command.startChildWorkflowExecutionCommandAttributes
  if (!a) throw bad('StartChildWorkflowExecutionCommandAttributes is not set on command.')
  if (!a.workflowId) throw bad('Required field WorkflowId is not set on command.')
  if (a.workflowId.length > 1000) throw bad('WorkflowId exceeds length limit.')
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
  if (payloadsSize(a.input) > ctx.blobSizeLimit) {
    throw bad('StartChildWorkflowExecutionCommandAttributes.Input exceeds size limit.')
  }
  addStartChildWorkflowExecutionInitiatedEvent(
    ctx.ms,
    { ...a, taskQueue: normalTaskQueue(a.taskQueue?.name || ctx.ms.info.taskQueue) },
    { workflowTaskCompletedEventId: ctx.workflowTaskCompletedEventId, namespace: ctx.namespace },
  )
}
