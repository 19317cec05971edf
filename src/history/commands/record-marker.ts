/** RecordMarker: local activity results, patches, side effects and versions. */
import { EventType, WorkflowTaskFailedCause, long } from '../../common/proto.js'
import { BadCommandError, type CommandHandler } from './command-context.js'

export const recordMarker: CommandHandler = (ctx, command) => {
  const a = command.recordMarkerCommandAttributes
  if (!a?.markerName) {
    throw new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES,
      'MarkerName is not set on RecordMarkerCommand.',
    )
  }
  ctx.ms.addEvent(EventType.EVENT_TYPE_MARKER_RECORDED, 'markerRecordedEventAttributes', {
    markerName: a.markerName,
    details: a.details,
    workflowTaskCompletedEventId: long(ctx.workflowTaskCompletedEventId),
    header: a.header,
    failure: a.failure,
  })
}
