/**
 * A new schedule that starts a workflow on an interval or a cron spec. The form checks only what
 * the server cannot see (the JSON of the input, the interval's syntax); everything else is the
 * server's to judge, and its answer ("Invalid schedule spec: ...") shows above the button.
 */
import { useState } from 'preact/hooks'
import { createSchedule } from '../api/schedule-service.js'
import type { Schedule } from '../api/types.js'
import { parseArgs } from '../components/dialog.js'
import { ErrorBox } from '../components/error-box.js'
import { OverlapSelect } from '../components/overlap-select.js'
import { jsonPayloads } from '../format/payload.js'
import { parseDurationInput } from '../format/schedule-spec.js'
import { navigate, paths } from '../router.js'

interface Draft {
  scheduleId: string
  workflowType: string
  taskQueue: string
  workflowId: string
  input: string
  specKind: 'interval' | 'cron'
  interval: string
  cron: string
  overlapPolicy: string
  paused: boolean
  notes: string
}

type TextKey = {
  [K in keyof Draft]: Draft[K] extends string ? (string extends Draft[K] ? K : never) : never
}[keyof Draft]

const EMPTY: Draft = {
  scheduleId: '',
  workflowType: '',
  taskQueue: '',
  workflowId: '',
  input: '',
  specKind: 'interval',
  interval: '1h',
  cron: '',
  overlapPolicy: 'SCHEDULE_OVERLAP_POLICY_SKIP',
  paused: false,
  notes: '',
}

/** The schedule the draft describes; throws on what the form itself can tell is wrong. */
function toSchedule(d: Draft): Schedule {
  let spec: Schedule['spec']
  if (d.specKind === 'interval') {
    const interval = parseDurationInput(d.interval)
    if (!interval) throw new Error('The interval must look like 30s, 15m, 1h30m or 2d.')
    spec = { interval: [{ interval }] }
  } else {
    spec = { cronString: [d.cron.trim()] }
  }
  const args = parseArgs(d.input)
  return {
    spec,
    action: {
      startWorkflow: {
        workflowId: d.workflowId.trim() || d.scheduleId.trim(),
        workflowType: { name: d.workflowType.trim() },
        taskQueue: { name: d.taskQueue.trim() },
        input: args.length > 0 ? jsonPayloads(args) : undefined,
      },
    },
    policies: { overlapPolicy: d.overlapPolicy },
    state: d.paused ? { paused: true, notes: d.notes.trim() } : undefined,
  }
}

export function CreateSchedulePage({ namespace }: { namespace: string }) {
  const [draft, setDraft] = useState(EMPTY)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<Error | undefined>()
  const set =
    <K extends keyof Draft>(k: K) =>
    (v: Draft[K]) =>
      setDraft((d) => ({ ...d, [k]: v }))
  /** The handler of a text field: `k` takes the field's value as typed. */
  const text = (k: TextKey) => (e: Event) =>
    set(k)((e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value)

  const submit = async () => {
    setBusy(true)
    setError(undefined)
    try {
      const id = draft.scheduleId.trim()
      await createSchedule(namespace, id, toSchedule(draft))
      navigate(paths.schedule(namespace, id))
    } catch (e: unknown) {
      setError(e instanceof Error ? e : new Error(String(e)))
      setBusy(false)
    }
  }

  return (
    <section class="create-schedule">
      <div class="crumbs">
        <a href={paths.schedules(namespace)}>Schedules</a> / {namespace}
      </div>
      <h1>Create schedule</h1>
      <form
        class="card form"
        aria-label="New schedule"
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <label>
          Schedule ID
          <input value={draft.scheduleId} onInput={text('scheduleId')} required />
        </label>
        <div class="form-row">
          <label>
            Workflow type
            <input value={draft.workflowType} onInput={text('workflowType')} required />
          </label>
          <label>
            Task queue
            <input value={draft.taskQueue} onInput={text('taskQueue')} required />
          </label>
        </div>
        <label>
          Workflow ID
          <input
            value={draft.workflowId}
            placeholder={draft.scheduleId.trim() || 'the schedule ID'}
            onInput={text('workflowId')}
          />
          <span class="hint">Each run's ID is this followed by the time it was scheduled for.</span>
        </label>
        <label>
          Input (JSON, optional)
          <textarea rows={3} value={draft.input} onInput={text('input')} />
        </label>
        <fieldset>
          <legend>Runs</legend>
          <div class="form-row">
            <label>
              Spec
              <select
                aria-label="Spec kind"
                value={draft.specKind}
                onChange={(e) => set('specKind')(e.currentTarget.value as Draft['specKind'])}
              >
                <option value="interval">Every interval</option>
                <option value="cron">Cron expression</option>
              </select>
            </label>
            {draft.specKind === 'interval' ? (
              <label>
                Interval
                <input
                  value={draft.interval}
                  placeholder="1h"
                  onInput={text('interval')}
                  required
                />
              </label>
            ) : (
              <label>
                Cron expression
                <input
                  class="mono"
                  value={draft.cron}
                  placeholder="0 12 * * MON-FRI"
                  onInput={text('cron')}
                  required
                />
              </label>
            )}
          </div>
          <label>
            If a run is still open
            <OverlapSelect value={draft.overlapPolicy} onChange={set('overlapPolicy')} />
          </label>
        </fieldset>
        <label class="checkbox">
          <input
            type="checkbox"
            checked={draft.paused}
            onChange={(e) => set('paused')(e.currentTarget.checked)}
          />
          Start paused
        </label>
        {draft.paused && (
          <label>
            Notes
            <input value={draft.notes} onInput={text('notes')} />
          </label>
        )}
        {error && <ErrorBox error={error} />}
        <div class="dialog-buttons">
          <a class="button" href={paths.schedules(namespace)}>
            Cancel
          </a>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create schedule'}
          </button>
        </div>
      </form>
    </section>
  )
}
