/**
 * A schedule at a glance: its spec (each calendar as a cron line, each interval), the workflow it
 * starts, its policies, its state and the counters of what it has done.
 */
import type { ComponentChildren } from 'preact'
import type { DescribeScheduleResponse } from '../../api/types.js'
import { Fields, type FieldRow } from '../../components/fields.js'
import { PayloadsView } from '../../components/payloads.js'
import { PausedBadge } from '../../components/status-badge.js'
import { overlapWord } from '../../format/enums.js'
import { calendarText, specLines } from '../../format/schedule-spec.js'
import { formatDuration, formatTime } from '../../format/time.js'
import { paths } from '../../router.js'

const none = <span class="muted">none</span>
const yesNo = (b: boolean | undefined) => (b ? 'yes' : 'no')
const count = (n: string | undefined) => Number(n ?? 0).toLocaleString('en-US')

function Card(props: { title: string; children: ComponentChildren }) {
  return (
    <section class="card" aria-label={props.title}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  )
}

/** One line per entry, or "none". */
function Lines({ lines }: { lines: string[] }) {
  if (lines.length === 0) return none
  return (
    <ul class="plain mono">
      {lines.map((l, i) => (
        <li key={i}>{l}</li>
      ))}
    </ul>
  )
}

export function ScheduleSummary(props: { namespace: string; describe: DescribeScheduleResponse }) {
  const { namespace } = props
  const schedule = props.describe.schedule ?? {}
  const info = props.describe.info ?? {}
  const spec = schedule.spec ?? {}
  const wf = schedule.action?.startWorkflow ?? {}
  const policies = schedule.policies ?? {}
  const state = schedule.state ?? {}
  const taskQueue = wf.taskQueue?.name

  const specRows: FieldRow[] = [
    ['Times', <Lines lines={specLines(spec)} />],
    ['Excluded', <Lines lines={(spec.excludeStructuredCalendar ?? []).map(calendarText)} />],
    ['Time zone', spec.timezoneName || 'UTC'],
    [
      'Jitter',
      spec.jitter && Number.parseFloat(spec.jitter) > 0 ? formatDuration(spec.jitter) : none,
    ],
    ['From', spec.startTime ? formatTime(spec.startTime) : none],
    ['Until', spec.endTime ? formatTime(spec.endTime) : none],
  ]
  const actionRows: FieldRow[] = [
    ['Workflow type', wf.workflowType?.name],
    [
      'Task queue',
      taskQueue ? <a href={paths.taskQueue(namespace, taskQueue)}>{taskQueue}</a> : undefined,
    ],
    ['Workflow ID', wf.workflowId && <span class="mono">{wf.workflowId}</span>],
    ['Input', <PayloadsView payloads={wf.input} empty="no input" />],
  ]
  const policyRows: FieldRow[] = [
    ['Overlap policy', overlapWord(policies.overlapPolicy)],
    ['Catchup window', formatDuration(policies.catchupWindow)],
    ['Pause on failure', yesNo(policies.pauseOnFailure)],
    ['Keep original workflow ID', yesNo(policies.keepOriginalWorkflowId)],
  ]
  const stateRows: FieldRow[] = [
    ['State', <PausedBadge paused={state.paused} />],
    ['Notes', state.notes],
    ['Remaining actions', state.limitedActions ? count(state.remainingActions) : 'unlimited'],
  ]
  const infoRows: FieldRow[] = [
    ['Actions taken', count(info.actionCount)],
    ['Missed catchup window', count(info.missedCatchupWindow)],
    ['Overlap skipped', count(info.overlapSkipped)],
    ['Buffer dropped', count(info.bufferDropped)],
    ['Buffered', count(info.bufferSize)],
    ['Created', formatTime(info.createTime)],
    ['Updated', formatTime(info.updateTime)],
  ]
  return (
    <>
      {info.invalidScheduleError && (
        <div class="error" role="alert">
          Invalid schedule: {info.invalidScheduleError}
        </div>
      )}
      <div class="schedule-cards">
        {(
          [
            ['Spec', specRows],
            ['Action', actionRows],
            ['Policies', policyRows],
            ['State', stateRows],
            ['Info', infoRows],
          ] as const
        ).map(([title, rows]) => (
          <Card key={title} title={title}>
            <Fields label={title} rows={rows} compact />
          </Card>
        ))}
      </div>
    </>
  )
}
