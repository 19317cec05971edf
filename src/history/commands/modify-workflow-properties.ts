/** ModifyWorkflowProperties: upserts memo fields (an empty payload removes one). */
import { EventType, WorkflowTaskFailedCause, long } from '../../common/proto.js'
import { encodedMemo } from '../mutable-state/encoded.js'
import { BadCommandError, type CommandHandler } from './command-context.js'

export const modifyWorkflowProperties: CommandHandler = (ctx, command) => {
  const fields = command.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo?.fields
  if (!fields || Object.keys(fields).length === 0) {
    throw new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES,
      'UpsertedMemo is not set on ModifyWorkflowPropertiesCommand.',
    )
  }
  let size = 0
  for (const p of Object.values(fields)) size += p.data?.length ?? 0
  if (size > ctx.blobSizeLimit) {
    throw new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES,
      'UpsertedMemo exceeds size limit.',
    )
  }
  const { ms } = ctx
  ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
    'workflowPropertiesModifiedEventAttributes',
    {
      workflowTaskCompletedEventId: long(ctx.workflowTaskCompletedEventId),
      upsertedMemo: { fields },
    },
  )
  const merged = { ...(encodedMemo.decode(ms.info.memo)?.fields ?? {}), ...fields }
  for (const [k, v] of Object.entries(fields)) if (!v.data?.length) delete merged[k]
  ms.info.memo = encodedMemo.encode({ fields: merged })
}
