/**
 * What a durable timer row asks history to do when it fires. Stored as JSON in `TimerTask.data`.
 * Every kind names the entity and the attempt it was created for, so a timer that outlived its
 * purpose (the activity completed, the task was retried) is recognised as stale and dropped;
 * this mirrors Temporal's timer task types (service/history/tasks/timer_*.go).
 */
import type { TimeoutType } from '../../common/proto.js'

export type TimerTaskData =
  /** A workflow's `StartTimer` command. */
  | { kind: 'user-timer'; timerId: string; startedEventId: number }
  /** Start-to-close (or sticky schedule-to-start) of a workflow task attempt. */
  | {
      kind: 'workflow-task-timeout'
      scheduledEventId: number
      attempt: number
      timeoutType: TimeoutType
    }
  /** One of an activity's four timeouts, for one attempt (schedule-to-close spans attempts). */
  | {
      kind: 'activity-timeout'
      scheduledEventId: number
      attempt: number
      timeoutType: TimeoutType
    }
  /** The backoff between an activity's attempts has passed: dispatch the next attempt. */
  | { kind: 'activity-retry'; scheduledEventId: number; attempt: number }
  /** Workflow run or execution timeout. */
  | { kind: 'workflow-timeout' }
  /** A start delay or retry/cron backoff has passed: schedule the first workflow task. */
  | { kind: 'workflow-backoff' }
  /** The closed run's retention period has passed: delete it, its history and visibility. */
  | { kind: 'delete-history-event' }
  // Transfer tasks: work on other runs, written as timers due at once so that they are durable
  // and retried until done (Temporal's transfer queue, service/history/transfer_queue_*).
  /** Start the child workflow initiated by this run's event. */
  | { kind: 'start-child'; initiatedEventId: number }
  /** This run, a child, closed: report it to its parent. */
  | { kind: 'report-child-closed' }
  /** This run closed: apply a child's parent-close policy. */
  | { kind: 'parent-close-policy'; workflowId: string; runId: string; policy: number }
  /** Deliver this run's SignalExternalWorkflowExecution. */
  | { kind: 'signal-external'; initiatedEventId: number }
  /** Deliver this run's RequestCancelExternalWorkflowExecution. */
  | { kind: 'cancel-external'; initiatedEventId: number }

export function parseTimerTaskData(json: string): TimerTaskData {
  return JSON.parse(json) as TimerTaskData
}
