/**
 * The event history, as a compact timeline (one line per event; opening a line shows the event's
 * full JSON) or as every event's full JSON. Long histories arrive in chunks of pages: the first
 * chunk comes with the page, later ones on request.
 */
import { useEffect, useState } from 'preact/hooks'
import { loadHistory, type HistoryChunk } from '../../api/history.js'
import type { HistoryEvent, WorkflowExecution } from '../../api/types.js'
import { ErrorBox } from '../../components/error-box.js'
import { JsonBlock } from '../../components/json-block.js'
import { eventTypeWord } from '../../format/enums.js'
import { eventCategory, eventSummary } from '../../format/events.js'
import { formatDuration, formatTime } from '../../format/time.js'

type Mode = 'timeline' | 'json'

export function HistoryView(props: {
  namespace: string
  execution: WorkflowExecution
  loaded?: HistoryChunk
  error?: Error
}) {
  const [mode, setMode] = useState<Mode>('timeline')
  const [more, setMore] = useState<{ events: HistoryEvent[]; token?: string } | undefined>()
  const [moreError, setMoreError] = useState<Error | undefined>()
  // A reload of the first chunk (the run moved on) starts the extra chunks again.
  useEffect(() => setMore(undefined), [props.loaded])

  if (props.error && !props.loaded) return <ErrorBox error={props.error} />
  if (!props.loaded) return <p class="muted">Loading history…</p>
  const events = [...props.loaded.events, ...(more?.events ?? [])]
  const token = more ? more.token : props.loaded.nextPageToken
  const start = events[0]?.eventTime

  const loadMore = async () => {
    if (!token) return
    try {
      const chunk = await loadHistory(props.namespace, props.execution, token)
      setMore({ events: [...(more?.events ?? []), ...chunk.events], token: chunk.nextPageToken })
    } catch (e: unknown) {
      setMoreError(e instanceof Error ? e : new Error(String(e)))
    }
  }

  return (
    <div class="history">
      <div class="toolbar">
        <div class="segmented" role="group" aria-label="History view">
          <button aria-pressed={mode === 'timeline'} onClick={() => setMode('timeline')}>
            Timeline
          </button>
          <button aria-pressed={mode === 'json'} onClick={() => setMode('json')}>
            JSON
          </button>
        </div>
        <span class="muted">{events.length} events</span>
      </div>
      {mode === 'timeline' ? (
        <ol class="timeline" aria-label="Event history">
          {events.map((e) => (
            <TimelineRow key={e.eventId} event={e} start={start} />
          ))}
        </ol>
      ) : (
        <div class="event-json-list">
          {events.map((e) => (
            <JsonBlock key={e.eventId} value={e} label={`Event ${e.eventId ?? ''}`} />
          ))}
        </div>
      )}
      {props.error && <ErrorBox error={props.error} prefix="Refreshing the history failed" />}
      {moreError && <ErrorBox error={moreError} />}
      {token && (
        <button class="load-more" onClick={() => void loadMore()}>
          Load more events
        </button>
      )}
    </div>
  )
}

function TimelineRow({ event, start }: { event: HistoryEvent; start?: string }) {
  const offset =
    start && event.eventTime
      ? formatDuration(new Date(event.eventTime).getTime() - new Date(start).getTime())
      : ''
  return (
    <li class={`event cat-${eventCategory(event.eventType)}`} data-event-id={event.eventId}>
      <details>
        <summary>
          <span class="event-id">{event.eventId}</span>
          <span class="event-type">{eventTypeWord(event.eventType)}</span>
          <span class="event-time" title={formatTime(event.eventTime)}>
            +{offset}
          </span>
          <span class="event-fields">
            {eventSummary(event).map((f) => (
              <span key={f.label} class="kv">
                <span class="k">{f.label}</span> <span class="v">{f.value}</span>
              </span>
            ))}
          </span>
        </summary>
        <JsonBlock value={event} label={`Event ${event.eventId ?? ''} JSON`} />
      </details>
    </li>
  )
}
