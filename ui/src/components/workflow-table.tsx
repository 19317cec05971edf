/** One page of workflow executions. */
import type { WorkflowExecutionInfo } from '../api/types.js'
import { formatTime } from '../format/time.js'
import { paths } from '../router.js'
import { StatusBadge } from './status-badge.js'

export function WorkflowTable(props: {
  namespace: string
  executions?: WorkflowExecutionInfo[]
  loading: boolean
}) {
  const rows = props.executions
  return (
    <table class="grid workflows-table" aria-label="Workflows" aria-busy={props.loading}>
      <thead>
        <tr>
          <th>Status</th>
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
          return (
            <tr key={`${id}/${runId}`}>
              <td>
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
        {rows?.length === 0 && (
          <tr>
            <td colSpan={6} class="muted">
              No workflows match.
            </td>
          </tr>
        )}
        {rows === undefined && (
          <tr>
            <td colSpan={6} class="muted">
              {props.loading ? 'Loading…' : ''}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  )
}
