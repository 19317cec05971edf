/**
 * UpsertWorkflowSearchAttributes: merges the attributes into the run's (the SDK's patches use
 * this for `TemporalChangeVersion`). Each must be registered in the namespace (or predefined)
 * and fit its type, and the run's attributes after the merge must fit the size limits; the run's
 * visibility row is rewritten in the same transaction.
 */
import { EventType, WorkflowTaskFailedCause, long, type pb } from '../../common/proto.js'
import {
  searchAttributesProblem,
  searchAttributesSizeProblem,
} from '../../visibility/search-attribute-registry.js'
import { encodedSearchAttributes } from '../mutable-state/encoded.js'
import {
  BadCommandError,
  checkPayloadSize,
  keysAndDataSize,
  SizeLimitCommandError,
  type CommandHandler,
} from './command-context.js'

const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES

export const upsertWorkflowSearchAttributes: CommandHandler = (ctx, command) => {
  const fields =
    command.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes?.indexedFields
  if (!fields || Object.keys(fields).length === 0) {
    throw new BadCommandError(
      cause,
      'SearchAttributes is not set on UpsertWorkflowSearchAttributesCommand.',
    )
  }
  // handleCommandUpsertWorkflowSearchAttributes: validate, then the blob limit, then the size
  // limits on the attributes as they would be after the upsert.
  const problem = searchAttributesProblem(
    ctx.searchAttributeTypes,
    ctx.namespace,
    { indexedFields: fields },
    ctx.searchAttributes,
  )
  if (problem) throw new BadCommandError(cause, problem)
  checkPayloadSize(
    ctx,
    keysAndDataSize(fields),
    cause,
    'UpsertWorkflowSearchAttributesCommandAttributes exceeds size limit.',
  )
  const { ms } = ctx
  const current: pb.SearchAttributes =
    encodedSearchAttributes.decode(ms.info.searchAttributes) ?? {}
  const merged = { ...(current.indexedFields ?? {}), ...fields }
  // An upsert with an empty payload removes the attribute, as in Temporal.
  for (const [k, v] of Object.entries(fields)) if (!v.data?.length) delete merged[k]
  const sizeProblem = searchAttributesSizeProblem({ indexedFields: merged }, ctx.searchAttributes)
  if (sizeProblem) throw new SizeLimitCommandError(cause, sizeProblem)
  ms.addEvent(
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    'upsertWorkflowSearchAttributesEventAttributes',
    {
      workflowTaskCompletedEventId: long(ctx.workflowTaskCompletedEventId),
      searchAttributes: { indexedFields: fields },
    },
  )
  ms.info.searchAttributes = encodedSearchAttributes.encode({ indexedFields: merged })
}
