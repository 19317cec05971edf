/**
 * Durations as Temporal writes them in flags and dynamic config: Go's `time.ParseDuration`
 * syntax (`1h30m`, `1.5s`, `300ms`) plus `d` for days (Temporal's `timestamp.ParseDuration`).
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/y

/** Milliseconds, or undefined when `text` is not a duration. A bare `0` is allowed, as in Go. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim()
  if (s === '0') return 0
  if (s === '') return undefined
  let ms = 0
  PART.lastIndex = 0
  while (PART.lastIndex < s.length) {
    const start = PART.lastIndex
    const m = PART.exec(s)
    if (!m || m.index !== start) return undefined
    ms += Number(m[1]) * UNIT_MS[m[2]!]!
  }
  return Math.round(ms)
}
