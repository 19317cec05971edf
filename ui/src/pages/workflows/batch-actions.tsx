/**
 * Batch actions from the workflows list: choose running rows, or every running workflow the
 * query matches, then terminate, cancel or signal them in one batch job. The dialog says how
 * many workflows that is (the rows chosen, or CountWorkflowExecutions of the query) before
 * anything is sent, and a started job opens on its own page.
 */
import { useState } from 'preact/hooks'
import { randomId } from '../../api/client.js'
import { startBatchOperation, type BatchOperation } from '../../api/batch-service.js'
import type { WorkflowExecution } from '../../api/types.js'
import { countWorkflows } from '../../api/workflow-service.js'
import { Dialog, parseArgs } from '../../components/dialog.js'
import type { RowSelection } from '../../components/workflow-table.js'
import { jsonPayloads } from '../../format/payload.js'
import { navigate, paths } from '../../router.js'
import { useLoad } from '../../use-load.js'

type Kind = BatchOperation['kind']

const key = (e: WorkflowExecution) => `${e.workflowId ?? ''}/${e.runId ?? ''}`

export interface BatchSelection extends RowSelection {
  /** The chosen rows, when rows are chosen rather than the whole query. */
  executions: WorkflowExecution[]
  setWholeQuery(on: boolean): void
  clear(): void
}

/** The rows chosen for `scope` (the query and page); another scope starts with none. */
export function useBatchSelection(scope: string): BatchSelection {
  const empty = { scope, wholeQuery: false, chosen: new Map<string, WorkflowExecution>() }
  const [state, setState] = useState(empty)
  const current = state.scope === scope ? state : empty
  return {
    wholeQuery: current.wholeQuery,
    executions: [...current.chosen.values()],
    isSelected: (e) => current.chosen.has(key(e)),
    set(executions, on) {
      const chosen = new Map(current.chosen)
      for (const e of executions) {
        if (on) chosen.set(key(e), { workflowId: e.workflowId, runId: e.runId })
        else chosen.delete(key(e))
      }
      setState({ ...current, chosen })
    },
    setWholeQuery: (on) => setState({ scope, wholeQuery: on, chosen: new Map() }),
    clear: () => setState(empty),
  }
}

const VERBS: Record<Kind, { title: string; verb: string; label: string }> = {
  terminate: { title: 'Terminate workflows', verb: 'terminates', label: 'Terminate' },
  cancel: { title: 'Cancel workflows', verb: 'requests cancellation of', label: 'Cancel' },
  signal: { title: 'Signal workflows', verb: 'signals', label: 'Signal' },
}

const plural = (n: number) => `${n.toLocaleString('en-US')} workflow${n === 1 ? '' : 's'}`

/** The bar above the table: what is chosen, and the three actions. */
export function BatchBar(props: {
  namespace: string
  selection: BatchSelection
  /** The visibility query a whole-query job acts on. */
  query: string
}) {
  const { selection } = props
  const [open, setOpen] = useState<Kind | undefined>()
  const chosen = selection.executions.length
  const any = selection.wholeQuery || chosen > 0
  const button = (kind: Kind, danger = false) => (
    <button class={danger ? 'danger' : ''} disabled={!any} onClick={() => setOpen(kind)}>
      {VERBS[kind].label}
    </button>
  )
  // The dialog stays outside the group, so that its buttons are not taken for the bar's.
  return (
    <>
      <div class="batch-bar" role="group" aria-label="Batch actions">
        <span class="batch-scope" role="status">
          {selection.wholeQuery
            ? 'All running workflows matching the query'
            : chosen > 0
              ? `${plural(chosen)} selected`
              : 'Select running workflows to act on several at once'}
        </span>
        <button
          aria-pressed={selection.wholeQuery}
          onClick={() => selection.setWholeQuery(!selection.wholeQuery)}
        >
          All matching the query
        </button>
        {any && <button onClick={() => selection.clear()}>Clear</button>}
        <span class="spacer" />
        {button('signal')}
        {button('cancel')}
        {button('terminate', true)}
        <a href={paths.batchJobs(props.namespace)}>Batch jobs</a>
      </div>
      {open && (
        <BatchDialog
          kind={open}
          namespace={props.namespace}
          executions={selection.wholeQuery ? undefined : selection.executions}
          query={props.query}
          onClose={() => setOpen(undefined)}
        />
      )}
    </>
  )
}

/** The confirmation: how many workflows, the reason (and signal), then StartBatchOperation. */
function BatchDialog(props: {
  kind: Kind
  namespace: string
  /** The chosen rows; undefined for the whole query. */
  executions?: WorkflowExecution[]
  query: string
  onClose: () => void
}) {
  const { kind, namespace, executions, query } = props
  const [reason, setReason] = useState('')
  const [signal, setSignal] = useState('')
  const [input, setInput] = useState('')
  const [rate, setRate] = useState('')
  const counted = useLoad(
    (s) => (executions ? Promise.resolve(undefined) : countWorkflows(namespace, query, s)),
    [],
  )
  const count = executions ? executions.length : counted.data && Number(counted.data.count ?? 0)
  const { title, verb, label } = VERBS[kind]
  return (
    <Dialog
      title={title}
      confirmLabel={count === undefined ? label : `${label} ${plural(count)}`}
      danger={kind === 'terminate'}
      confirmDisabled={!count}
      onClose={props.onClose}
      onConfirm={async () => {
        if (!reason.trim()) throw new Error('A reason is required.')
        if (kind === 'signal' && !signal.trim()) throw new Error('Signal name is required.')
        const perSecond = rate.trim() === '' ? undefined : Number(rate)
        if (perSecond !== undefined && !(perSecond > 0)) {
          throw new Error('Operations per second must be a positive number.')
        }
        const operation: BatchOperation =
          kind === 'signal'
            ? { kind, signal: signal.trim(), input: jsonPayloads(parseArgs(input)) }
            : { kind }
        const jobId = randomId()
        await startBatchOperation(namespace, {
          jobId,
          reason: reason.trim(),
          target: executions ? { executions } : { visibilityQuery: query },
          operation,
          maxOperationsPerSecond: perSecond,
        })
        navigate(paths.batchJob(namespace, jobId))
      }}
    >
      <p class="batch-count">
        This {verb} <strong>{count === undefined ? '…' : plural(count)}</strong>
        {executions ? ', the ones selected.' : ': every running workflow matching'}
      </p>
      {!executions && <pre class="json">{query}</pre>}
      {counted.error && <p class="error">Count error: {counted.error.message}</p>}
      {kind === 'signal' && (
        <>
          <label>
            Signal name
            <input value={signal} onInput={(e) => setSignal(e.currentTarget.value)} required />
          </label>
          <label>
            Argument (JSON, optional)
            <textarea rows={3} value={input} onInput={(e) => setInput(e.currentTarget.value)} />
          </label>
        </>
      )}
      <label>
        Reason
        <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} required />
      </label>
      <label>
        Operations per second (optional)
        <input
          type="number"
          min="0"
          step="any"
          value={rate}
          placeholder="the server's default"
          onInput={(e) => setRate(e.currentTarget.value)}
        />
      </label>
    </Dialog>
  )
}
