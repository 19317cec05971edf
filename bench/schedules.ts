/**
 * A schedule fleet on SQLite: many schedules firing every second, each start measured from its
 * nominal time (TemporalScheduledStartTime) to the workflow's start time; then many paused
 * schedules, where the server should spend nothing.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import Long from 'long'
import { WorkflowService } from './raw-driver.js'
import { summarize, type LatencySummary } from './report.js'
import type { ServerProcess } from './server-process.js'

export interface ScheduleFleetResult {
  activeSchedules: number
  measuredSeconds: number
  /** Starts inside the measured window, and what the specs asked for in it. */
  starts: number
  expectedStarts: number
  /** Nominal time to the workflow's start, ms. */
  delay: LatencySummary
  serverCpuMsPerS: number
  pausedSchedules: number
  /** Server CPU while only paused schedules exist, ms per second of wall time. */
  pausedIdleCpuMsPerS: number
}

export interface ScheduleFleetOptions {
  server: ServerProcess
  runId: string
  active: number
  paused: number
  measureMs: number
}

const WORKFLOW_TYPE = 'bench-scheduled'

export async function runScheduleFleet(opts: ScheduleFleetOptions): Promise<ScheduleFleetResult> {
  const service = new WorkflowService(opts.server.address)
  try {
    const create = (id: string, paused: boolean) =>
      service.call('CreateSchedule', {
        namespace: 'default',
        scheduleId: id,
        requestId: id,
        schedule: {
          spec: { interval: [{ interval: { seconds: Long.fromNumber(1) } }] },
          action: {
            startWorkflow: {
              workflowId: id,
              workflowType: { name: WORKFLOW_TYPE },
              taskQueue: { name: `bench-sched-${opts.runId}` },
            },
          },
          policies: { overlapPolicy: 6 /* ALLOW_ALL: every second starts, whatever runs */ },
          state: { paused },
        },
      })
    const active = Array.from({ length: opts.active }, (_, i) => `fleet-${opts.runId}-${i}`)
    await inBatches(active, 50, (id) => create(id, false))
    // Let the fleet settle into its rhythm, then measure whole seconds.
    await sleep(2000)
    const from = Math.ceil(Date.now() / 1000) * 1000
    const until = from + opts.measureMs
    await sleep(from - Date.now())
    const fleetCpuMs = await cpuPerSecond(opts.server, until - Date.now())
    await inBatches(active, 50, (id) =>
      service.call('PatchSchedule', {
        namespace: 'default',
        scheduleId: id,
        patch: { pause: 'bench over' },
        requestId: `${id}-pause`,
      }),
    )
    const delays = await startDelays(service, from, until)

    const paused = Array.from({ length: opts.paused }, (_, i) => `paused-${opts.runId}-${i}`)
    await inBatches(paused, 50, (id) => create(id, true))
    await sleep(2000)
    const idle = await cpuPerSecond(opts.server, 10_000)
    return {
      activeSchedules: opts.active,
      measuredSeconds: opts.measureMs / 1000,
      starts: delays.length,
      expectedStarts: (opts.active * opts.measureMs) / 1000,
      delay: summarize(delays),
      serverCpuMsPerS: fleetCpuMs,
      pausedSchedules: opts.paused,
      pausedIdleCpuMsPerS: idle,
    }
  } finally {
    service.close()
  }
}

/** Delays of the starts whose nominal time lies in [from, until), from visibility. */
async function startDelays(
  service: WorkflowService,
  from: number,
  until: number,
): Promise<number[]> {
  const delays: number[] = []
  let nextPageToken: Uint8Array | undefined
  do {
    const page = await service.call<{
      executions: {
        startTime?: { seconds?: unknown; nanos?: number }
        searchAttributes?: { indexedFields?: Record<string, { data?: Uint8Array }> }
      }[]
      nextPageToken?: Uint8Array
    }>('ListWorkflowExecutions', {
      namespace: 'default',
      pageSize: 1000,
      nextPageToken,
      query: `WorkflowType = '${WORKFLOW_TYPE}'`,
    })
    for (const e of page.executions) {
      const data = e.searchAttributes?.indexedFields?.TemporalScheduledStartTime?.data
      if (!data || !e.startTime) continue
      const nominal = Date.parse(JSON.parse(Buffer.from(data).toString()) as string)
      if (nominal < from || nominal >= until) continue
      const started =
        Number(e.startTime.seconds) * 1000 + Math.floor((e.startTime.nanos ?? 0) / 1e6)
      delays.push(started - nominal)
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined
  } while (nextPageToken)
  return delays
}

/** The server's CPU over `ms` of wall time, in ms per second. */
async function cpuPerSecond(server: ServerProcess, ms: number): Promise<number> {
  const cpu0 = server.cpuMs()
  const t0 = performance.now()
  await sleep(ms)
  return ((server.cpuMs() - cpu0) * 1000) / (performance.now() - t0)
}

async function inBatches<T>(
  items: T[],
  size: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn))
}
