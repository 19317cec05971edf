/**
 * The workflows a schedule tracks (those it started under an overlap policy other than
 * ALLOW_ALL): how one ended, and watches that wake the schedule as soon as one closes, as
 * Temporal's scheduler watches its running workflows with a long-polling activity. So the
 * schedule's running list, its recent actions' statuses, a buffered start and pause-on-failure
 * follow a close at once, not at the next spec time.
 *
 * Watches live in memory. A schedule that tracks runs wakes at least every {@link RESYNC_MS},
 * which re-arms them after a restart (and catches a close a watch missed).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import { ensureError, NotFoundError } from '../../common/errors.js'
import { HistoryEventFilterType, WorkflowExecutionStatus, type pb } from '../../common/proto.js'
import type { JobKey } from '../../persistence/store.js'
import type { FrontendClient } from '../frontend-client.js'
import { runLogKeys } from '../../common/log-keys.js'

/** The longest a schedule tracking runs goes without a wake-up. */
export const RESYNC_MS = 60_000
/** Pause before a watch that failed polls again. */
const RETRY_MS = 1000

export interface TrackedRun {
  workflowId: string
  /** The first run of the chain the schedule started (retries and continue-as-new keep it). */
  runId: string
}

/** A tracked run still running, or how its chain ended, with its result or failure. */
export type RunOutcome =
  { running: true } | { running: false; status: number; result?: pb.Payloads; failure?: pb.Failure }

/**
 * How the chain the schedule started stands: the workflow id's current run, when it belongs to
 * the chain. A workflow id now naming another chain counts as completed, one that is gone as
 * terminated. A closed chain's result (completed) or failure (failed) comes from its close event,
 * for the schedule's next start (Temporal's LastCompletionResult and ContinuedFailure).
 */
export async function runOutcome(
  frontend: FrontendClient,
  namespace: string,
  run: TrackedRun,
): Promise<RunOutcome> {
  let info
  try {
    const d = await frontend.describeWorkflowExecution({
      namespace,
      execution: { workflowId: run.workflowId },
    })
    info = d.workflowExecutionInfo
  } catch (e: unknown) {
    if (e instanceof NotFoundError) {
      return {
        running: false,
        status: WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED,
      }
    }
    throw e
  }
  if (info?.firstRunId && info.firstRunId !== run.runId) {
    return { running: false, status: WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED }
  }
  const status = info?.status ?? WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED
  if (status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) return { running: true }
  if (
    status !== WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED &&
    status !== WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED
  ) {
    return { running: false, status }
  }
  const page = await frontend.getWorkflowExecutionHistory({
    namespace,
    execution: { workflowId: run.workflowId, runId: info?.execution?.runId ?? '' },
    historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
  })
  const close = page.history?.events?.[0]
  return {
    running: false,
    status,
    result: close?.workflowExecutionCompletedEventAttributes?.result ?? undefined,
    failure: close?.workflowExecutionFailedEventAttributes?.failure ?? undefined,
  }
}

/** One long poll per tracked run, each calling `onClose` with its schedule's key when it ends. */
export class RunWatches {
  readonly #frontend: FrontendClient
  readonly #logger: Logger
  readonly #onClose: (key: JobKey) => void
  /** By schedule (its key as a string), by tracked run id. */
  readonly #watches = new Map<string, Map<string, AbortController>>()
  #stopped = false

  constructor(frontend: FrontendClient, logger: Logger, onClose: (key: JobKey) => void) {
    this.#frontend = frontend
    this.#logger = logger
    this.#onClose = onClose
  }

  /** Watches exactly `runs` for the schedule: new ones start, ones no longer tracked end. */
  track(key: JobKey, namespace: string, runs: readonly TrackedRun[]): void {
    if (this.#stopped) return
    const id = `${key.namespaceId}/${key.jobId}`
    const watches = this.#watches.get(id) ?? new Map<string, AbortController>()
    const wanted = new Set(runs.map((r) => r.runId))
    for (const [runId, watch] of watches) {
      if (!wanted.has(runId)) {
        watch.abort()
        watches.delete(runId)
      }
    }
    for (const run of runs) {
      if (watches.has(run.runId)) continue
      const watch = new AbortController()
      watches.set(run.runId, watch)
      void this.#watch(namespace, run, watch.signal).then((closed) => {
        if (watches.get(run.runId) === watch) watches.delete(run.runId)
        if (watches.size === 0 && this.#watches.get(id) === watches) this.#watches.delete(id)
        if (closed) this.#onClose(key)
      })
    }
    if (watches.size > 0) this.#watches.set(id, watches)
    else this.#watches.delete(id)
  }

  stop(): void {
    this.#stopped = true
    for (const watches of this.#watches.values()) for (const w of watches.values()) w.abort()
    this.#watches.clear()
  }

  /** Long-polls for the workflow's close event; true once it closed (or is gone). */
  async #watch(namespace: string, run: TrackedRun, signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      try {
        const page = await this.#frontend.getWorkflowExecutionHistory(
          {
            namespace,
            execution: { workflowId: run.workflowId },
            waitNewEvent: true,
            historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
          },
          signal,
        )
        if ((page.history?.events?.length ?? 0) > 0) return !signal.aborted
      } catch (e: unknown) {
        if (signal.aborted) return false
        if (e instanceof NotFoundError) return true
        this.#logger.debug({ err: ensureError(e), ...runLogKeys(run) }, 'run watch failed')
        await sleep(RETRY_MS, undefined, { signal }).catch(() => undefined)
      }
    }
    return false
  }
}
