/** SignalExternalWorkflowExecution and RequestCancelExternalWorkflowExecution. */
import { WorkflowTaskFailedCause } from '../../common/proto.js'
import {
  addRequestCancelExternalInitiatedEvent,
  addSignalExternalInitiatedEvent,
} from '../mutable-state/children.js'
import {
  BadCommandError,
  checkPayloadSize,
  payloadsSize,
  type CommandHandler,
} from './command-context.js'

export const signalExternalWorkflowExecution: CommandHandler = (ctx, command) => {
  const a = command.signalExternalWorkflowExecutionCommandAttributes
  const bad = (message: string): BadCommandError =>
    new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
      message,
    )
  if (!a?.execution?.workflowId) throw bad('WorkflowId is not set on command.')
  if (!a.signalName) throw bad('SignalName is not set on command.')
  if (a.namespace && a.namespace !== ctx.namespace) {
    throw bad('Signalling a workflow in another namespace is not supported by this server.')
  }
  checkPayloadSize(
    ctx,
    payloadsSize(a.input),
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
    'SignalExternalWorkflowExecutionCommandAttributes.Input exceeds size limit.',
  )
  addSignalExternalInitiatedEvent(ctx.ms, a, {
    workflowTaskCompletedEventId: ctx.workflowTaskCompletedEventId,
    namespace: ctx.namespace,
  })
}

export const requestCancelExternalWorkflowExecution: CommandHandler = (ctx, command) => {
  const a = command.requestCancelExternalWorkflowExecutionCommandAttributes
  const bad = (message: string): BadCommandError =>
    new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
      message,
    )
  if (!a?.workflowId) throw bad('WorkflowId is not set on command.')
  if (a.namespace && a.namespace !== ctx.namespace) {
    throw bad('Cancelling a workflow in another namespace is not supported by this server.')
  }
  addRequestCancelExternalInitiatedEvent(ctx.ms, a, {
    workflowTaskCompletedEventId: ctx.workflowTaskCompletedEventId,
    namespace: ctx.namespace,
  })
}
