/**
 * Command type → handler. Types not listed here fail the workflow task with FEATURE_DISABLED,
 * naming the command, until they are built.
 */
import { CommandType } from '../../common/proto.js'
import {
  cancelWorkflowExecution,
  completeWorkflowExecution,
  failWorkflowExecution,
} from './close-workflow.js'
import type { CommandHandler } from './command-context.js'
import { continueAsNewWorkflowExecution } from './continue-as-new-workflow-execution.js'
import {
  requestCancelExternalWorkflowExecution,
  signalExternalWorkflowExecution,
} from './external-workflows.js'
import { modifyWorkflowProperties } from './modify-workflow-properties.js'
import { recordMarker } from './record-marker.js'
import { startChildWorkflowExecution } from './start-child-workflow-execution.js'
import { requestCancelActivityTask } from './request-cancel-activity-task.js'
import { scheduleActivityTask } from './schedule-activity-task.js'
import { cancelTimer, startTimer } from './timers.js'
import { upsertWorkflowSearchAttributes } from './upsert-workflow-search-attributes.js'

export const commandHandlers: ReadonlyMap<CommandType, CommandHandler> = new Map([
  [CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK, scheduleActivityTask],
  [CommandType.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK, requestCancelActivityTask],
  [CommandType.COMMAND_TYPE_START_TIMER, startTimer],
  [CommandType.COMMAND_TYPE_CANCEL_TIMER, cancelTimer],
  [CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecution],
  [CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION, failWorkflowExecution],
  [CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION, cancelWorkflowExecution],
  [CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION, continueAsNewWorkflowExecution],
  [CommandType.COMMAND_TYPE_RECORD_MARKER, recordMarker],
  [CommandType.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES, modifyWorkflowProperties],
  [CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION, startChildWorkflowExecution],
  [CommandType.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION, signalExternalWorkflowExecution],
  [
    CommandType.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION,
    requestCancelExternalWorkflowExecution,
  ],
  [CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, upsertWorkflowSearchAttributes],
])

/** Commands after which no other command may follow. */
export const closingCommands: ReadonlySet<CommandType> = new Set([
  CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
])
