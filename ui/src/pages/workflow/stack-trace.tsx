/**
 * The run's call stack: the `__stack_trace` query, which the TypeScript SDK (and others) answer
 * with where each coroutine of the workflow is waiting. Asked for on opening the tab and on
 * request, not polled: each query costs a workflow task on the worker.
 */
import type { WorkflowExecution } from '../../api/types.js'
import { queryWorkflow } from '../../api/workflow-service.js'
import { ErrorBox } from '../../components/error-box.js'
import { payloadList } from '../../format/payload.js'
import { useLoad } from '../../use-load.js'

export function StackTrace(props: {
  namespace: string
  execution: WorkflowExecution
  running: boolean
}) {
  const trace = useLoad(
    () =>
      props.running
        ? queryWorkflow(props.namespace, props.execution, '__stack_trace', [])
        : Promise.resolve(undefined),
    [props.running],
  )
  if (!props.running) return <p class="muted">A closed workflow has no call stack.</p>
  const text = payloadList(trace.data?.queryResult)
    .map((v) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2)))
    .join('\n')
  return (
    <div class="stack-trace">
      <div class="toolbar">
        <button onClick={() => void trace.reload()} disabled={trace.loading}>
          Refresh
        </button>
      </div>
      {trace.error && <ErrorBox error={trace.error} />}
      {trace.loading && !trace.data && <p class="muted">Asking the worker…</p>}
      {trace.data && (
        <pre class="stack" aria-label="Call stack">
          {text || '(empty)'}
        </pre>
      )}
    </div>
  )
}
