/**
 * Cron schedules of workflows, as Temporal reads them (robfig/cron with a five-field parser and
 * descriptors, see common/backoff/cron.go): standard expressions, `@hourly`-style descriptors,
 * `@every <duration>`, and an optional `CRON_TZ=<zone>` prefix.
 */
import { createRequire } from 'node:module'
import type { CronExpressionParser as Parser } from 'cron-parser'

// Loaded on first use: few servers see a cron workflow, and the parser and its date library cost
// about 15 ms of every start-up.
let parser: typeof Parser | undefined
function cronParser(): typeof Parser {
  parser ??= (
    createRequire(import.meta.url)('cron-parser') as { CronExpressionParser: typeof Parser }
  ).CronExpressionParser
  return parser
}

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Milliseconds from `now` to the schedule's next time; throws on an invalid schedule. */
export function cronBackoffMs(schedule: string, now: number): number {
  let expr = schedule.trim()
  let tz: string | undefined
  const tzMatch = /^CRON_TZ=(\S+)\s+(.*)$/.exec(expr)
  if (tzMatch) {
    tz = tzMatch[1]
    expr = tzMatch[2]!
  }
  const every = /^@every\s+(.+)$/.exec(expr)
  if (every) {
    const delay = parseGoDuration(every[1]!)
    if (delay <= 0) throw new Error(`invalid @every interval: ${every[1]}`)
    // robfig's ConstantDelaySchedule fires on whole seconds.
    return Math.max(1000, delay - (now % 1000))
  }
  if (expr.split(/\s+/).length !== 5 && !expr.startsWith('@')) {
    throw new Error('a cron schedule has five fields')
  }
  const next = cronParser()
    .parse(expr, { currentDate: new Date(now), tz })
    .next()
  return next.getTime() - now
}

export function isValidCronSchedule(schedule: string): boolean {
  try {
    cronBackoffMs(schedule, 0)
    return true
  } catch {
    return false
  }
}

/** Go's time.ParseDuration for the units cron intervals use ("1h30m", "2s", "500ms"). */
function parseGoDuration(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g
  let total = 0
  let consumed = 0
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * units[m[2]!]!
    consumed += m[0].length
  }
  if (consumed !== s.length) throw new Error(`invalid duration: ${s}`)
  return total
}
