/**
 * GetWorkflowExecutionHistory: pages of events, long-polling for new events with
 * `wait_new_event`, and the close-event filter the client uses to wait for a result
 * (frontend/workflow_handler.go GetWorkflowExecutionHistory + history/api/getworkflowexecutionhistory).
 */
import { HistoryEventFilterType, toNumber, type temporal } from '../../common/proto.js'
import { deadlineSignal } from '../../common/clock.js'
import type { HistoryEngine } from '../history-engine.js'
import { isRunning } from '../history-engine.js'
import { decodePageToken, encodePageToken, readHistoryPage } from './history-page-token.js'

type Request = temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryRequest
type Response = temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse

export async function invoke(
  engine: HistoryEngine,
  namespaceId: string,
  req: Request,
  opts: { signal: AbortSignal; longPollMs: number },
): Promise<Response> {
  const e = req.execution
  const closeOnly =
    req.historyEventFilterType === HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT
  const maxBatches = Math.max(1, req.maximumPageSize || 1000)
  const token = req.nextPageToken?.length ? decodePageToken(req.nextPageToken) : undefined
  const key = await engine.resolveRun(namespaceId, e?.workflowId ?? '', token?.runId ?? e?.runId)

  // Long poll: wait until the run has events past the token (or closes, for the close filter).
  let data = await engine.getRun(key)
  if (req.waitNewEvent) {
    const { signal: deadline, dispose } = deadlineSignal(engine.clock, opts.longPollMs, opts.signal)
    const ready = (): boolean =>
      closeOnly
        ? !isRunning(data)
        : !token || data.nextEventId > token.nextEventId || !isRunning(data)
    while (!ready() && !deadline.aborted) {
      await engine.waitForChange(key, deadline)
      data = await engine.getRun(key)
    }
    dispose()
    if (!ready()) {
      // Nothing new before the poll ended: the client asks again with the same token.
      const again = token ?? {
        runId: key.runId,
        nextEventId: closeOnly ? 1 : data.nextEventId,
        endEventId: 0,
      }
      return { history: { events: [] }, nextPageToken: encodePageToken(again), archived: false }
    }
  }

  if (closeOnly) {
    if (isRunning(data))
      return { history: { events: [] }, nextPageToken: new Uint8Array(), archived: false }
    const id = data.completionEventId
    const { events } = await engine.readEvents(key.runId, id, id + 1)
    return {
      history: { events: events.filter((ev) => toNumber(ev.eventId) === id) },
      nextPageToken: new Uint8Array(),
      archived: false,
    }
  }

  const page = await readHistoryPage(
    (runId, min, max, batches) => engine.readEvents(runId, min, max, batches),
    {
      runId: key.runId,
      nextEventId: token?.nextEventId ?? 1,
      endEventId: token?.endEventId || data.nextEventId,
      transient: token?.transient,
    },
    maxBatches,
  )
  let nextPageToken = page.nextPageToken
  // A waiting reader of a running workflow gets a token to continue from where it stopped.
  if (req.waitNewEvent && nextPageToken.length === 0 && isRunning(data)) {
    nextPageToken = encodePageToken({
      runId: key.runId,
      nextEventId: data.nextEventId,
      endEventId: 0,
    })
  }
  return { history: { events: page.events }, nextPageToken, archived: false }
}
