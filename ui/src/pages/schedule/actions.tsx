/**
 * What a user can do to a schedule — pause or unpause it with a note, trigger it now, backfill a
 * range, delete it — each through a dialog that sends nothing until confirmed. Pause, unpause,
 * trigger and backfill are PatchSchedule calls.
 */
import { useState } from 'preact/hooks'
import type { SchedulePatch } from '../../api/types.js'
import {
  deleteSchedule,
  listScheduleMatchingTimes,
  patchSchedule,
} from '../../api/schedule-service.js'
import { Dialog } from '../../components/dialog.js'
import { OverlapSelect } from '../../components/overlap-select.js'
import { fromLocalInput, toLocalInput } from '../../format/time.js'
import { navigate, paths } from '../../router.js'
import { useLoad } from '../../use-load.js'

type Action = 'pause' | 'unpause' | 'trigger' | 'backfill' | 'delete'

export function ScheduleActions(props: {
  namespace: string
  scheduleId: string
  paused: boolean
  /** The schedule's own overlap policy, offered as the default. */
  overlapPolicy?: string
  /** Called after an action succeeded, to show its effect. */
  onDone: () => Promise<void>
}) {
  const { namespace, scheduleId } = props
  const [open, setOpen] = useState<Action | undefined>()
  const [notice, setNotice] = useState<string | undefined>()
  const close = () => setOpen(undefined)
  const patch = async (p: SchedulePatch, done: string) => {
    await patchSchedule(namespace, scheduleId, p)
    setNotice(done)
    await props.onDone()
  }
  const button = (action: Action, label: string, danger = false) => (
    <button
      class={danger ? 'danger' : ''}
      onClick={() => {
        setNotice(undefined)
        setOpen(action)
      }}
    >
      {label}
    </button>
  )
  return (
    <div class="actions">
      <div class="action-buttons" role="group" aria-label="Actions">
        {props.paused ? button('unpause', 'Unpause') : button('pause', 'Pause')}
        {button('trigger', 'Trigger now')}
        {button('backfill', 'Backfill')}
        {button('delete', 'Delete', true)}
      </div>
      {notice && (
        <div class="notice" role="status">
          {notice}
        </div>
      )}
      {(open === 'pause' || open === 'unpause') && (
        <NoteDialog
          pause={open === 'pause'}
          scheduleId={scheduleId}
          onClose={close}
          onConfirm={(note) =>
            open === 'pause'
              ? patch({ pause: note }, 'Schedule paused.')
              : patch({ unpause: note }, 'Schedule unpaused.')
          }
        />
      )}
      {open === 'trigger' && (
        <TriggerDialog
          scheduleId={scheduleId}
          overlapPolicy={props.overlapPolicy}
          onClose={close}
          onConfirm={(overlapPolicy) =>
            patch({ triggerImmediately: { overlapPolicy } }, 'Triggered: a run is starting.')
          }
        />
      )}
      {open === 'backfill' && (
        <BackfillDialog
          namespace={namespace}
          scheduleId={scheduleId}
          overlapPolicy={props.overlapPolicy}
          onClose={close}
          onConfirm={(req, n) =>
            patch({ backfillRequest: [req] }, `Backfill requested: ${runs(n)}.`)
          }
        />
      )}
      {open === 'delete' && (
        <Dialog
          title="Delete schedule"
          confirmLabel="Delete"
          danger
          onClose={close}
          onConfirm={async () => {
            await deleteSchedule(namespace, scheduleId)
            navigate(paths.schedules(namespace))
          }}
        >
          <p>
            Deletes schedule <span class="mono">{scheduleId}</span>. Workflows it started are left
            as they are.
          </p>
        </Dialog>
      )}
    </div>
  )
}

const runs = (n: number) => `${n.toLocaleString('en-US')} run${n === 1 ? '' : 's'}`

function ScheduleLine({ scheduleId }: { scheduleId: string }) {
  return (
    <p class="muted">
      Schedule <span class="mono">{scheduleId}</span>
    </p>
  )
}

/** Pause or unpause, with a note kept in the schedule's state (Temporal needs one to act). */
function NoteDialog(props: {
  pause: boolean
  scheduleId: string
  onClose: () => void
  onConfirm: (note: string) => Promise<void>
}) {
  const fallback = props.pause ? 'Paused from the Web UI' : 'Unpaused from the Web UI'
  const [note, setNote] = useState('')
  return (
    <Dialog
      title={props.pause ? 'Pause schedule' : 'Unpause schedule'}
      confirmLabel={props.pause ? 'Pause' : 'Unpause'}
      onClose={props.onClose}
      onConfirm={() => props.onConfirm(note.trim() || fallback)}
    >
      <ScheduleLine scheduleId={props.scheduleId} />
      <label>
        Note
        <input
          value={note}
          placeholder={fallback}
          onInput={(e) => setNote(e.currentTarget.value)}
        />
      </label>
    </Dialog>
  )
}

function TriggerDialog(props: {
  scheduleId: string
  overlapPolicy?: string
  onClose: () => void
  onConfirm: (overlapPolicy: string | undefined) => Promise<void>
}) {
  const [policy, setPolicy] = useState('')
  return (
    <Dialog
      title="Trigger schedule"
      confirmLabel="Trigger"
      onClose={props.onClose}
      onConfirm={() => props.onConfirm(policy || undefined)}
    >
      <ScheduleLine scheduleId={props.scheduleId} />
      <p>Starts the workflow now, once, whatever the spec says.</p>
      <label>
        If a run is still open
        <OverlapSelect value={policy} onChange={setPolicy} inherited={props.overlapPolicy ?? ''} />
      </label>
    </Dialog>
  )
}

/**
 * A backfill over a range, with the number of runs it makes (ListScheduleMatchingTimes over the
 * same range) shown before it is confirmed.
 */
function BackfillDialog(props: {
  namespace: string
  scheduleId: string
  overlapPolicy?: string
  onClose: () => void
  onConfirm: (
    req: { startTime: string; endTime: string; overlapPolicy?: string },
    runs: number,
  ) => Promise<void>
}) {
  const [start, setStart] = useState(() => toLocalInput(new Date(Date.now() - 3600_000)))
  const [end, setEnd] = useState(() => toLocalInput(new Date()))
  const [policy, setPolicy] = useState('')
  const startTime = fromLocalInput(start)
  const endTime = fromLocalInput(end)
  const valid = startTime !== undefined && endTime !== undefined && startTime < endTime
  const matching = useLoad(
    (signal) =>
      valid
        ? listScheduleMatchingTimes(props.namespace, props.scheduleId, startTime, endTime, signal)
        : Promise.resolve(undefined),
    [startTime, endTime],
  )
  const n = matching.data && (matching.data.startTime?.length ?? 0)
  return (
    <Dialog
      title="Backfill schedule"
      confirmLabel={n === undefined ? 'Backfill' : `Backfill ${runs(n)}`}
      confirmDisabled={!valid || !n}
      onClose={props.onClose}
      onConfirm={() =>
        props.onConfirm(
          { startTime: startTime!, endTime: endTime!, overlapPolicy: policy || undefined },
          n ?? 0,
        )
      }
    >
      <ScheduleLine scheduleId={props.scheduleId} />
      <label>
        Start (local time)
        <input
          type="datetime-local"
          value={start}
          onInput={(e) => setStart(e.currentTarget.value)}
        />
      </label>
      <label>
        End (local time)
        <input type="datetime-local" value={end} onInput={(e) => setEnd(e.currentTarget.value)} />
      </label>
      <label>
        If a run is still open
        <OverlapSelect value={policy} onChange={setPolicy} inherited={props.overlapPolicy ?? ''} />
      </label>
      <p class="backfill-count" role="status">
        {!valid
          ? 'The start must come before the end.'
          : matching.error
            ? `Cannot list the matching times: ${matching.error.message}`
            : n === undefined
              ? 'Counting the matching times…'
              : `The spec matches ${runs(n)} in this range.`}
      </p>
    </Dialog>
  )
}
