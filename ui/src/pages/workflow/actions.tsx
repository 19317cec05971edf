/**
 * What a user can do to a run — signal, update, cancel, terminate, reset — each through a dialog
 * that names the run and sends nothing until confirmed.
 */
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import type { Failure, HistoryEvent, PayloadsJson, WorkflowExecution } from '../../api/types.js'
import {
  cancelWorkflow,
  resetWorkflow,
  signalWorkflow,
  terminateWorkflow,
  updateWorkflow,
} from '../../api/workflow-service.js'
import { Dialog, parseArgs } from '../../components/dialog.js'
import { FailureView } from '../../components/failure-view.js'
import { PayloadsView } from '../../components/payloads.js'
import { formatTime } from '../../format/time.js'
import { navigate, paths } from '../../router.js'

type Action = 'signal' | 'update' | 'cancel' | 'terminate' | 'reset'

/** What the last action answered, shown under the buttons. */
type Outcome =
  | { kind: 'done'; text: string }
  | { kind: 'update'; name: string; success?: PayloadsJson; failure?: Failure }

export function Actions(props: {
  namespace: string
  execution: Required<WorkflowExecution>
  running: boolean
  /** The loaded history, for the reset points. */
  history?: HistoryEvent[]
  /** Called after an action succeeded, to show its effect. */
  onDone: () => Promise<void>
}) {
  const [open, setOpen] = useState<Action | undefined>()
  const [outcome, setOutcome] = useState<Outcome | undefined>()
  const { namespace, execution } = props
  const close = () => setOpen(undefined)
  const done = async (o: Outcome) => {
    setOutcome(o)
    await props.onDone()
  }
  const button = (action: Action, label: string, enabled: boolean, danger = false) => (
    <button
      class={danger ? 'danger' : ''}
      disabled={!enabled}
      onClick={() => {
        setOutcome(undefined)
        setOpen(action)
      }}
    >
      {label}
    </button>
  )
  return (
    <div class="actions">
      <div class="action-buttons" role="group" aria-label="Actions">
        {button('signal', 'Signal', props.running)}
        {button('update', 'Update', props.running)}
        {button('cancel', 'Cancel', props.running)}
        {button('terminate', 'Terminate', props.running, true)}
        {button('reset', 'Reset', resetPoints(props.history).length > 0, true)}
      </div>
      {outcome && <OutcomeView outcome={outcome} />}
      {open === 'signal' && (
        <NameAndArgs
          title="Signal workflow"
          what="Signal name"
          confirmLabel="Send signal"
          execution={execution}
          onClose={close}
          onConfirm={async (name, args) => {
            await signalWorkflow(namespace, execution, name, args)
            await done({ kind: 'done', text: `Signal "${name}" sent.` })
          }}
        />
      )}
      {open === 'update' && (
        <NameAndArgs
          title="Update workflow"
          what="Update name"
          confirmLabel="Send update"
          execution={execution}
          onClose={close}
          onConfirm={async (name, args) => {
            const res = await updateWorkflow(namespace, execution, name, args)
            await done({ kind: 'update', name, ...res.outcome })
          }}
        />
      )}
      {open === 'cancel' && (
        <Reasoned
          title="Cancel workflow"
          confirmLabel="Request cancellation"
          execution={execution}
          onClose={close}
          onConfirm={async (reason) => {
            await cancelWorkflow(namespace, execution, reason)
            await done({ kind: 'done', text: 'Cancellation requested.' })
          }}
        />
      )}
      {open === 'terminate' && (
        <Reasoned
          title="Terminate workflow"
          confirmLabel="Terminate"
          danger
          execution={execution}
          onClose={close}
          onConfirm={async (reason) => {
            await terminateWorkflow(namespace, execution, reason)
            await done({ kind: 'done', text: 'Workflow terminated.' })
          }}
        />
      )}
      {open === 'reset' && (
        <Reasoned
          title="Reset workflow"
          confirmLabel="Reset"
          danger
          execution={execution}
          onClose={close}
          extra={(value, set) => (
            <label>
              Reset to the end of workflow task
              <select
                aria-label="Reset point"
                value={value}
                onChange={(e) => set(e.currentTarget.value)}
              >
                {resetPoints(props.history).map((e) => (
                  <option key={e.eventId} value={e.eventId}>
                    #{e.eventId} completed {formatTime(e.eventTime)}
                  </option>
                ))}
              </select>
            </label>
          )}
          initialExtra={resetPoints(props.history).at(-1)?.eventId ?? ''}
          onConfirm={async (reason, eventId) => {
            const res = await resetWorkflow(namespace, execution, eventId ?? '', reason)
            if (res.runId) navigate(paths.workflow(namespace, execution.workflowId, res.runId))
            else await done({ kind: 'done', text: 'Workflow reset.' })
          }}
        />
      )}
    </div>
  )
}

/** The events a run can be reset to: the ends of its completed workflow tasks. */
function resetPoints(history: HistoryEvent[] | undefined): HistoryEvent[] {
  return (history ?? []).filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED')
}

function OutcomeView({ outcome }: { outcome: Outcome }) {
  if (outcome.kind === 'done') {
    return (
      <div class="notice" role="status">
        {outcome.text}
      </div>
    )
  }
  return (
    <div class="notice" role="status" aria-label="Update outcome">
      {outcome.failure ? (
        <>
          Update "{outcome.name}" failed:
          <FailureView failure={outcome.failure} />
        </>
      ) : (
        <>
          Update "{outcome.name}" returned:
          <PayloadsView payloads={outcome.success} empty="no value" />
        </>
      )}
    </div>
  )
}

function RunLine({ execution }: { execution: Required<WorkflowExecution> }) {
  return (
    <p class="muted">
      Workflow <span class="mono">{execution.workflowId}</span>, run{' '}
      <span class="mono">{execution.runId}</span>
    </p>
  )
}

/** A dialog asking for a name and a JSON argument (signals and updates). */
function NameAndArgs(props: {
  title: string
  what: string
  confirmLabel: string
  execution: Required<WorkflowExecution>
  onClose: () => void
  onConfirm: (name: string, args: unknown[]) => Promise<void>
}) {
  const [name, setName] = useState('')
  const [input, setInput] = useState('')
  return (
    <Dialog
      title={props.title}
      confirmLabel={props.confirmLabel}
      onClose={props.onClose}
      onConfirm={async () => {
        if (!name.trim()) throw new Error(`${props.what} is required.`)
        await props.onConfirm(name.trim(), parseArgs(input))
      }}
    >
      <RunLine execution={props.execution} />
      <label>
        {props.what}
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} required />
      </label>
      <label>
        Argument (JSON, optional)
        <textarea rows={4} value={input} onInput={(e) => setInput(e.currentTarget.value)} />
      </label>
    </Dialog>
  )
}

/** A dialog asking for a reason (cancel, terminate, reset), with an optional extra field. */
function Reasoned(props: {
  title: string
  confirmLabel: string
  danger?: boolean
  execution: Required<WorkflowExecution>
  extra?: (value: string, set: (v: string) => void) => ComponentChildren
  initialExtra?: string
  onClose: () => void
  onConfirm: (reason: string, extra?: string) => Promise<void>
}) {
  const [reason, setReason] = useState('')
  const [extra, setExtra] = useState(props.initialExtra ?? '')
  return (
    <Dialog
      title={props.title}
      confirmLabel={props.confirmLabel}
      danger={props.danger}
      onClose={props.onClose}
      onConfirm={() => props.onConfirm(reason.trim(), extra)}
    >
      <RunLine execution={props.execution} />
      {props.extra?.(extra, setExtra)}
      <label>
        Reason
        <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
    </Dialog>
  )
}
