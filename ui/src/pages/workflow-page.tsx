/**
 * One workflow run: summary, input and result, then tabs for its history, pending activities,
 * call stack, queries and the raw description. While the run is open the page polls
 * DescribeWorkflowExecution and reloads the history only when its length changed, so a live
 * page costs one small call per period.
 */
import { useEffect, useState } from 'preact/hooks'
import { loadCloseEvent, loadHistory } from '../api/history.js'
import type { WorkflowExecution } from '../api/types.js'
import { describeWorkflow } from '../api/workflow-service.js'
import { ErrorBox } from '../components/error-box.js'
import { JsonBlock } from '../components/json-block.js'
import { StatusBadge } from '../components/status-badge.js'
import { navigate, paths, type DetailTab } from '../router.js'
import { useLoad } from '../use-load.js'
import { Actions } from './workflow/actions.js'
import { HistoryView } from './workflow/history-view.js'
import { PendingActivities } from './workflow/pending-activities.js'
import { Queries } from './workflow/queries.js'
import { StackTrace } from './workflow/stack-trace.js'
import { InputAndResult, Summary } from './workflow/summary.js'

/** How often an open run is described again. */
const LIVE_REFRESH_MS = 2000

const TAB_LABELS: Record<DetailTab, string> = {
  history: 'History',
  pending: 'Pending activities',
  stack: 'Call stack',
  queries: 'Queries',
  json: 'JSON',
}

export function WorkflowPage(props: {
  namespace: string
  workflowId: string
  runId?: string
  tab: DetailTab
}) {
  const { namespace, workflowId, tab } = props
  const execution: WorkflowExecution = { workflowId, runId: props.runId }
  // Polling stops once the run has closed: a closed run does not change.
  const [live, setLive] = useState(true)
  const describe = useLoad(() => describeWorkflow(namespace, execution), [], {
    refreshMs: live ? LIVE_REFRESH_MS : undefined,
  })
  const info = describe.data?.workflowExecutionInfo
  const running = info?.status === 'WORKFLOW_EXECUTION_STATUS_RUNNING'
  useEffect(() => setLive(info === undefined || running), [info === undefined, running])
  const runId = props.runId ?? info?.execution?.runId

  // A link without a run id shows the latest run; give it the run id so that it stays put.
  useEffect(() => {
    if (!props.runId && runId) {
      navigate(paths.workflow(namespace, workflowId, runId, tab), { replace: true })
    }
  }, [props.runId, runId])

  // The history is read again only when the run gained events.
  const historyLength = info?.historyLength
  const historyKey = info ? (historyLength ?? 'unknown') : undefined
  const history = useLoad(
    () => (historyKey ? loadHistory(namespace, { workflowId, runId }) : Promise.resolve(undefined)),
    [historyKey],
    { keepOnChange: true },
  )
  const closed = info !== undefined && !running
  const closeEvent = useLoad(
    () => (closed ? loadCloseEvent(namespace, { workflowId, runId }) : Promise.resolve(undefined)),
    [closed],
    { keepOnChange: true },
  )
  const firstEvent = history.data?.events[0]

  const reload = async () => {
    await describe.reload()
  }

  return (
    <section class="workflow">
      <div class="workflow-head">
        <div>
          <div class="crumbs">
            <a href={paths.workflows(namespace)}>Workflows</a> / {namespace}
          </div>
          <h1 class="workflow-id">{workflowId}</h1>
          <div class="mono muted run-id">{runId}</div>
        </div>
        {info && <StatusBadge status={info.status} />}
        {info && runId && (
          <Actions
            namespace={namespace}
            execution={{ workflowId, runId }}
            running={running}
            history={history.data?.events}
            onDone={reload}
          />
        )}
      </div>
      {describe.error && <ErrorBox error={describe.error} />}
      {describe.data && (
        <>
          <Summary namespace={namespace} describe={describe.data} history={history.data?.events} />
          <InputAndResult
            namespace={namespace}
            workflowId={workflowId}
            input={firstEvent}
            closeEvent={closeEvent.data}
            running={running}
          />
        </>
      )}
      {describe.data && runId && (
        <>
          <nav class="tabs" role="tablist">
            {(Object.keys(TAB_LABELS) as DetailTab[]).map((t) => (
              <a
                key={t}
                role="tab"
                aria-selected={t === tab}
                class={t === tab ? 'selected' : ''}
                href={paths.workflow(namespace, workflowId, runId, t)}
              >
                {TAB_LABELS[t]}
                {t === 'pending' && ` (${describe.data?.pendingActivities?.length ?? 0})`}
                {t === 'history' && historyLength && ` (${historyLength})`}
              </a>
            ))}
          </nav>
          <div role="tabpanel" aria-label={TAB_LABELS[tab]}>
            {tab === 'history' && (
              <HistoryView
                namespace={namespace}
                execution={{ workflowId, runId }}
                loaded={history.data}
                error={history.error}
              />
            )}
            {tab === 'pending' && (
              <PendingActivities activities={describe.data.pendingActivities ?? []} />
            )}
            {tab === 'stack' && (
              <StackTrace
                namespace={namespace}
                execution={{ workflowId, runId }}
                running={running}
              />
            )}
            {tab === 'queries' && (
              <Queries namespace={namespace} execution={{ workflowId, runId }} />
            )}
            {tab === 'json' && <JsonBlock value={describe.data} />}
          </div>
        </>
      )}
    </section>
  )
}
