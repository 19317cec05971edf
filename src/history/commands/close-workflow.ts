/**
 * The commands that close the run: CompleteWorkflowExecution, FailWorkflowExecution and
 * CancelWorkflowExecution. A close while events wait in the buffer is refused with
 * UNHANDLED_COMMAND, so the workflow sees those events first (handleCommandCompleteWorkflow).
 */
import { WorkflowTaskFailedCause } from '../../common/proto.js'
import { cancelWorkflow, completeWorkflow, failWorkflow } from '../mutable-state/execution.js'
import { api } from '../../common/proto.js'
import {
  BadCommandError,
  checkPayloadSize,
  payloadsSize,
  type CommandContext,
  type CommandHandler,
} from './command-context.js'

export function checkNoUnhandledEvents(ctx: CommandContext): void {
  if (ctx.ms.hasBufferedEvents()) {
    ctx.ms.data.workflowCloseAttempted = true
    throw new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
      'Workflow has unhandled events; the workflow task must handle them before closing.',
    )
  }
}

export const completeWorkflowExecution: CommandHandler = (ctx, command) => {
  const result = command.completeWorkflowExecutionCommandAttributes?.result
  checkPayloadSize(
    ctx,
    payloadsSize(result),
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES,
    'CompleteWorkflowExecutionCommandAttributes.Result exceeds size limit.',
  )
  checkNoUnhandledEvents(ctx)
  completeWorkflow(ctx.ms, {
    result,
    workflowTaskCompletedEventId: ctx.workflowTaskCompletedEventId,
  })
}

export const failWorkflowExecution: CommandHandler = (ctx, command) => {
  const failure = command.failWorkflowExecutionCommandAttributes?.failure
  if (!failure) {
    throw new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES,
      'Failure is not set on FailWorkflowExecutionCommand.',
    )
  }
  checkPayloadSize(
    ctx,
    api.failure.v1.Failure.encode(failure).finish().length,
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES,
    'FailWorkflowExecutionCommandAttributes.Failure exceeds size limit.',
  )
  checkNoUnhandledEvents(ctx)
  failWorkflow(ctx.ms, { failure, workflowTaskCompletedEventId: ctx.workflowTaskCompletedEventId })
}

export const cancelWorkflowExecution: CommandHandler = (ctx, command) => {
  checkNoUnhandledEvents(ctx)
  cancelWorkflow(ctx.ms, {
    details: command.cancelWorkflowExecutionCommandAttributes?.details,
    workflowTaskCompletedEventId: ctx.workflowTaskCompletedEventId,
  })
}
