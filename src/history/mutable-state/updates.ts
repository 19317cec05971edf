/**
 * Workflow updates as history records them: WorkflowExecutionUpdateAccepted when the worker
 * accepts a request, WorkflowExecutionUpdateCompleted with its outcome. A rejected update writes
 * nothing. The run keeps the ids of updates in history so a repeated update id is answered from
 * history instead of running again.
 */
import { EventType, long, toNumber, type pb } from '../../common/proto.js'
import type { UpdateOutcome, UpdateRequest } from '../update-registry.js'
import type { MutableState } from './mutable-state.js'

export function addUpdateAcceptedEvent(
  ms: MutableState,
  args: {
    updateId: string
    acceptedRequestMessageId: string
    acceptedRequestSequencingEventId: number
    acceptedRequest: UpdateRequest | null | undefined
  },
): number {
  const event = ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    'workflowExecutionUpdateAcceptedEventAttributes',
    {
      protocolInstanceId: args.updateId,
      acceptedRequestMessageId: args.acceptedRequestMessageId,
      acceptedRequestSequencingEventId: long(args.acceptedRequestSequencingEventId),
      acceptedRequest: args.acceptedRequest,
    },
  )
  const acceptedEventId = toNumber(event.eventId)
  ;(ms.data.updates ??= {})[args.updateId] = { acceptedEventId, completedEventId: 0 }
  return acceptedEventId
}

export function addUpdateCompletedEvent(
  ms: MutableState,
  args: { meta: pb.UpdateResponse['meta']; outcome: UpdateOutcome | null | undefined },
): void {
  const updateId = args.meta?.updateId ?? ''
  const record = ms.data.updates?.[updateId]
  const event = ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
    'workflowExecutionUpdateCompletedEventAttributes',
    {
      meta: args.meta,
      acceptedEventId: long(record?.acceptedEventId ?? 0),
      outcome: args.outcome,
    },
  )
  if (record) record.completedEventId = toNumber(event.eventId)
}
