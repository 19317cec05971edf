/**
 * One batch job: its progress bar (done and failed out of the total), what it does and to which
 * workflows, and Stop while it runs. The page describes the job every second while it is
 * running, and stops polling once it has closed.
 */
import { useEffect, useState } from 'preact/hooks'
import { describeBatchOperation, stopBatchOperation } from '../api/batch-service.js'
import { BatchProgress } from '../components/batch-progress.js'
import { Dialog } from '../components/dialog.js'
import { ErrorBox } from '../components/error-box.js'
import { Fields, type FieldRow } from '../components/fields.js'
import { JsonBlock } from '../components/json-block.js'
import { Badge } from '../components/status-badge.js'
import { batchStateWord, batchTypeWord } from '../format/enums.js'
import { between, formatTime } from '../format/time.js'
import { paths } from '../router.js'
import { useLoad } from '../use-load.js'

const LIVE_REFRESH_MS = 1000
const RUNNING = 'BATCH_OPERATION_STATE_RUNNING'

export function BatchJobPage({ namespace, jobId }: { namespace: string; jobId: string }) {
  const [live, setLive] = useState(true)
  const describe = useLoad((signal) => describeBatchOperation(namespace, jobId, signal), [], {
    refreshMs: live ? LIVE_REFRESH_MS : undefined,
  })
  const job = describe.data
  const running = job?.state === RUNNING
  useEffect(() => setLive(job === undefined || running), [job === undefined, running])
  const [stopping, setStopping] = useState(false)
  const [notice, setNotice] = useState<string | undefined>()

  const rows: FieldRow[] = job
    ? [
        ['Type', batchTypeWord(job.operationType)],
        ['State', <Badge word={batchStateWord(job.state) || 'Unknown'} />],
        ['Reason', job.reason],
        ['Identity', job.identity],
        ['Start', formatTime(job.startTime)],
        ['Close', formatTime(job.closeTime)],
        ['Duration', job.closeTime ? between(job.startTime, job.closeTime) : ''],
        ['Query', job.query && <span class="mono">{job.query}</span>],
      ]
    : []
  const executions = job?.executions ?? []
  return (
    <section class="batch-job">
      <div class="workflow-head">
        <div>
          <div class="crumbs">
            <a href={paths.batchJobs(namespace)}>Batch jobs</a> / {namespace}
          </div>
          <h1 class="workflow-id">{jobId}</h1>
        </div>
        {job && <Badge word={batchStateWord(job.state) || 'Unknown'} />}
        {job && (
          <div class="actions">
            <div class="action-buttons" role="group" aria-label="Actions">
              <button
                class="danger"
                disabled={!running}
                onClick={() => {
                  setNotice(undefined)
                  setStopping(true)
                }}
              >
                Stop
              </button>
            </div>
            {notice && (
              <div class="notice" role="status">
                {notice}
              </div>
            )}
          </div>
        )}
      </div>
      {describe.error && <ErrorBox error={describe.error} />}
      {job && (
        <>
          <section class="card" aria-label="Progress">
            <h2>Progress</h2>
            <BatchProgress job={job} />
          </section>
          <Fields label="Summary" rows={rows} />
          {executions.length > 0 && (
            <section class="card" aria-label="Workflows">
              <h2>Workflows</h2>
              <ul class="plain">
                {executions.map((e) => (
                  <li key={`${e.workflowId ?? ''}/${e.runId ?? ''}`}>
                    <a href={paths.workflow(namespace, e.workflowId ?? '', e.runId || undefined)}>
                      {e.workflowId}
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <details class="raw-json">
            <summary>JSON</summary>
            <JsonBlock value={job} label="Batch job JSON" />
          </details>
        </>
      )}
      {stopping && (
        <StopDialog
          jobId={jobId}
          onClose={() => setStopping(false)}
          onConfirm={async (reason) => {
            await stopBatchOperation(namespace, jobId, reason)
            setNotice('Stop requested.')
            setLive(true)
            await describe.reload()
          }}
        />
      )}
    </section>
  )
}

function StopDialog(props: {
  jobId: string
  onClose: () => void
  onConfirm: (reason: string) => Promise<void>
}) {
  const [reason, setReason] = useState('')
  return (
    <Dialog
      title="Stop batch job"
      confirmLabel="Stop"
      danger
      onClose={props.onClose}
      onConfirm={() => {
        if (!reason.trim()) throw new Error('A reason is required.')
        return props.onConfirm(reason.trim())
      }}
    >
      <p class="muted">
        Job <span class="mono">{props.jobId}</span>: workflows it has reached stay as they are.
      </p>
      <label>
        Reason
        <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} required />
      </label>
    </Dialog>
  )
}
