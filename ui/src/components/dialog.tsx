/**
 * A confirmation dialog for an action that changes a workflow: nothing is sent until Confirm is
 * pressed, and a failure stays in the dialog so that the user can correct the input and retry.
 */
import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { ErrorBox } from './error-box.js'

export interface DialogProps {
  title: string
  children?: ComponentChildren
  confirmLabel: string
  /** Styles the confirm button as destructive (terminate, reset). */
  danger?: boolean
  /** Keeps Confirm disabled (while what it needs is still loading, say). */
  confirmDisabled?: boolean
  /** Runs on Confirm; throwing keeps the dialog open with the error shown. */
  onConfirm: () => Promise<void>
  onClose: () => void
}

export function Dialog(props: DialogProps) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<Error | undefined>()
  const ref = useRef<HTMLDivElement>(null)
  // Keyboard use: the first field takes the focus, and Escape backs out (unless a call is on).
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('input, select, textarea, button')?.focus()
  }, [])
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !busy) props.onClose()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [busy, props.onClose])
  const confirm = async () => {
    if (props.confirmDisabled) return
    setBusy(true)
    setError(undefined)
    try {
      await props.onConfirm()
      props.onClose()
    } catch (e: unknown) {
      setError(e instanceof Error ? e : new Error(String(e)))
      setBusy(false)
    }
  }
  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-label={props.title} ref={ref}>
        <h2>{props.title}</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault()
            void confirm()
          }}
        >
          {props.children}
          {error && <ErrorBox error={error} />}
          <div class="dialog-buttons">
            <button type="button" onClick={props.onClose} disabled={busy}>
              Cancel
            </button>
            <button
              type="submit"
              class={props.danger ? 'danger' : 'primary'}
              disabled={busy || props.confirmDisabled}
            >
              {busy ? 'Working…' : props.confirmLabel}
            </button>
          </div>
        </form>
      </div>
    </div>
  )
}

/** Arguments typed as one JSON value: that value is the single argument; empty text is none. */
export function parseArgs(text: string): unknown[] {
  const t = text.trim()
  if (t === '') return []
  let value: unknown
  try {
    value = JSON.parse(t)
  } catch (e: unknown) {
    throw new Error(`the input is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    })
  }
  return [value]
}
