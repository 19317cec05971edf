/** A Temporal Failure: message, kind, stack trace and its chain of causes. */
import type { Failure } from '../api/types.js'
import { PayloadsView } from './payloads.js'

/** The kind of failure, from whichever `...FailureInfo` member it carries. */
export function failureKind(f: Failure): string {
  if (f.applicationFailureInfo) return f.applicationFailureInfo.type || 'ApplicationFailure'
  if (f.timeoutFailureInfo) return `Timeout ${f.timeoutFailureInfo.timeoutType ?? ''}`.trim()
  if (f.activityFailureInfo) return 'ActivityFailure'
  if (f.childWorkflowExecutionFailureInfo) return 'ChildWorkflowFailure'
  const info = Object.keys(f).find((k) => k.endsWith('FailureInfo'))
  return info ? info.charAt(0).toUpperCase() + info.slice(1, -'Info'.length) : 'Failure'
}

export function FailureView({ failure }: { failure: Failure }) {
  const details = failure.applicationFailureInfo?.details
  return (
    <div class="failure">
      <div class="failure-head">
        <span class="failure-kind">{failureKind(failure)}</span>
        {failure.applicationFailureInfo?.nonRetryable && <span class="tag">non-retryable</span>}
        <span class="failure-message">{failure.message ?? ''}</span>
      </div>
      {details !== undefined && (
        <div class="failure-details">
          <PayloadsView payloads={details} />
        </div>
      )}
      {failure.stackTrace && (
        <details class="stack">
          <summary>Stack trace</summary>
          <pre>{failure.stackTrace}</pre>
        </details>
      )}
      {failure.cause && (
        <div class="failure-cause">
          <span class="muted">caused by</span>
          <FailureView failure={failure.cause} />
        </div>
      )}
    </div>
  )
}
