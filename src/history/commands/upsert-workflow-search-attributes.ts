/**
 * UpsertWorkflowSearchAttributes: merges the attributes into the run's (the SDK's patches use
 * this for `TemporalChangeVersion`). Each must be registered in the namespace (or predefined)
 * and fit its type; the run's visibility row is rewritten in the same transaction.
 */
import { EventType, WorkflowTaskFailedCause, long, type pb } from '../../common/proto.js'
import { searchAttributesProblem } from '../../visibility/search-attribute-registry.js'
import { encodedSearchAttributes } from '../mutable-state/encoded.js'
import { BadCommandError, type CommandHandler } from './command-context.js'

export const upsertWorkflowSearchAttributes: CommandHandler = (ctx, command) => {
  const fields =
    command.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes?.indexedFields
  if (!fields || Object.keys(fields).length === 0) {
    throw new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
      'SearchAttributes is not set on UpsertWorkflowSearchAttributesCommand.',
    )
  }
  let size = 0
  for (const p of Object.values(fields)) size += (p.data?.length ?? 0) + (p.metadata ? 64 : 0)
  if (size > ctx.blobSizeLimit) {
    throw new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
      'SearchAttributes exceed size limit.',
    )
  }
  const problem = searchAttributesProblem(ctx.searchAttributeTypes, ctx.namespace, {
    indexedFields: fields,
  })
  if (problem) {
    throw new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
      problem,
    )
  }
  const { ms } = ctx
  ms.addEvent(
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    'upsertWorkflowSearchAttributesEventAttributes',
    {
      workflowTaskCompletedEventId: long(ctx.workflowTaskCompletedEventId),
      searchAttributes: { indexedFields: fields },
    },
  )
  const current: pb.SearchAttributes =
    encodedSearchAttributes.decode(ms.info.searchAttributes) ?? {}
  const merged = { ...(current.indexedFields ?? {}), ...fields }
  // An upsert with an empty payload removes the attribute, as in Temporal.
  for (const [k, v] of Object.entries(fields)) if (!v.data?.length) delete merged[k]
  ms.info.searchAttributes = encodedSearchAttributes.encode({ indexedFields: merged })
}
