/**
 * What a schedule has started and will start: its recent actions (newest first) with each run's
 * status, the runs still open, and the next times its spec matches (futureActionTimes).
 */
import { runStatus, type RunStatuses } from '../../api/schedule-runs.js'
import type { ScheduleInfo, WorkflowExecution } from '../../api/types.js'
import { StatusBadge } from '../../components/status-badge.js'
import { formatTime } from '../../format/time.js'
import { paths } from '../../router.js'

const RUNNING = 'WORKFLOW_EXECUTION_STATUS_RUNNING'

function RunLink({ namespace, run }: { namespace: string; run?: WorkflowExecution }) {
  if (!run?.workflowId) return <span class="muted">—</span>
  return <a href={paths.workflow(namespace, run.workflowId, run.runId)}>{run.workflowId}</a>
}

export function ScheduleRuns(props: {
  namespace: string
  info: ScheduleInfo
  /** Live statuses of the runs, which the recorded ones may lag behind. */
  statuses?: RunStatuses
  paused?: boolean
}) {
  const { namespace, info, statuses } = props
  const recent = [...(info.recentActions ?? [])].reverse()
  const running = (info.runningWorkflows ?? []).filter(
    (r) => runStatus(statuses, r, RUNNING) === RUNNING,
  )
  const upcoming = info.futureActionTimes ?? []
  return (
    <div class="schedule-runs">
      <section class="card" aria-label="Recent actions">
        <h2>Recent actions</h2>
        <table class="grid" aria-label="Recent actions">
          <thead>
            <tr>
              <th>Status</th>
              <th>Workflow ID</th>
              <th>Scheduled for</th>
              <th>Started</th>
            </tr>
          </thead>
          <tbody>
            {recent.map((a) => (
              <tr key={`${a.startWorkflowResult?.runId ?? ''}${a.scheduleTime ?? ''}`}>
                <td>
                  <StatusBadge
                    status={runStatus(statuses, a.startWorkflowResult, a.startWorkflowStatus)}
                  />
                </td>
                <td>
                  <RunLink namespace={namespace} run={a.startWorkflowResult} />
                </td>
                <td>{formatTime(a.scheduleTime)}</td>
                <td>{formatTime(a.actualTime)}</td>
              </tr>
            ))}
            {recent.length === 0 && (
              <tr>
                <td colSpan={4} class="muted">
                  Nothing started yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
      <div class="schedule-side">
        <section class="card" aria-label="Running workflows">
          <h2>Running workflows</h2>
          {running.length === 0 ? (
            <span class="muted">none</span>
          ) : (
            <ul class="plain">
              {running.map((r) => (
                <li key={`${r.workflowId ?? ''}/${r.runId ?? ''}`}>
                  <RunLink namespace={namespace} run={r} />
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="card" aria-label="Upcoming runs">
          <h2>Upcoming runs</h2>
          {props.paused && upcoming.length > 0 && (
            <p class="muted">Paused: these start only once it is unpaused.</p>
          )}
          {upcoming.length === 0 ? (
            <span class="muted">none</span>
          ) : (
            <ol class="plain upcoming">
              {upcoming.map((t) => (
                <li key={t}>{formatTime(t)}</li>
              ))}
            </ol>
          )}
        </section>
      </div>
    </div>
  )
}
