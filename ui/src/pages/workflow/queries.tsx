/** Runs a query against the run and shows its answer (or why it failed) below the form. */
import { useState } from 'preact/hooks'
import type { QueryWorkflowResponse, WorkflowExecution } from '../../api/types.js'
import { queryWorkflow } from '../../api/workflow-service.js'
import { parseArgs } from '../../components/dialog.js'
import { ErrorBox } from '../../components/error-box.js'
import { PayloadsView } from '../../components/payloads.js'
import { enumWord } from '../../format/enums.js'

export function Queries(props: { namespace: string; execution: WorkflowExecution }) {
  const [queryType, setQueryType] = useState('')
  const [input, setInput] = useState('')
  const [busy, setBusy] = useState(false)
  const [answer, setAnswer] = useState<
    { result: QueryWorkflowResponse } | { error: Error } | undefined
  >()
  const run = async () => {
    setBusy(true)
    try {
      const args = parseArgs(input)
      setAnswer({ result: await queryWorkflow(props.namespace, props.execution, queryType, args) })
    } catch (e: unknown) {
      setAnswer({ error: e instanceof Error ? e : new Error(String(e)) })
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="queries">
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault()
          void run()
        }}
      >
        <label>
          Query type
          <input
            value={queryType}
            onInput={(e) => setQueryType(e.currentTarget.value)}
            required
            placeholder="e.g. getStatus"
          />
        </label>
        <label>
          Argument (JSON, optional)
          <input value={input} onInput={(e) => setInput(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary" disabled={busy || !queryType.trim()}>
          Run query
        </button>
      </form>
      {answer && 'error' in answer && <ErrorBox error={answer.error} />}
      {answer && 'result' in answer && (
        <section aria-label="Query result">
          {answer.result.queryRejected ? (
            <p class="error">
              Rejected: the workflow is{' '}
              {enumWord(answer.result.queryRejected.status, 'WORKFLOW_EXECUTION_STATUS_')}
            </p>
          ) : (
            <PayloadsView payloads={answer.result.queryResult} empty="no value" />
          )}
        </section>
      )}
    </div>
  )
}
