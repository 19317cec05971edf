/**
 * `sundial server start-dev` as the SDK's test environment starts it (in memory, default flags):
 * time from spawn to the first answered GetSystemInfo over several starts, and the RSS of an idle
 * one once V8 has settled.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { summarize, type LatencySummary } from './report.js'
import { startServerProcess } from './server-process.js'

export interface StartupResult {
  samples: number
  startupMs: LatencySummary
  /** RSS 1 s after start and after `settleMs` idle. */
  startRssMb: number
  idleRssMb: number
  settleMs: number
}

export async function measureStartDev(samples: number, settleMs: number): Promise<StartupResult> {
  const times: number[] = []
  let startRssMb = NaN
  let idleRssMb = NaN
  for (let i = 0; i < samples; i++) {
    const server = await startServerProcess()
    try {
      times.push(server.startupMs)
      if (i === samples - 1) {
        await sleep(1000)
        startRssMb = server.rssMb()
        await sleep(settleMs)
        idleRssMb = server.rssMb()
      }
    } finally {
      await server.stop()
    }
  }
  return {
    samples,
    startupMs: summarize(times),
    startRssMb,
    idleRssMb,
    settleMs,
  }
}
