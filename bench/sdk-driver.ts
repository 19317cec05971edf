/**
 * Load through the real SDK: a `@temporalio/worker` Worker and `@temporalio/client` in this
 * process, the server in its own. Closer to what users see than the raw driver, but the SDK's
 * CPU shares the same cores.
 */
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { Client, Connection } from '@temporalio/client'
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
} from '@temporalio/worker'
import * as activities from './sdk-activities.js'
import type * as workflows from './sdk-workflows.js'
import { summarize, type LatencySummary } from './report.js'

export interface SdkPhaseResult {
  workflows: number
  concurrency: number
  errors: number
  seconds: number
  wfPerS: number
  latency: LatencySummary
}

export interface SdkResult {
  bundleMs: number
  /** Workflows run before the measured phases (counted in the server's CPU, not the figures). */
  warmup: SdkPhaseResult
  throughput: SdkPhaseResult
  sequential: SdkPhaseResult
}

export interface SdkOptions {
  address: string
  runId: string
  /** Workflows for the throughput phase, run `concurrency` at a time. */
  count: number
  concurrency: number
  /** Workflows run one at a time for latency. */
  sequentialCount: number
}

let runtimeInstalled = false

export async function runSdk(opts: SdkOptions): Promise<SdkResult> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') })
    runtimeInstalled = true
  }
  const taskQueue = `sdk-${opts.runId}`
  const b0 = performance.now()
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./sdk-workflows.js', import.meta.url)),
    logger: new DefaultLogger('ERROR'),
  })
  const bundleMs = performance.now() - b0
  const nativeConnection = await NativeConnection.connect({ address: opts.address })
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle,
    activities,
    shutdownGraceTime: '1s',
  })
  const connection = await Connection.connect({ address: opts.address })
  const client = new Client({ connection })

  let seq = 0
  const phase = async (count: number, concurrency: number): Promise<SdkPhaseResult> => {
    const latencies: number[] = []
    let next = 0
    let errors = 0
    const loop = async (): Promise<void> => {
      while (next < count) {
        next++
        const started = performance.now()
        try {
          await client.workflow.execute<typeof workflows.oneActivity>('oneActivity', {
            taskQueue,
            workflowId: `${taskQueue}-${++seq}`,
            args: ['bench'],
          })
          latencies.push(performance.now() - started)
        } catch (e: unknown) {
          errors++
          if (errors === 1) console.error(`sdk driver: ${String(e)}`)
        }
      }
    }
    const t0 = performance.now()
    await Promise.all(Array.from({ length: concurrency }, loop))
    const seconds = (performance.now() - t0) / 1000
    return {
      workflows: latencies.length,
      concurrency,
      errors,
      seconds,
      wfPerS: latencies.length / seconds,
      latency: summarize(latencies),
    }
  }

  try {
    return await worker.runUntil(async () => {
      // Warm-up so that the first phase does not pay for the worker's first polls and the
      // workflow sandbox's first context.
      const warmup = await phase(Math.min(20, opts.count), Math.min(10, opts.concurrency))
      const throughput = await phase(opts.count, opts.concurrency)
      const sequential = await phase(opts.sequentialCount, 1)
      return { bundleMs, warmup, throughput, sequential }
    })
  } finally {
    await connection.close()
    await nativeConnection.close()
  }
}
