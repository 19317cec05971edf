/**
 * Activities the run is waiting on, from DescribeWorkflowExecution: state, attempt, the last
 * failure of a retrying activity, heartbeat time and details, and when the next attempt starts.
 */
import type { PendingActivityInfo } from '../../api/types.js'
import { FailureView } from '../../components/failure-view.js'
import { PayloadsView } from '../../components/payloads.js'
import { enumWord } from '../../format/enums.js'
import { formatDuration, formatTime } from '../../format/time.js'

export function PendingActivities({ activities }: { activities: PendingActivityInfo[] }) {
  if (activities.length === 0) return <p class="muted">No pending activities.</p>
  return (
    <div class="pending-activities">
      {activities.map((a) => (
        <PendingActivity key={a.activityId} activity={a} />
      ))}
    </div>
  )
}

function PendingActivity({ activity: a }: { activity: PendingActivityInfo }) {
  const max = a.maximumAttempts ? ` of ${a.maximumAttempts}` : ' (unlimited retries)'
  const rows: [string, string | undefined][] = [
    ['State', enumWord(a.state, 'PENDING_ACTIVITY_STATE_')],
    ['Attempt', a.attempt !== undefined ? `${a.attempt}${max}` : undefined],
    ['Scheduled', formatTime(a.scheduledTime)],
    ['Last started', formatTime(a.lastStartedTime)],
    ['Last heartbeat', formatTime(a.lastHeartbeatTime)],
    ['Next attempt', formatTime(a.nextAttemptScheduleTime)],
    ['Retry interval', formatDuration(a.currentRetryInterval)],
    ['Expires', formatTime(a.expirationTime)],
    ['Last worker', a.lastWorkerIdentity],
  ]
  return (
    <article class="card pending-activity" aria-label={`Activity ${a.activityId ?? ''}`}>
      <h3>
        {a.activityType?.name ?? 'activity'} <span class="muted mono">#{a.activityId}</span>
      </h3>
      <dl class="summary compact">
        {rows
          .filter(([, v]) => v)
          .map(([k, v]) => (
            <div key={k} class="field" data-field={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
      </dl>
      {a.heartbeatDetails !== undefined && (
        <section aria-label="Heartbeat details">
          <h4>Heartbeat details</h4>
          <PayloadsView payloads={a.heartbeatDetails} />
        </section>
      )}
      {a.lastFailure && (
        <section aria-label="Last failure">
          <h4>Last failure</h4>
          <FailureView failure={a.lastFailure} />
        </section>
      )}
    </article>
  )
}
