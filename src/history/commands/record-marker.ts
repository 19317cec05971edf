/** RecordMarker: local activity results, patches, side effects and versions. */
import { EventType, WorkflowTaskFailedCause, long, type pb } from '../../common/proto.js'
import {
  BadCommandError,
  checkPayloadSize,
  payloadsSize,
  type CommandHandler,
} from './command-context.js'

export const recordMarker: CommandHandler = (ctx, command) => {
  const a = command.recordMarkerCommandAttributes
  if (!a?.markerName) {
    throw new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES,
      'MarkerName is not set on RecordMarkerCommand.',
    )
  }
  checkPayloadSize(
    ctx,
    detailsSize(a.details),
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES,
    'RecordMarkerCommandAttributes.Details exceeds size limit.',
  )
  ctx.ms.addEvent(EventType.EVENT_TYPE_MARKER_RECORDED, 'markerRecordedEventAttributes', {
    markerName: a.markerName,
    details: a.details,
    workflowTaskCompletedEventId: long(ctx.workflowTaskCompletedEventId),
    header: a.header,
    failure: a.failure,
  })
}

/** common.GetPayloadsMapSize: each key's length plus its Payloads' encoded size. */
function detailsSize(details: Record<string, pb.Payloads> | null | undefined): number {
  let size = 0
  for (const [key, payloads] of Object.entries(details ?? {})) {
    size += key.length + payloadsSize(payloads)
  }
  return size
}
