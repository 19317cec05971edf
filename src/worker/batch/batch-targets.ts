/**
 * Where a batch job's targets come from, a chunk at a time: the request's explicit executions,
 * or its visibility query.
 *
 * A query is paged lazily (a chunk per wake-up, never the whole result in memory or in the row)
 * in visibility's default order, whose page token is the last row's sort key (close time, start
 * time, run id). That walk neither repeats nor skips a run for terminate, cancel and signal: the
 * query is narrowed to open runs, and a run the job has acted on either leaves the result (it
 * closed) or keeps its key behind the cursor; runs started after the job sort before the cursor,
 * so they are left alone, as Temporal's paging of the same order leaves them. Delete removes the
 * runs behind the cursor. Reset is the exception (it closes the run behind the cursor, which
 * moves it ahead, and opens a new run matching the query), so a reset's query is pinned first.
 *
 * Every target taken is recorded in the job row before anything is applied to it, with its run
 * id: an explicit execution without one is resolved to the current run here, so the operation
 * repeated after a crash meets the same run and not a newer one.
 */
import { ServiceError, UnavailableError } from '../../common/errors.js'
import { toNumber } from '../../common/proto.js'
import type { FrontendClient } from '../frontend-client.js'
import { adjustedQuery, type BatchState, type Target } from './batch-state.js'

/** Visibility's page size limit: the most runs a reset pins per wake-up. */
const PIN_PAGE = 1000

/** Counts the query's matches for the job's estimate (Temporal's TotalEstimate). */
export async function countQuery(
  frontend: FrontendClient,
  namespace: string,
  s: BatchState,
): Promise<number> {
  const { count } = await frontend.countWorkflowExecutions({
    namespace,
    query: adjustedQuery(s.operation, s.query ?? ''),
  })
  return toNumber(count)
}

/** Takes up to `n` targets from the job's source and advances it (in `s`, not yet committed). */
export async function takeTargets(
  frontend: FrontendClient,
  namespace: string,
  s: BatchState,
  n: number,
): Promise<Target[]> {
  const source = s.source
  switch (source.kind) {
    case 'executions': {
      const given = (s.executions ?? []).slice(source.next, source.next + n)
      source.next += given.length
      const pinned: Target[] = []
      for (const [workflowId, runId] of given) {
        pinned.push([workflowId, runId || (await currentRunId(frontend, namespace, workflowId))])
      }
      return pinned
    }
    case 'pinned': {
      const taken = (s.pinned ?? []).slice(source.next, source.next + n)
      source.next += taken.length
      return taken
    }
    case 'query': {
      if (!source.more) return []
      const page = await listPage(frontend, namespace, s, source.token, n)
      source.token = page.token
      source.more = page.token !== ''
      return page.targets
    }
    case 'pinning':
      throw new Error('a reset query is pinned before its targets are taken')
  }
}

/**
 * Pins one more page of a reset's query into `s.pinned`; after the last, the job walks the
 * pinned list and its estimate becomes the list's length.
 */
export async function pinPage(
  frontend: FrontendClient,
  namespace: string,
  s: BatchState,
): Promise<void> {
  if (s.source.kind !== 'pinning') return
  const page = await listPage(frontend, namespace, s, s.source.token, PIN_PAGE)
  s.pinned = [...(s.pinned ?? []), ...page.targets]
  if (page.token) {
    s.source.token = page.token
    return
  }
  s.source = { kind: 'pinned', next: 0 }
  s.total = s.pinned.length
}

async function listPage(
  frontend: FrontendClient,
  namespace: string,
  s: BatchState,
  token: string,
  pageSize: number,
): Promise<{ targets: Target[]; token: string }> {
  const page = await frontend.listWorkflowExecutions({
    namespace,
    query: adjustedQuery(s.operation, s.query ?? ''),
    pageSize,
    nextPageToken: token ? Buffer.from(token, 'base64') : undefined,
  })
  const targets: Target[] = (page.executions ?? []).map((e) => [
    e.execution?.workflowId ?? '',
    e.execution?.runId ?? '',
  ])
  const next = page.nextPageToken?.length ? Buffer.from(page.nextPageToken).toString('base64') : ''
  return { targets, token: next }
}

/**
 * The workflow's current run, or '' when it cannot be told (no such workflow: the operation
 * then meets the same answer and counts it as Temporal does).
 */
async function currentRunId(
  frontend: FrontendClient,
  namespace: string,
  workflowId: string,
): Promise<string> {
  try {
    const d = await frontend.describeWorkflowExecution({ namespace, execution: { workflowId } })
    return d.workflowExecutionInfo?.execution?.runId ?? ''
  } catch (e: unknown) {
    if (e instanceof ServiceError && !(e instanceof UnavailableError)) return ''
    throw e
  }
}
