/**
 * The history engine's `traceCommit` hook as a span: one `history.commit` per store transaction
 * (the runs it writes, events, state and tasks together), a child of the RPC's span when a call
 * caused it and a trace of its own when a timer did. The store's spans nest under it.
 */
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api'
import { ATTR_RUN_ID, ATTR_WORKFLOW_ID } from '../common/trace-attributes.js'
import type { HistoryEngineDeps } from './history-engine.js'

export const COMMIT_SPAN = 'history.commit'

export function traceCommits(tracer: Tracer): NonNullable<HistoryEngineDeps['traceCommit']> {
  return (runs, commit) =>
    tracer.startActiveSpan(COMMIT_SPAN, { kind: SpanKind.INTERNAL }, async (span) => {
      span.setAttribute('sundial.history.runs', runs.length)
      // One run is the usual case; a commit that also writes another run (a signal to an
      // external workflow) names the first, the one the call was about.
      const first = runs[0]
      if (first) {
        span.setAttribute(ATTR_WORKFLOW_ID, first.workflowId)
        span.setAttribute(ATTR_RUN_ID, first.runId)
      }
      try {
        await commit()
      } catch (e: unknown) {
        const message = e instanceof Error ? e.message : String(e)
        span.setStatus({ code: SpanStatusCode.ERROR, message })
        if (e instanceof Error) span.recordException(e)
        throw e
      } finally {
        span.end()
      }
    })
}
