/** Times as the UI shows them: local date and time to the second, durations in short units. */

export function formatTime(rfc3339: string | undefined): string {
  if (!rfc3339) return ''
  const d = new Date(rfc3339)
  if (Number.isNaN(d.getTime())) return rfc3339
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  )
}

/** A proto JSON duration ("3.5s") or a span in milliseconds, as "1h 2m 3.5s". */
export function formatDuration(d: string | number | undefined): string {
  if (d === undefined) return ''
  const ms = typeof d === 'number' ? d : Number.parseFloat(d) * 1000
  if (!Number.isFinite(ms)) return String(d)
  if (ms < 1000) return `${Math.round(ms)}ms`
  const s = ms / 1000
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = s % 60
  const sec = Number.isInteger(rest) ? `${rest}s` : `${rest.toFixed(1)}s`
  return [h ? `${h}h` : '', m ? `${m}m` : '', rest ? sec : ''].filter(Boolean).join(' ') || '0s'
}

/** The span between two times, when both are known. */
export function between(from: string | undefined, to: string | undefined): string {
  if (!from || !to) return ''
  return formatDuration(new Date(to).getTime() - new Date(from).getTime())
}

const pad2 = (n: number) => String(n).padStart(2, '0')

/** A time as the value of a `datetime-local` input: local time, to the minute. */
export function toLocalInput(d: Date): string {
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}` +
    `T${pad2(d.getHours())}:${pad2(d.getMinutes())}`
  )
}

/** A `datetime-local` value (local time) in RFC 3339, or undefined when it is not a time. */
export function fromLocalInput(value: string): string | undefined {
  const d = new Date(value)
  return value && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined
}
