/**
 * One schedule: spec, action, policies, state and counters, what it started and will start, and
 * the actions on it. The page describes the schedule again on a short period, with the live
 * status of the runs it lists, so a trigger or a run that closes shows without a reload.
 */
import { liveRunStatusesOrNone } from '../api/schedule-runs.js'
import { describeSchedule } from '../api/schedule-service.js'
import { ErrorBox } from '../components/error-box.js'
import { JsonBlock } from '../components/json-block.js'
import { PausedBadge } from '../components/status-badge.js'
import { paths } from '../router.js'
import { useLoad } from '../use-load.js'
import { ScheduleActions } from './schedule/actions.js'
import { ScheduleRuns } from './schedule/runs.js'
import { ScheduleSummary } from './schedule/summary.js'

const REFRESH_MS = 2000

export function SchedulePage({ namespace, scheduleId }: { namespace: string; scheduleId: string }) {
  const loaded = useLoad(
    async (signal) => {
      const described = await describeSchedule(namespace, scheduleId, signal)
      const info = described.info ?? {}
      const runs = [
        ...(info.recentActions ?? []).map((a) => a.startWorkflowResult ?? {}),
        ...(info.runningWorkflows ?? []),
      ]
      return { described, statuses: await liveRunStatusesOrNone(namespace, runs, signal) }
    },
    [],
    { refreshMs: REFRESH_MS },
  )
  const describe = { ...loaded, data: loaded.data?.described }
  const schedule = describe.data?.schedule
  const paused = Boolean(schedule?.state?.paused)
  return (
    <section class="schedule">
      <div class="workflow-head">
        <div>
          <div class="crumbs">
            <a href={paths.schedules(namespace)}>Schedules</a> / {namespace}
          </div>
          <h1 class="workflow-id">{scheduleId}</h1>
        </div>
        {schedule && <PausedBadge paused={paused} />}
        {schedule && (
          <ScheduleActions
            namespace={namespace}
            scheduleId={scheduleId}
            paused={paused}
            overlapPolicy={schedule.policies?.overlapPolicy}
            onDone={describe.reload}
          />
        )}
      </div>
      {describe.error && <ErrorBox error={describe.error} />}
      {describe.data && (
        <>
          <ScheduleSummary namespace={namespace} describe={describe.data} />
          <ScheduleRuns
            namespace={namespace}
            info={describe.data.info ?? {}}
            statuses={loaded.data?.statuses}
            paused={paused}
          />
          <details class="raw-json">
            <summary>JSON</summary>
            <JsonBlock value={describe.data} label="Schedule JSON" />
          </details>
        </>
      )}
    </section>
  )
}
