/**
 * Server-only load: raw WorkflowService RPCs, no SDK worker. Each workflow schedules one
 * activity and completes once it is done, so the numbers show what the server costs per
 * workflow without the SDK's own work on the same cores.
 */
import { setMaxListeners } from 'node:events'
import { performance } from 'node:perf_hooks'
import { Connection } from '@temporalio/client'
import protoRoot from '@temporalio/proto'
import Long from 'long'
import { summarize, type LatencySummary } from './report.js'

const { CommandType, EventType, HistoryEventFilterType } = protoRoot.temporal.api.enums.v1

export interface RawLevelResult {
  concurrency: number
  /** Completions inside the measured window (the throughput numerator). */
  workflows: number
  /** All completions, warm-up included. */
  completed: number
  errors: number
  seconds: number
  wfPerS: number
  /** RPCs the driver made per completed workflow, empty long polls excluded. */
  rpcsPerWorkflow: number
  latency: LatencySummary
}

export interface RawLevelOptions {
  address: string
  concurrency: number
  /** Completions in this first stretch are not counted (connections, JIT, SQLite cache). */
  warmupMs: number
  measureMs: number
  runId: string
}

export async function runRawLevel(opts: RawLevelOptions): Promise<RawLevelResult> {
  const { concurrency } = opts
  const namespace = 'default'
  const taskQueue = `raw-${opts.runId}-${concurrency}`
  const workers = await Connection.connect({ address: opts.address })
  const clients = await Connection.connect({ address: opts.address })
  const stopPollers = new AbortController()
  // Every long poll listens on this one signal: 2 × concurrency listeners is expected.
  setMaxListeners(0, stopPollers.signal)
  let rpcs = 0
  let errors = 0
  const latencies: number[] = []
  let measured = 0
  let completed = 0
  let seq = 0

  const t0 = performance.now()
  const measureFrom = t0 + opts.warmupMs
  const measureUntil = measureFrom + opts.measureMs

  const wfs = workers.workflowService
  const workflowPoller = async (): Promise<void> => {
    while (!stopPollers.signal.aborted) {
      const task = await workers.withAbortSignal(stopPollers.signal, () =>
        wfs.pollWorkflowTaskQueue({ namespace, taskQueue: { name: taskQueue }, identity: 'raw' }),
      )
      if (!task.taskToken?.length) continue
      rpcs++
      const events = task.history?.events ?? []
      const activityDone = events.some(
        (e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
      )
      const command = activityDone
        ? {
            commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
            completeWorkflowExecutionCommandAttributes: {},
          }
        : {
            commandType: CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
            scheduleActivityTaskCommandAttributes: {
              activityId: '1',
              activityType: { name: 'act' },
              taskQueue: { name: taskQueue },
              startToCloseTimeout: { seconds: Long.fromNumber(10) },
            },
          }
      rpcs++
      await wfs.respondWorkflowTaskCompleted({
        namespace,
        taskToken: task.taskToken,
        commands: [command],
        identity: 'raw',
      })
    }
  }
  const activityPoller = async (): Promise<void> => {
    while (!stopPollers.signal.aborted) {
      const task = await workers.withAbortSignal(stopPollers.signal, () =>
        wfs.pollActivityTaskQueue({ namespace, taskQueue: { name: taskQueue }, identity: 'raw' }),
      )
      if (!task.taskToken?.length) continue
      rpcs += 2
      await wfs.respondActivityTaskCompleted({
        namespace,
        taskToken: task.taskToken,
        identity: 'raw',
      })
    }
  }
  const clientLoop = async (): Promise<void> => {
    const cs = clients.workflowService
    while (performance.now() < measureUntil) {
      const workflowId = `${taskQueue}-${++seq}`
      const started = performance.now()
      try {
        rpcs++
        await cs.startWorkflowExecution({
          namespace,
          workflowId,
          workflowType: { name: 'raw' },
          taskQueue: { name: taskQueue },
          requestId: workflowId,
        })
        for (;;) {
          rpcs++
          const res = await cs.getWorkflowExecutionHistory({
            namespace,
            execution: { workflowId },
            waitNewEvent: true,
            historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
          })
          if (res.history?.events?.length) break
        }
      } catch (e: unknown) {
        errors++
        if (errors === 1) console.error(`raw driver: ${String(e)}`)
        continue
      }
      const ended = performance.now()
      completed++
      if (started >= measureFrom) latencies.push(ended - started)
      if (ended >= measureFrom && ended <= measureUntil) measured++
    }
  }

  const pollers = [
    ...Array.from({ length: concurrency }, workflowPoller),
    ...Array.from({ length: concurrency }, activityPoller),
  ].map((p) =>
    p.catch((e: unknown) => {
      // Aborting the long polls is how the pollers stop; anything else is a real failure.
      if (!stopPollers.signal.aborted) throw e
    }),
  )
  await Promise.all(Array.from({ length: concurrency }, clientLoop))
  // Every started workflow has closed by now (each client loop waited for its result), so this
  // is an exact count, not an estimate from a window.
  const rpcsPerWorkflow = rpcs / Math.max(1, completed)
  stopPollers.abort()
  await Promise.all(pollers)
  await workers.close()
  await clients.close()

  return {
    concurrency,
    workflows: measured,
    completed,
    errors,
    seconds: opts.measureMs / 1000,
    wfPerS: measured / (opts.measureMs / 1000),
    rpcsPerWorkflow,
    latency: summarize(latencies),
  }
}
