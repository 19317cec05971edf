/**
 * Server-only load: raw WorkflowService RPCs, no SDK worker. Each workflow schedules one
 * activity and completes once it is done, so the numbers show what the server costs per
 * workflow without the SDK's own work on the same cores.
 *
 * The calls go through a bare `@grpc/grpc-js` client with the protobuf codecs the server itself
 * uses, not through `@temporalio/client`: the driver shares the machine with the server, and the
 * lighter it is, the more of the cores the server gets (as with the bare-RPC ceiling it is
 * compared to).
 */
import { performance } from 'node:perf_hooks'
import * as grpc from '@grpc/grpc-js'
import protoRoot, { type temporal } from '@temporalio/proto'
import Long from 'long'
import { workflowServiceDefinition } from '../src/frontend/service-definitions.js'
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

/** How a bench client reaches the server: TLS credentials and headers (a bearer token). */
export interface BenchConnection {
  credentials?: grpc.ChannelCredentials
  /** The name the server certificate is checked against, when not the address's host. */
  serverName?: string
  /** Sent with every call (`authorization: Bearer ...`). */
  headers?: Record<string, string>
}

export interface RawLevelOptions {
  address: string
  connection?: BenchConnection
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
  // Workers and clients on separate connections, as an SDK worker and client would be.
  const workers = new WorkflowService(opts.address, opts.connection)
  const clients = new WorkflowService(opts.address, opts.connection)
  let stopping = false
  let rpcs = 0
  let errors = 0
  const latencies: number[] = []
  let measured = 0
  let completed = 0
  let seq = 0

  const t0 = performance.now()
  const measureFrom = t0 + opts.warmupMs
  const measureUntil = measureFrom + opts.measureMs

  const wfs = workers
  const workflowPoller = async (): Promise<void> => {
    while (!stopping) {
      const task = await wfs.call<PollWorkflowTaskQueueResponse>('PollWorkflowTaskQueue', {
        namespace,
        taskQueue: { name: taskQueue },
        identity: 'raw',
      })
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
      await wfs.call('RespondWorkflowTaskCompleted', {
        namespace,
        taskToken: task.taskToken,
        commands: [command],
        identity: 'raw',
      })
    }
  }
  const activityPoller = async (): Promise<void> => {
    while (!stopping) {
      const task = await wfs.call<PollActivityTaskQueueResponse>('PollActivityTaskQueue', {
        namespace,
        taskQueue: { name: taskQueue },
        identity: 'raw',
      })
      if (!task.taskToken?.length) continue
      rpcs += 2
      await wfs.call('RespondActivityTaskCompleted', {
        namespace,
        taskToken: task.taskToken,
        identity: 'raw',
      })
    }
  }
  const clientLoop = async (): Promise<void> => {
    const cs = clients
    while (performance.now() < measureUntil) {
      const workflowId = `${taskQueue}-${++seq}`
      const started = performance.now()
      try {
        rpcs++
        await cs.call('StartWorkflowExecution', {
          namespace,
          workflowId,
          workflowType: { name: 'raw' },
          taskQueue: { name: taskQueue },
          requestId: workflowId,
        })
        for (;;) {
          rpcs++
          const res = await cs.call<GetWorkflowExecutionHistoryResponse>(
            'GetWorkflowExecutionHistory',
            {
              namespace,
              execution: { workflowId },
              waitNewEvent: true,
              historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
            },
          )
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
      // Cancelling the long polls is how the pollers stop; anything else is a real failure.
      if (!stopping) throw e
    }),
  )
  await Promise.all(Array.from({ length: concurrency }, clientLoop))
  // Every started workflow has closed by now (each client loop waited for its result), so this
  // is an exact count, not an estimate from a window.
  const rpcsPerWorkflow = rpcs / Math.max(1, completed)
  stopping = true
  workers.cancelAll()
  await Promise.all(pollers)
  workers.close()
  clients.close()

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

type PollWorkflowTaskQueueResponse = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse
type PollActivityTaskQueueResponse = temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse
type GetWorkflowExecutionHistoryResponse =
  temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse

/** WorkflowService over one grpc-js channel: unary calls by proto method name, cancellable. */
export class WorkflowService {
  static readonly #definition = workflowServiceDefinition().definition
  readonly #client: grpc.Client
  readonly #calls = new Set<grpc.ClientUnaryCall>()
  readonly #metadata = new grpc.Metadata()

  constructor(address: string, connection: BenchConnection = {}) {
    this.#client = new grpc.Client(
      address,
      connection.credentials ?? grpc.credentials.createInsecure(),
      connection.serverName ? { 'grpc.ssl_target_name_override': connection.serverName } : {},
    )
    for (const [k, v] of Object.entries(connection.headers ?? {})) this.#metadata.set(k, v)
  }

  call<T = unknown>(method: string, request: object): Promise<T> {
    const def = WorkflowService.#definition[method]
    if (!def) throw new Error(`no WorkflowService method ${method}`)
    return new Promise<T>((resolve, reject) => {
      const call = this.#client.makeUnaryRequest(
        def.path,
        def.requestSerialize,
        def.responseDeserialize,
        request,
        this.#metadata,
        (err, res) => {
          this.#calls.delete(call)
          if (err) reject(err)
          else resolve(res as T)
        },
      )
      this.#calls.add(call)
    })
  }

  /** Cancels every call in flight (the long polls, when the run is over). */
  cancelAll(): void {
    for (const call of this.#calls) call.cancel()
  }

  close(): void {
    this.#client.close()
  }
}
