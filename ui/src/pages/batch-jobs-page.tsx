/**
 * The batch jobs of a namespace, newest first as the server lists them (ListBatchOperations). The
 * list has no counts, so each row describes its job for the progress column, and running rows
 * keep doing so until their job closes.
 */
import type { BatchOperationInfo } from '../api/types.js'
import { describeBatchOperation, listBatchOperations } from '../api/batch-service.js'
import { BatchProgress } from '../components/batch-progress.js'
import { ErrorBox } from '../components/error-box.js'
import { Pager } from '../components/pager.js'
import { PlaceholderRow } from '../components/placeholder-row.js'
import { Badge } from '../components/status-badge.js'
import { batchStateWord, batchTypeWord } from '../format/enums.js'
import { formatTime } from '../format/time.js'
import { paths } from '../router.js'
import { useLoad } from '../use-load.js'
import { usePageTokens } from '../use-page-tokens.js'

const PAGE_SIZE = 20
const REFRESH_MS = 3000
const RUNNING = 'BATCH_OPERATION_STATE_RUNNING'

export function BatchJobsPage({ namespace }: { namespace: string }) {
  const paging = usePageTokens('')
  const list = useLoad(
    (signal) =>
      listBatchOperations(namespace, { pageSize: PAGE_SIZE, nextPageToken: paging.token }, signal),
    [namespace, paging.token],
    { refreshMs: REFRESH_MS },
  )
  const jobs = list.data && (list.data.operationInfo ?? [])
  return (
    <section class="batch-jobs">
      <h1>
        Batch jobs <span class="muted">in {namespace}</span>
      </h1>
      <p class="muted">
        Start one from the <a href={paths.workflows(namespace)}>workflows list</a>: choose
        workflows, then terminate, cancel or signal them.
      </p>
      {list.error && <ErrorBox error={list.error} />}
      <table class="grid" aria-label="Batch jobs" aria-busy={list.loading}>
        <thead>
          <tr>
            <th>Job ID</th>
            <th>Type</th>
            <th>State</th>
            <th>Start</th>
            <th>Close</th>
            <th>Progress</th>
          </tr>
        </thead>
        <tbody>
          {jobs?.map((j) => (
            <JobRow key={j.jobId} namespace={namespace} job={j} />
          ))}
          <PlaceholderRow
            columns={6}
            rows={jobs}
            loading={list.loading}
            empty="No batch jobs yet."
          />
        </tbody>
      </table>
      <Pager paging={paging} nextPageToken={list.data?.nextPageToken} />
    </section>
  )
}

function JobRow({ namespace, job }: { namespace: string; job: BatchOperationInfo }) {
  const jobId = job.jobId ?? ''
  const running = job.state === RUNNING
  const described = useLoad(
    (signal) => describeBatchOperation(namespace, jobId, signal),
    [namespace, jobId, job.state],
    { refreshMs: running ? REFRESH_MS : undefined, keepOnChange: true },
  )
  return (
    <tr>
      <td class="mono-link">
        <a href={paths.batchJob(namespace, jobId)}>{jobId}</a>
      </td>
      <td>{batchTypeWord(job.operationType ?? described.data?.operationType)}</td>
      <td>
        <Badge word={batchStateWord(job.state) || 'Unknown'} />
      </td>
      <td>{formatTime(job.startTime)}</td>
      <td>{formatTime(job.closeTime)}</td>
      <td>
        {described.data ? <BatchProgress job={described.data} /> : <span class="muted">…</span>}
      </td>
    </tr>
  )
}
