/**
 * The row a table shows in place of its rows: "Loading…" before the first answer, `empty` when
 * the answer lists nothing, and no row at all once there are rows.
 */
export function PlaceholderRow(props: {
  columns: number
  rows: readonly unknown[] | undefined
  loading: boolean
  empty: string
}) {
  if (props.rows !== undefined && props.rows.length > 0) return null
  return (
    <tr>
      <td colSpan={props.columns} class="muted">
        {props.rows === undefined ? (props.loading ? 'Loading…' : '') : props.empty}
      </td>
    </tr>
  )
}
