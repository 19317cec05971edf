import type { HistoryEvent, WorkflowExecution } from './types.js'
import { getHistory } from './workflow-service.js'

/** Pages of history fetched in one go before the page asks the user to load more. */
export const HISTORY_PAGES_AT_ONCE = 5

export interface HistoryChunk {
  events: HistoryEvent[]
  /** Where the next chunk starts, when the history goes on. */
  nextPageToken?: string
}

/** Up to `HISTORY_PAGES_AT_ONCE` pages of a run's history from `nextPageToken` on. */
export async function loadHistory(
  namespace: string,
  execution: WorkflowExecution,
  nextPageToken?: string,
): Promise<HistoryChunk> {
  const events: HistoryEvent[] = []
  let token = nextPageToken
  for (let i = 0; i < HISTORY_PAGES_AT_ONCE; i++) {
    const page = await getHistory(namespace, execution, { nextPageToken: token })
    events.push(...(page.history?.events ?? []))
    token = page.nextPageToken || undefined
    if (!token) break
  }
  return { events, nextPageToken: token }
}

/** The run's close event (completed, failed, ...), for its result or failure. */
export async function loadCloseEvent(
  namespace: string,
  execution: WorkflowExecution,
): Promise<HistoryEvent | undefined> {
  const page = await getHistory(namespace, execution, { closeEventOnly: true })
  return page.history?.events?.at(-1)
}
