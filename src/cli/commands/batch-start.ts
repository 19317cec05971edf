/**
 * Batch mode of `sundial workflow cancel | terminate | signal | delete | reset`: `-q` instead of
 * `-w` starts one batch job over every workflow the list filter matches, as Temporal's CLI does
 * (`commands.workflow.go`: workflowExecOrBatch, startBatchJob): the same flag checks and
 * messages, a count and a confirmation unless `--yes`, then `Started batch for job ID: <id>`.
 * Beyond Temporal, text output then follows the job's progress until it ends.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { InvalidArgumentError, Option, type Command } from 'commander'
import { api, toNumber, type temporal } from '../../common/proto.js'
import { formatDuration } from '../../common/time.js'
import { CliError } from '../client/cli-error.js'
import { confirm } from '../client/confirm.js'
import { parseDurationArg, type ClientFlags } from '../client/options.js'
import type { ClientSession } from '../client/session.js'
import type { WorkflowRefFlags } from './workflow-view.js'

type StartBatchRequest = temporal.api.workflowservice.v1.IStartBatchOperationRequest
type DescribeBatchResponse = temporal.api.workflowservice.v1.IDescribeBatchOperationResponse

const BatchState = api.enums.v1.BatchOperationState

/** The flags of a command that targets one workflow (`-w`) or a batch of them (`-q`). */
export interface BatchFlags extends ClientFlags {
  workflowId?: string
  runId?: string
  query?: string
  reason?: string
  yes?: boolean
  rps?: number
  /** Give up following progress after the server has not answered for this long (ms). */
  progressTimeout?: number
}

/** A single-workflow command's flags with `-w` optional, as batch mode makes it. */
export type OrBatch<F extends WorkflowRefFlags> = Omit<F, 'workflowId'> & BatchFlags

/** How often progress is asked for. */
const POLL_MS = 1000
/** How long the server may stay silent before `--progress-timeout`'s default gives up. */
const DEFAULT_PROGRESS_TIMEOUT_MS = 30_000

/**
 * Temporal's option set `single-workflow-or-batch`: `-w` or `-q`, `-r` only with `-w`, and `-y`
 * and `--rps` only with `-q`. The command adds its own `--reason`.
 */
export function withRefOrBatch(cmd: Command): Command {
  return cmd
    .option('-w, --workflow-id <id>', 'workflow id (or -q for a batch job)')
    .option('-r, --run-id <id>', 'run id (default: the latest run); only with -w')
    .option('-q, --query <query>', 'start a batch job on the workflows this list filter matches')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--rps <n>', 'batch job: at most this many operations per second', parseRps)
    .addOption(
      // For tests: how long a silent server is waited for while following a batch job.
      new Option('--progress-timeout <duration>').argParser(parseDurationArg).hideHelp(),
    )
}

function parseRps(value: string): number {
  const n = /^\d+(\.\d*)?$|^\.\d+$/.test(value) ? Number(value) : NaN
  if (!(n > 0)) throw new InvalidArgumentError(`"${value}" is not a positive number.`)
  return n
}

/**
 * Which mode the flags ask for, checked before connecting, with Temporal's messages. `allow`
 * names what a command accepts with `-w` too (terminate and cancel take a reason, delete `-y`).
 */
export function batchMode(
  flags: BatchFlags,
  allow: { reason?: boolean; yes?: boolean } = {},
): 'single' | 'batch' {
  if (flags.workflowId) {
    if (flags.query !== undefined) throw new CliError('cannot set query when workflow ID is set')
    if (flags.reason !== undefined && !allow.reason) {
      throw new CliError('cannot set reason when workflow ID is set')
    }
    if (flags.yes && !allow.yes) throw new CliError("cannot set 'yes' when workflow ID is set")
    if (flags.rps !== undefined) throw new CliError('cannot set rps when workflow ID is set')
    return 'single'
  }
  if (!flags.query) throw new CliError('must set either workflow ID or query')
  if (flags.runId !== undefined) throw new CliError('cannot set run ID when query is set')
  return 'batch'
}

/** The flags as the single-workflow command takes them, once batchMode said 'single'. */
export function single<F extends WorkflowRefFlags>(flags: OrBatch<F>): F {
  if (!flags.workflowId) throw new CliError('must set either workflow ID or query')
  return flags as unknown as F
}

/**
 * Starts the batch job: counts the matching workflows and asks first unless `--yes` (refusing
 * without a terminal, as every confirmation does), then StartBatchOperation with a new job id.
 * Text output then follows the job to its end; a job that ends failed fails the command.
 */
export async function startBatch(
  s: ClientSession,
  flags: BatchFlags,
  operation: StartBatchRequest,
): Promise<void> {
  const query = flags.query ?? ''
  if (!flags.yes) {
    const counted = await s.call('counting workflows from query', () =>
      s.workflowService.countWorkflowExecutions({ namespace: s.namespace, query }),
    )
    await confirm(`Start batch against approximately ${toNumber(counted.count)} workflow(s)`, false)
  }
  const jobId = randomUUID()
  await s.call('starting batch operation', () =>
    s.workflowService.startBatchOperation({
      ...operation,
      namespace: s.namespace,
      jobId,
      visibilityQuery: query,
      reason: flags.reason ?? `Requested from CLI by ${s.identity}`,
      maxOperationsPerSecond: flags.rps ?? 0,
    }),
  )
  s.out.json({ batchJobId: jobId })
  s.out.text(`Started batch for job ID: ${jobId}`)
  if (!s.out.isText) return
  const end = await followBatch(s, jobId, flags.progressTimeout ?? DEFAULT_PROGRESS_TIMEOUT_MS)
  if (end.state === BatchState.BATCH_OPERATION_STATE_COMPLETED) {
    s.out.text(`Batch job ${jobId} completed`)
  } else {
    throw new CliError(`batch job ${jobId} ended ${stateWord(end.state)}`)
  }
}

/** `Running`, `Completed`, `Failed`. */
export function stateWord(state: number | null | undefined): string {
  const name = BatchState[state ?? 0] ?? 'BATCH_OPERATION_STATE_UNSPECIFIED'
  const word = name.slice('BATCH_OPERATION_STATE_'.length).toLowerCase()
  return word.charAt(0).toUpperCase() + word.slice(1)
}

/** `Progress: 400/1000 completed, 0 failed`. */
export function progressLine(d: DescribeBatchResponse): string {
  const total = toNumber(d.totalOperationCount)
  const complete = toNumber(d.completeOperationCount)
  return `Progress: ${complete}/${total} completed, ${toNumber(d.failureOperationCount)} failed`
}

/** gRPC codes that asking again will not change. */
const PERMANENT_CODES = new Set([3, 7, 12, 16]) // INVALID_ARGUMENT, PERMISSION_DENIED, UNIMPLEMENTED, UNAUTHENTICATED

/**
 * Polls DescribeBatchOperation until the job is no longer running, printing a progress line
 * whenever the counts change. Failures that may pass (the server restarting, a slow answer) are
 * retried until the server has been silent for `silenceMs`; each call is bounded by what is left
 * of that budget, so a server that accepts calls and never answers cannot hold the command.
 */
async function followBatch(
  s: ClientSession,
  jobId: string,
  silenceMs: number,
): Promise<DescribeBatchResponse> {
  const what = `following batch job ${jobId}`
  let shown = ''
  let answeredAt = Date.now()
  let lastError: unknown
  for (;;) {
    const left = silenceMs - (Date.now() - answeredAt)
    if (left <= 0) {
      const why = await s.call('the last call', rethrow(lastError)).catch((e: Error) => e.message)
      exitIfAbandonedCallsLinger()
      throw new CliError(
        `no answer about batch job ${jobId} for ${formatDuration(silenceMs)} (${why}); ` +
          `the job may still be running: sundial batch describe --job-id ${jobId}`,
      )
    }
    try {
      const d = await withTimeout(
        s.workflowService.describeBatchOperation({ namespace: s.namespace, jobId }),
        left,
      )
      answeredAt = Date.now()
      const line = progressLine(d)
      if (line !== shown) s.out.text((shown = line))
      if (d.state !== BatchState.BATCH_OPERATION_STATE_RUNNING) return d
    } catch (e: unknown) {
      if (PERMANENT_CODES.has(grpcCode(e) ?? -1)) return s.call(what, rethrow(e))
      lastError = e
    }
    await sleep(POLL_MS)
  }
}

/** An "RPC" failing with `e`, so that `s.call` words the failure as it words any other. */
function rethrow(e: unknown): () => Promise<never> {
  return () => {
    throw e
  }
}

/** The gRPC status code of an RPC failure (the SDK wraps some in an error with a cause). */
function grpcCode(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | undefined)?.code
  if (typeof code === 'number') return code
  const cause = (e as { cause?: unknown } | undefined)?.cause
  return cause === undefined ? undefined : grpcCode(cause)
}

class TimeoutError extends Error {}

/** `p`, or a TimeoutError after `ms`; the timer never outlives the race. */
async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  const abort = new AbortController()
  const timer = sleep(ms, undefined, { signal: abort.signal }).then(() => {
    throw new TimeoutError(`no answer within ${formatDuration(ms)}`)
  })
  try {
    return await Promise.race([p, timer])
  } finally {
    abort.abort()
    timer.catch(() => undefined)
  }
}

/**
 * A call given up on is still pending on its HTTP/2 stream, which keeps the process alive until
 * the server answers. Once the command has reported its failure, nothing else is waited for: an
 * unref'd timer ends the process (with the exit code already set) if that call still holds it.
 */
function exitIfAbandonedCallsLinger(): void {
  setTimeout(() => process.exit(), 2000).unref()
}
