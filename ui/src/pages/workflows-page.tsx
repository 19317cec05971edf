/**
 * The workflows of a namespace: the list filter box, quick filters, counts by status and one
 * page of results. Everything is asked of the server a page at a time (ListWorkflowExecutions
 * with page tokens) and counted by CountWorkflowExecutions, so a namespace of 100,000 runs costs
 * the same as one of ten. The filters live in the URL, so a filtered list is a link. Running rows
 * (or the whole query) can be chosen for a batch job.
 */
import { useState } from 'preact/hooks'
import { countWorkflows, listWorkflows } from '../api/workflow-service.js'
import { ErrorBox } from '../components/error-box.js'
import { Pager } from '../components/pager.js'
import { StatusCounts } from '../components/status-counts.js'
import { WorkflowTable } from '../components/workflow-table.js'
import { batchQuery, countQuery, listQuery, type ListFilters } from '../format/list-query.js'
import { navigate, paths } from '../router.js'
import { useLoad } from '../use-load.js'
import { usePageTokens } from '../use-page-tokens.js'
import { BatchBar, useBatchSelection } from './workflows/batch-actions.js'

const PAGE_SIZES = [10, 25, 50, 100]
const DEFAULT_PAGE_SIZE = 25
/** Open pages refresh on this period so that running workflows move on by themselves. */
const REFRESH_MS = 3000

export function WorkflowsPage({
  namespace,
  params,
}: {
  namespace: string
  params: URLSearchParams
}) {
  const filters: ListFilters = {
    query: params.get('query') ?? '',
    status: params.get('status') ?? undefined,
    type: params.get('type') ?? undefined,
    id: params.get('id') ?? undefined,
  }
  const pageSize = Number(params.get('pageSize')) || DEFAULT_PAGE_SIZE
  const query = listQuery(filters)
  const counted = countQuery(filters)

  const paging = usePageTokens(`${pageSize} ${query}`)
  const token = paging.token
  // What is chosen for a batch job belongs to the query it was chosen under.
  const selection = useBatchSelection(`${namespace} ${query}`)

  const list = useLoad(
    (signal) => listWorkflows(namespace, { query, pageSize, nextPageToken: token }, signal),
    [namespace, query, pageSize, token],
    { refreshMs: REFRESH_MS },
  )
  const counts = useLoad(
    (signal) => countWorkflows(namespace, counted, signal),
    [namespace, counted],
    {
      refreshMs: REFRESH_MS,
    },
  )

  /** A new URL with `changes` applied (undefined or '' removes a parameter). */
  const withParams = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params)
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v)
      else next.delete(k)
    }
    return paths.workflows(namespace, next)
  }

  return (
    <section class="workflows">
      <h1>
        Workflows <span class="muted">in {namespace}</span>
      </h1>
      <FilterForm
        key={params.toString()}
        filters={filters}
        onApply={(f) => navigate(withParams({ query: f.query.trim(), type: f.type, id: f.id }))}
      />
      {list.error && <ErrorBox error={list.error} prefix="Query error" />}
      {counts.error && !list.error && <ErrorBox error={counts.error} prefix="Count error" />}
      <StatusCounts
        counts={counts.data}
        selected={filters.status}
        hrefFor={(status) => withParams({ status })}
      />
      <BatchBar namespace={namespace} selection={selection} query={batchQuery(filters)} />
      <WorkflowTable
        namespace={namespace}
        executions={list.data && (list.data.executions ?? [])}
        loading={list.loading}
        selection={selection}
      />
      <Pager paging={paging} nextPageToken={list.data?.nextPageToken}>
        <label>
          Page size{' '}
          <select
            value={String(pageSize)}
            onChange={(e) => navigate(withParams({ pageSize: e.currentTarget.value }))}
          >
            {PAGE_SIZES.includes(pageSize) ? null : <option value={pageSize}>{pageSize}</option>}
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </Pager>
    </section>
  )
}

/** The query box and the type and id quick filters; applied together on Enter or Search. */
function FilterForm(props: { filters: ListFilters; onApply(f: ListFilters): void }) {
  const [draft, setDraft] = useState(props.filters)
  const set = (k: keyof ListFilters) => (e: Event) =>
    setDraft((d) => ({ ...d, [k]: (e.currentTarget as HTMLInputElement).value }))
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
        aria-label="List filter query"
        placeholder="WorkflowType = 'orders' AND ExecutionStatus = 'Running' ORDER BY StartTime DESC"
        value={draft.query}
        onInput={set('query')}
      />
      <input
        aria-label="Workflow type"
        placeholder="Workflow type"
        value={draft.type ?? ''}
        onInput={set('type')}
      />
      <input
        aria-label="Workflow ID prefix"
        placeholder="Workflow ID starts with"
        value={draft.id ?? ''}
        onInput={set('id')}
      />
      <button type="submit" class="primary">
        Search
      </button>
    </form>
  )
}
