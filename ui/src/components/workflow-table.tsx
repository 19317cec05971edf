/** One page of workflow executions, with a checkbox on each running one when rows can be chosen. */
import type { WorkflowExecution, WorkflowExecutionInfo } from '../api/types.js'
import { formatTime } from '../format/time.js'
import { paths } from '../router.js'
import { StatusBadge } from './status-badge.js'
import { PlaceholderRow } from './placeholder-row.js'

/** Which rows are chosen for a batch action. */
export interface RowSelection {
  isSelected(execution: WorkflowExecution): boolean
  /** Chooses or unchooses these rows. */
  set(executions: WorkflowExecution[], on: boolean): void
  /** The whole query is chosen: every running row shows checked, and none can be changed. */
  wholeQuery: boolean
}

const RUNNING = 'WORKFLOW_EXECUTION_STATUS_RUNNING'

export function WorkflowTable(props: {
  namespace: string
  executions?: WorkflowExecutionInfo[]
  loading: boolean
  selection?: RowSelection
}) {
  const rows = props.executions
  const { selection } = props
  // Only running workflows can be terminated, cancelled or signalled.
  const selectable = (rows ?? []).filter((w) => w.status === RUNNING).map((w) => w.execution ?? {})
  const pageChecked =
    selectable.length > 0 &&
    (selection?.wholeQuery || selectable.every((e) => selection?.isSelected(e)))
  return (
    <table class="grid workflows-table" aria-label="Workflows" aria-busy={props.loading}>
      <thead>
        <tr>
          <th>
            {selection && (
              <input
                type="checkbox"
                class="row-check"
                aria-label="Select all running on this page"
                checked={pageChecked}
                disabled={selection.wholeQuery || selectable.length === 0}
                onChange={(e) => selection.set(selectable, e.currentTarget.checked)}
              />
            )}
            Status
          </th>
          <th>Workflow ID</th>
          <th>Run ID</th>
          <th>Type</th>
          <th>Start</th>
          <th>Close</th>
        </tr>
      </thead>
      <tbody>
        {rows?.map((w) => {
          const id = w.execution?.workflowId ?? ''
          const runId = w.execution?.runId ?? ''
          const running = w.status === RUNNING
          const checked =
            running && (selection?.wholeQuery || selection?.isSelected(w.execution ?? {}))
          return (
            <tr key={`${id}/${runId}`} class={checked ? 'selected' : undefined}>
              <td>
                {selection && (
                  <input
                    type="checkbox"
                    class="row-check"
                    aria-label={`Select ${id}`}
                    checked={checked}
                    disabled={!running || selection.wholeQuery}
                    onChange={(e) =>
                      selection.set([{ workflowId: id, runId }], e.currentTarget.checked)
                    }
                  />
                )}
                <StatusBadge status={w.status} />
              </td>
              <td>
                <a href={paths.workflow(props.namespace, id, runId)}>{id}</a>
              </td>
              <td class="mono">{runId}</td>
              <td>{w.type?.name ?? ''}</td>
              <td>{formatTime(w.startTime)}</td>
              <td>{formatTime(w.closeTime)}</td>
            </tr>
          )
        })}
        <PlaceholderRow
          columns={6}
          rows={rows}
          loading={props.loading}
          empty="No workflows match."
        />
      </tbody>
    </table>
  )
}
