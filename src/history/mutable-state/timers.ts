/** User timers of a run: StartTimer → TimerStarted, then TimerFired or TimerCanceled. */
import { EventType, long, toNumber } from '../../common/proto.js'
import { msFromDuration } from '../../common/time.js'
import type { pb } from '../../common/proto.js'
import type { MutableState } from './mutable-state.js'
import type { TimerInfo } from './state.js'
import { scheduleWorkflowTask } from './workflow-tasks.js'

type StartAttributes = NonNullable<pb.Command['startTimerCommandAttributes']>

export function addTimerStartedEvent(
  ms: MutableState,
  attrs: StartAttributes,
  workflowTaskCompletedEventId: number,
): TimerInfo {
  const event = ms.addEvent(EventType.EVENT_TYPE_TIMER_STARTED, 'timerStartedEventAttributes', {
    timerId: attrs.timerId,
    startToFireTimeout: attrs.startToFireTimeout,
    workflowTaskCompletedEventId: long(workflowTaskCompletedEventId),
  })
  const timerId = attrs.timerId ?? ''
  const startedEventId = toNumber(event.eventId)
  const expiryTime = ms.now() + msFromDuration(attrs.startToFireTimeout)
  const timer: TimerInfo = {
    timerId,
    startedEventId,
    expiryTime,
    timerKey: ms.addTimer(expiryTime, { kind: 'user-timer', timerId, startedEventId }),
  }
  ms.data.timers[timerId] = timer
  return timer
}

export function fireTimer(ms: MutableState, timer: TimerInfo): void {
  ms.addEvent(EventType.EVENT_TYPE_TIMER_FIRED, 'timerFiredEventAttributes', {
    timerId: timer.timerId,
    startedEventId: long(timer.startedEventId),
  })
  delete ms.data.timers[timer.timerId]
  scheduleWorkflowTask(ms)
}

export function cancelTimer(
  ms: MutableState,
  timer: TimerInfo,
  args: { workflowTaskCompletedEventId: number; identity: string },
): void {
  ms.addEvent(EventType.EVENT_TYPE_TIMER_CANCELED, 'timerCanceledEventAttributes', {
    timerId: timer.timerId,
    startedEventId: long(timer.startedEventId),
    workflowTaskCompletedEventId: long(args.workflowTaskCompletedEventId),
    identity: args.identity,
  })
  ms.deleteTimers([timer.timerKey])
  delete ms.data.timers[timer.timerId]
}
