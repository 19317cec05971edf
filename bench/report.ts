/** Percentiles, the terminal table and the hand-written SVG plot. */
import type { RawLevelResult } from './raw-driver.js'

export interface LatencySummary {
  count: number
  p50: number
  p95: number
  p99: number
  max: number
}

/** Nearest-rank percentiles in milliseconds; NaN when there are no samples. */
export function summarize(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = (p: number): number =>
    sorted.length
      ? (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN)
      : NaN
  return {
    count: sorted.length,
    p50: rank(0.5),
    p95: rank(0.95),
    p99: rank(0.99),
    max: sorted.at(-1) ?? NaN,
  }
}

export const round = (n: number, digits = 1): number => {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))]
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
  const [first, ...rest] = cells
  return [line(first ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...rest.map(line)].join(
    '\n',
  )
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return '-'
  return n >= 100 ? n.toFixed(0) : n.toFixed(1)
}

/** Throughput (left axis) and p50/p99 latency (right axis) against concurrency, raw driver. */
export function rawPlotSvg(levels: RawLevelResult[], title: string): string {
  const W = 640
  const H = 360
  const m = { l: 64, r: 64, t: 40, b: 48 }
  const pw = W - m.l - m.r
  const ph = H - m.t - m.b
  const maxTp = niceMax(Math.max(1, ...levels.map((l) => l.wfPerS)))
  const maxLat = niceMax(Math.max(1, ...levels.map((l) => finite(l.latency.p99))))
  const x = (i: number): number =>
    m.l + (levels.length === 1 ? pw / 2 : (i * pw) / (levels.length - 1))
  const yTp = (v: number): number => m.t + ph - (v / maxTp) * ph
  const yLat = (v: number): number => m.t + ph - (v / maxLat) * ph
  const path = (ys: number[]): string =>
    ys.map((y, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y.toFixed(1)}`).join(' ')
  const series = [
    { name: 'workflows/s (left)', color: '#1f77b4', ys: levels.map((l) => yTp(l.wfPerS)) },
    {
      name: 'p50 ms (right)',
      color: '#2ca02c',
      ys: levels.map((l) => yLat(finite(l.latency.p50))),
    },
    {
      name: 'p99 ms (right)',
      color: '#d62728',
      ys: levels.map((l) => yLat(finite(l.latency.p99))),
    },
  ]
  const ticks = [0, 0.25, 0.5, 0.75, 1]
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
  ]
  for (const t of ticks) {
    const y = m.t + ph - t * ph
    out.push(
      `<line x1="${m.l}" y1="${y}" x2="${m.l + pw}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${m.l - 6}" y="${y + 4}" text-anchor="end" fill="#1f77b4">${fmt(t * maxTp)}</text>`,
      `<text x="${m.l + pw + 6}" y="${y + 4}" fill="#555">${fmt(t * maxLat)}</text>`,
    )
  }
  levels.forEach((l, i) => {
    out.push(`<text x="${x(i)}" y="${m.t + ph + 18}" text-anchor="middle">${l.concurrency}</text>`)
  })
  out.push(
    `<text x="${m.l + pw / 2}" y="${H - 10}" text-anchor="middle">concurrency (workflows in flight)</text>`,
    `<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`,
  )
  series.forEach((s, k) => {
    out.push(`<path d="${path(s.ys)}" fill="none" stroke="${s.color}" stroke-width="2"/>`)
    s.ys.forEach((y, i) =>
      out.push(`<circle cx="${x(i)}" cy="${y.toFixed(1)}" r="3" fill="${s.color}"/>`),
    )
    const lx = m.l + 10 + k * 170
    out.push(
      `<line x1="${lx}" y1="${m.t + 12}" x2="${lx + 20}" y2="${m.t + 12}" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${lx + 24}" y="${m.t + 16}">${s.name}</text>`,
    )
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}

function finite(n: number): number {
  return Number.isFinite(n) ? n : 0
}

function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v))
  for (const k of [1, 2, 2.5, 5, 10]) if (k * p >= v) return k * p
  return 10 * p
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`)
}
