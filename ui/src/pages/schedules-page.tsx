/**
 * The schedules of a namespace, a page at a time (ListSchedules with page tokens), filtered by
 * the query box (ListSchedules' `query`: `ScheduleId`, `TemporalSchedulePaused` and custom
 * search attributes). The query lives in the URL, so a filtered list is a link. Each row's recent
 * runs show their live status, read for the whole page in one visibility call.
 */
import { useState } from 'preact/hooks'
import type { ScheduleListEntry } from '../api/types.js'
import { liveRunStatusesOrNone, runStatus, type RunStatuses } from '../api/schedule-runs.js'
import { listSchedules } from '../api/schedule-service.js'
import { ErrorBox } from '../components/error-box.js'
import { Pager } from '../components/pager.js'
import { PlaceholderRow } from '../components/placeholder-row.js'
import { PausedBadge, StatusBadge } from '../components/status-badge.js'
import { specSummary } from '../format/schedule-spec.js'
import { formatTime } from '../format/time.js'
import { navigate, paths } from '../router.js'
import { useLoad } from '../use-load.js'
import { usePageTokens } from '../use-page-tokens.js'

const PAGE_SIZE = 25
const REFRESH_MS = 5000
/** Recent runs shown per row, newest first. */
const RECENT_SHOWN = 3

export function SchedulesPage(props: { namespace: string; params: URLSearchParams }) {
  const { namespace } = props
  const query = props.params.get('query') ?? ''
  const paging = usePageTokens(query)
  const loaded = useLoad(
    async (signal) => {
      const page = await listSchedules(
        namespace,
        { query, maximumPageSize: PAGE_SIZE, nextPageToken: paging.token },
        signal,
      )
      const runs = (page.schedules ?? []).flatMap((s) =>
        shownRuns(s).map((a) => a.startWorkflowResult ?? {}),
      )
      return { page, statuses: await liveRunStatusesOrNone(namespace, runs, signal) }
    },
    [namespace, query, paging.token],
    { refreshMs: REFRESH_MS },
  )
  const list = { ...loaded, data: loaded.data?.page }
  const entries = list.data && (list.data.schedules ?? [])
  return (
    <section class="schedules">
      <div class="page-head">
        <h1>
          Schedules <span class="muted">in {namespace}</span>
        </h1>
        <a class="button primary" href={paths.createSchedule(namespace)}>
          Create schedule
        </a>
      </div>
      <QueryForm
        key={query}
        query={query}
        onApply={(q) => {
          const next = new URLSearchParams()
          if (q.trim()) next.set('query', q.trim())
          navigate(paths.schedules(namespace, next))
        }}
      />
      {list.error && <ErrorBox error={list.error} prefix="Query error" />}
      <table class="grid" aria-label="Schedules" aria-busy={list.loading}>
        <thead>
          <tr>
            <th>Schedule ID</th>
            <th>Workflow type</th>
            <th>Spec</th>
            <th>State</th>
            <th>Next run</th>
            <th>Recent runs</th>
          </tr>
        </thead>
        <tbody>
          {entries?.map((s) => (
            <ScheduleRow
              key={s.scheduleId}
              namespace={namespace}
              entry={s}
              statuses={loaded.data?.statuses}
            />
          ))}
          <PlaceholderRow
            columns={6}
            rows={entries}
            loading={list.loading}
            empty={query ? 'No schedules match.' : 'No schedules yet.'}
          />
        </tbody>
      </table>
      <Pager paging={paging} nextPageToken={list.data?.nextPageToken} />
    </section>
  )
}

/** The recent actions a row shows, newest first. */
const shownRuns = (entry: ScheduleListEntry) =>
  (entry.info?.recentActions ?? []).slice(-RECENT_SHOWN).reverse()

function ScheduleRow(props: {
  namespace: string
  entry: ScheduleListEntry
  statuses?: RunStatuses
}) {
  const { namespace, entry } = props
  const id = entry.scheduleId ?? ''
  const info = entry.info ?? {}
  const recent = shownRuns(entry)
  const next = info.futureActionTimes?.[0]
  return (
    <tr>
      <td>
        <a href={paths.schedule(namespace, id)}>{id}</a>
      </td>
      <td>{info.workflowType?.name ?? ''}</td>
      <td class="spec">
        <span class="mono">{specSummary(info.spec)}</span>
      </td>
      <td>
        <PausedBadge paused={info.paused} />
      </td>
      <td>{info.paused ? <span class="muted">paused</span> : formatTime(next)}</td>
      <td>
        {recent.length === 0 ? (
          <span class="muted">none yet</span>
        ) : (
          <ul class="plain recent-runs">
            {recent.map((a) => {
              const run = a.startWorkflowResult
              return (
                <li key={`${run?.workflowId ?? ''}/${run?.runId ?? ''}`}>
                  <StatusBadge status={runStatus(props.statuses, run, a.startWorkflowStatus)} />{' '}
                  {run?.workflowId ? (
                    <a href={paths.workflow(namespace, run.workflowId, run.runId)}>
                      {formatTime(a.actualTime)}
                    </a>
                  ) : (
                    formatTime(a.actualTime)
                  )}
                </li>
              )
            })}
          </ul>
        )}
      </td>
    </tr>
  )
}

function QueryForm(props: { query: string; onApply(q: string): void }) {
  const [draft, setDraft] = useState(props.query)
  return (
    <form
      class="filters"
      role="search"
      onSubmit={(e) => {
        e.preventDefault()
        props.onApply(draft)
      }}
    >
      <input
        class="query-box"
        aria-label="Schedule query"
        placeholder="ScheduleId STARTS_WITH 'nightly' AND TemporalSchedulePaused = false"
        value={draft}
        onInput={(e) => setDraft(e.currentTarget.value)}
      />
      <button type="submit" class="primary">
        Search
      </button>
    </form>
  )
}
