/**
 * Text output in the manner of Temporal's CLI: tables with a header row, cards of `Label  value`
 * lines, both indented by two spaces; times in RFC 3339 (UTC), durations as Go prints them.
 */
import { toNumber, type pb } from '../../common/proto.js'

const INDENT = '  '
const GAP = '  '

/** A table: a header row, then one row per entry, each column as wide as its widest cell. */
export function table(columns: string[], rows: string[][]): string[] {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)))
  return [columns, ...rows].map((cells) => rowOf(widths, cells))
}

/**
 * A row formatter with fixed widths, for tables printed while their rows arrive (`show
 * --follow`); the last column is never padded.
 */
export function fixedColumns(widths: number[]): (cells: string[]) => string {
  return (cells) => rowOf(widths, cells)
}

function rowOf(widths: number[], cells: string[]): string {
  const last = cells.length - 1
  return (
    INDENT + cells.map((cell, i) => (i === last ? cell : cell.padEnd(widths[i] ?? 0))).join(GAP)
  ).trimEnd()
}

/** A card: one `Label  value` line per field that has a value; later lines of a value align. */
export function card(fields: [label: string, value: string | undefined][]): string[] {
  const shown = fields.filter((f): f is [string, string] => f[1] !== undefined)
  const width = Math.max(0, ...shown.map(([label]) => label.length))
  return shown.flatMap(([label, value]) => {
    const [first = '', ...rest] = value.split('\n')
    const pad = ' '.repeat(INDENT.length + width + GAP.length)
    return [`${INDENT}${label.padEnd(width)}${GAP}${first}`.trimEnd(), ...rest.map((l) => pad + l)]
  })
}

/** Milliseconds since the epoch of a proto Timestamp; 0 when unset. */
export function timestampMs(ts: pb.Timestamp | null | undefined): number {
  if (!ts) return 0
  return toNumber(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)
}

/** RFC 3339 in UTC with milliseconds, or '' for an unset time. */
export function formatTime(ts: pb.Timestamp | null | undefined): string {
  const ms = timestampMs(ts)
  return ms === 0 ? '' : new Date(ms).toISOString()
}

/** Cuts `text` to `max` characters (0: no limit), marking the cut. */
export function truncate(text: string, max: number): string {
  return max > 0 && text.length > max ? `${text.slice(0, Math.max(0, max - 3))}...` : text
}
