/** A batch job's progress: a bar of done (and failed) out of the total, and the figures. */
import type { DescribeBatchOperationResponse } from '../api/types.js'

export function BatchProgress({ job }: { job: DescribeBatchOperationResponse }) {
  const total = Number(job.totalOperationCount ?? 0)
  const complete = Number(job.completeOperationCount ?? 0)
  const failed = Number(job.failureOperationCount ?? 0)
  const done = complete + failed
  const pct = (n: number) => (total > 0 ? `${Math.min(100, (n / total) * 100)}%` : '0%')
  return (
    <div class="batch-progress">
      <div
        class="progress-bar"
        role="progressbar"
        aria-label="Progress"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
      >
        <span class="progress-done" style={{ width: pct(complete) }} />
        <span class="progress-failed" style={{ width: pct(failed) }} />
      </div>
      <span class="progress-text" aria-label="Progress figures">
        {complete.toLocaleString('en-US')}/{total.toLocaleString('en-US')}
        {failed > 0 && <span class="failed-count"> ({failed.toLocaleString('en-US')} failed)</span>}
      </span>
    </div>
  )
}
