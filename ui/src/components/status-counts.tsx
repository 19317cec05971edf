/**
 * Counts by status for the current filter (one CountWorkflowExecutions with GROUP BY
 * ExecutionStatus), each a link that sets the status quick filter.
 */
import type { CountWorkflowExecutionsResponse } from '../api/types.js'
import { STATUSES } from '../format/enums.js'
import { payloadValue } from '../format/payload.js'

export function StatusCounts(props: {
  counts?: CountWorkflowExecutionsResponse
  selected?: string
  hrefFor(status: string | undefined): string
}) {
  const byStatus = new Map<string, number>()
  for (const g of props.counts?.groups ?? []) {
    const value = g.groupValues?.[0]
    const status = value === undefined ? undefined : payloadValue(value)?.value
    if (typeof status === 'string') byStatus.set(status, Number(g.count ?? 0))
  }
  const total = props.counts ? Number(props.counts.count ?? 0) : undefined
  const chip = (label: string, status: string | undefined, n: number | undefined) => {
    const selected = (props.selected ?? '') === (status ?? '')
    return (
      <a
        key={label}
        class={`chip${selected ? ' selected' : ''}${status ? ` status-${status.toLowerCase()}` : ''}`}
        href={props.hrefFor(status)}
        aria-current={selected ? 'true' : undefined}
        data-status={status ?? 'All'}
      >
        <span class="chip-label">{label}</span>
        <span class="chip-count">{n === undefined ? '…' : n.toLocaleString('en-US')}</span>
      </a>
    )
  }
  return (
    <nav class="status-counts" aria-label="Counts by status">
      {chip('All', undefined, total)}
      {STATUSES.map((s) => chip(s, s, props.counts ? (byStatus.get(s) ?? 0) : undefined))}
    </nav>
  )
}
