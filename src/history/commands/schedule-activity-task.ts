/**
 * ScheduleActivityTask: validates the attributes and derives the timeouts the command leaves
 * out, as Temporal's command checker does (service/history/api/respondworkflowtaskcompleted/
 * command_checker.go validateActivityScheduleAttributes).
 */
import { randomUUID } from 'node:crypto'
import { WorkflowTaskFailedCause, type pb } from '../../common/proto.js'
import { validateRetryPolicy } from '../../common/retry-policy.js'
import { durationFromMs, msFromDuration } from '../../common/time.js'
import { activityByActivityId, addActivityTaskScheduledEvent } from '../mutable-state/activities.js'
import { normalTaskQueue } from '../mutable-state/workflow-tasks.js'
import {
  BadCommandError,
  checkPayloadSize,
  payloadsSize,
  type CommandHandler,
} from './command-context.js'

const bad = (message: string): BadCommandError =>
  new BadCommandError(
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
    message,
  )

export const scheduleActivityTask: CommandHandler = (ctx, command) => {
  const a = command.scheduleActivityTaskCommandAttributes
  if (!a)
    throw bad('ScheduleActivityTaskCommandAttributes is not set on ScheduleActivityTaskCommand.')
  const { ms } = ctx
  if (!a.activityId) throw bad('ActivityId is not set on ScheduleActivityTaskCommand.')
  if (a.activityId.length > ctx.maxIdLength)
    throw bad('ActivityId on ScheduleActivityTaskCommand exceeds length limit.')
  if (!a.activityType?.name) throw bad('ActivityType is not set on ScheduleActivityTaskCommand.')
  if (a.activityType.name.length > ctx.maxIdLength)
    throw bad('ActivityType on ScheduleActivityTaskCommand exceeds length limit.')
  const retryProblem = validateRetryPolicy(a.retryPolicy)
  if (retryProblem) throw bad(retryProblem)
  checkPayloadSize(
    ctx,
    payloadsSize(a.input),
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
    'ScheduleActivityTaskCommandAttributes.Input exceeds size limit.',
  )
  if (activityByActivityId(ms, a.activityId)) {
    throw new BadCommandError(
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID,
      `Activity ID ${a.activityId} already exists.`,
    )
  }
  const timeouts = [
    a.scheduleToCloseTimeout,
    a.scheduleToStartTimeout,
    a.startToCloseTimeout,
    a.heartbeatTimeout,
  ]
  if (timeouts.some((d) => msFromDuration(d) < 0)) throw bad('A valid timeout may not be negative.')

  const runTimeout = ms.info.runTimeoutMs
  let scheduleToClose = msFromDuration(a.scheduleToCloseTimeout)
  let scheduleToStart = msFromDuration(a.scheduleToStartTimeout)
  let startToClose = msFromDuration(a.startToCloseTimeout)
  let heartbeat = msFromDuration(a.heartbeatTimeout)
  if (scheduleToClose > 0) {
    if (runTimeout > 0) scheduleToClose = Math.min(scheduleToClose, runTimeout)
    scheduleToStart =
      scheduleToStart > 0 ? Math.min(scheduleToStart, scheduleToClose) : scheduleToClose
    startToClose = startToClose > 0 ? Math.min(startToClose, scheduleToClose) : scheduleToClose
  } else if (startToClose > 0) {
    scheduleToClose = runTimeout
    if (scheduleToStart <= 0) scheduleToStart = runTimeout
  } else {
    throw bad(
      'A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand.',
    )
  }
  if (heartbeat > startToClose) heartbeat = startToClose

  const taskQueue: pb.TaskQueue = a.taskQueue?.name
    ? normalTaskQueue(a.taskQueue.name)
    : normalTaskQueue(ms.info.taskQueue)
  // Eager execution: the completing worker asked to run it and has a slot; it must be for the
  // workflow's own task queue (handleCommandScheduleActivity in Temporal).
  const eager =
    a.requestEagerExecution === true &&
    ctx.eager !== undefined &&
    ctx.eager.remaining > 0 &&
    taskQueue.name === ms.info.taskQueue
  const ai = addActivityTaskScheduledEvent(
    ms,
    {
      ...a,
      taskQueue,
      scheduleToCloseTimeout: durationFromMs(scheduleToClose),
      scheduleToStartTimeout: durationFromMs(scheduleToStart),
      startToCloseTimeout: durationFromMs(startToClose),
      heartbeatTimeout: durationFromMs(heartbeat),
    },
    ctx.workflowTaskCompletedEventId,
    eager ? { requestId: randomUUID(), identity: ctx.identity } : undefined,
  )
  if (eager) {
    ctx.eager!.remaining--
    ctx.eager!.started.push(ai.scheduledEventId)
  }
}
