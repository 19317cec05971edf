/** ModifyWorkflowProperties: upserts memo fields (an empty payload removes one). */
import { EventType, WorkflowTaskFailedCause, long } from '../../common/proto.js'
import { encodedMemo } from '../mutable-state/encoded.js'
import {
  BadCommandError,
  checkMemoSize,
  checkPayloadSize,
  keysAndDataSize,
  type CommandHandler,
} from './command-context.js'

const cause =
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES

export const modifyWorkflowProperties: CommandHandler = (ctx, command) => {
  const fields = command.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo?.fields
  if (!fields || Object.keys(fields).length === 0) {
    throw new BadCommandError(cause, 'UpsertedMemo is not set on ModifyWorkflowPropertiesCommand.')
  }
  checkPayloadSize(
    ctx,
    keysAndDataSize(fields),
    cause,
    'ModifyWorkflowPropertiesCommandAttributes exceeds size limit.',
  )
  const { ms } = ctx
  const merged = { ...(encodedMemo.decode(ms.info.memo)?.fields ?? {}), ...fields }
  for (const [k, v] of Object.entries(fields)) if (!v.data?.length) delete merged[k]
  // The run's memo as it would be after the change must fit the memo limit.
  checkMemoSize(
    ctx,
    { fields: merged },
    cause,
    'ModifyWorkflowPropertiesCommandAttributes. Memo exceeds size limit.',
  )
  ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
    'workflowPropertiesModifiedEventAttributes',
    {
      workflowTaskCompletedEventId: long(ctx.workflowTaskCompletedEventId),
      upsertedMemo: { fields },
    },
  )
  ms.info.memo = encodedMemo.encode({ fields: merged })
}
