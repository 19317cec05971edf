/**
 * Label and value pairs in a grid, each marked `data-field` with its label so that a test (or a
 * user's stylesheet) can find it; an empty value shows as a dash.
 */
import type { ComponentChildren } from 'preact'

export type FieldRow = [label: string, value: ComponentChildren]

export function Fields(props: { label: string; rows: FieldRow[]; compact?: boolean }) {
  return (
    <dl class={`summary${props.compact ? ' compact' : ''}`} aria-label={props.label}>
      {props.rows.map(([label, value]) => (
        <div key={label} class="field" data-field={label}>
          <dt>{label}</dt>
          <dd>{value === undefined || value === '' ? <span class="muted">—</span> : value}</dd>
        </div>
      ))}
    </dl>
  )
}
