/**
 * Batch operations (Temporal's batcher, service/worker/batcher): terminate, cancel, signal,
 * delete or reset every workflow a visibility query matches, or a list of them. Each job is a
 * durable row in the JobStore (kind `batch`), woken by JobWakeups once per chunk of targets.
 *
 * A wake-up takes the next chunk of targets and commits it as the job's pending chunk, applies
 * the operation to each target through the server's own WorkflowService, then commits the
 * counts with the time the next chunk may start (the job's rate). A server that dies anywhere in
 * between resumes from the last commit: a chunk found pending is applied again, and every
 * operation is built to be a no-op the second time (batch-apply.ts), so no run sees an operation
 * twice. Everything that changes one job runs under its mutex, so a stop lands between chunks.
 */
import { KeyedMutex } from '../../history/keyed-mutex.js'
import {
  NotFoundError,
  ServiceError,
  UnavailableError,
  WorkflowExecutionAlreadyStartedError,
} from '../../common/errors.js'
import { api, long, type temporal } from '../../common/proto.js'
import { timestampFromMs } from '../../common/time.js'
import type { NamespaceEntry } from '../../frontend/namespace-registry.js'
import { ConditionFailedError } from '../../persistence/errors.js'
import type { JobKey, JobRecord } from '../../persistence/store.js'
import type { JobDeps } from '../job-deps.js'
import { applyChunk } from './batch-apply.js'
import { ConcurrentBatchLimitError } from './batch-errors.js'
import {
  chunkSize,
  DEFAULT_MAX_OPERATIONS_PER_SECOND,
  effectiveRps,
  nextChunkTime,
} from './batch-pace.js'
import {
  closeJob,
  decodeState,
  encodeState,
  operationState,
  operationType,
  sourceExhausted,
  type BatchOperationKind,
  type BatchState,
  type Target,
} from './batch-state.js'
import { countQuery, pinPage, takeTargets } from './batch-targets.js'

type DescribeBatchOperationResponse =
  temporal.api.workflowservice.v1.IDescribeBatchOperationResponse
type BatchOperationInfo = temporal.api.batch.v1.IBatchOperationInfo

/** Failed wake-ups in a row after which a target's unexpected error counts as its failure. */
const MAX_STRIKES = 5

export interface BatchOperationsOptions {
  /**
   * Temporal's `worker.batcherRPS`: the most operations per second a job runs at, and the rate
   * of a job that asks for none. Default {@link DEFAULT_MAX_OPERATIONS_PER_SECOND}.
   */
  maxOperationsPerSecond?: number
}

/** A StartBatchOperation request, validated by the frontend. */
export interface BatchJobSpec {
  jobId: string
  operation: BatchOperationKind
  /** The operation's message (BatchOperationTermination, ...), encoded. */
  message: Uint8Array
  reason: string
  /** The operation's identity. */
  identity: string
  /** Exactly one of `query` and `executions` is set. */
  query?: string
  executions?: Target[]
  /** As requested: 0 (or anything above the server's cap) means the cap. */
  maxOperationsPerSecond: number
}

export class BatchOperations {
  readonly #deps: JobDeps
  readonly #cap: number
  /** One per job: wake-ups and stops of a job run one at a time. */
  readonly #jobMutex = new KeyedMutex()
  /** One per namespace: the running-job check and the create of a start go together. */
  readonly #startMutex = new KeyedMutex()
  /** Failed wake-ups in a row, by job (in memory: a restart forgives them). */
  readonly #strikes = new Map<string, number>()

  constructor(deps: JobDeps, options: BatchOperationsOptions = {}) {
    this.#deps = deps
    this.#cap = options.maxOperationsPerSecond ?? DEFAULT_MAX_OPERATIONS_PER_SECOND
  }

  /**
   * StartBatchOperation: records the job and wakes it at once. ResourceExhausted while another
   * job of the namespace runs; WorkflowExecutionAlreadyStarted (ALREADY_EXISTS) for a job id
   * already used, finished or not, as Temporal's REJECT_DUPLICATE start of the job answers.
   */
  async start(ns: NamespaceEntry, spec: BatchJobSpec): Promise<void> {
    const key = jobKey(ns.id, spec.jobId)
    await this.#startMutex.run(ns.id, async () => {
      if (await this.#hasRunningJob(ns.id)) throw new ConcurrentBatchLimitError()
      const now = this.#deps.clock.now()
      const s: BatchState = {
        jobId: spec.jobId,
        operation: spec.operation,
        message: Buffer.from(spec.message).toString('base64'),
        reason: spec.reason,
        identity: spec.identity,
        query: spec.query,
        executions: spec.executions,
        rps: effectiveRps(spec.maxOperationsPerSecond, this.#cap),
        state: 'running',
        startTime: now,
        closeTime: 0,
        total: spec.executions?.length ?? 0,
        complete: 0,
        failure: 0,
        source:
          spec.query === undefined
            ? { kind: 'executions', next: 0 }
            : spec.operation === 'reset'
              ? { kind: 'pinning', token: '', counted: false }
              : { kind: 'query', token: '', more: true, counted: false },
        pending: [],
      }
      const job: JobRecord = { ...key, version: 1, wakeTime: now, data: encodeState(s) }
      try {
        await this.#deps.jobs.createJob({ ...this.#deps.fence(key), job })
      } catch (e: unknown) {
        if (!(e instanceof ConditionFailedError)) throw e
        throw new WorkflowExecutionAlreadyStartedError(
          `Workflow execution is already running or finished. WorkflowId: ${spec.jobId}.`,
          '',
          '',
        )
      }
      this.#deps.wakeups.set(key, now)
    })
  }

  /** DescribeBatchOperation; NotFound for an unknown job id. */
  async describe(ns: NamespaceEntry, jobId: string): Promise<DescribeBatchOperationResponse> {
    const { s } = await this.#load(jobKey(ns.id, jobId))
    return {
      ...info(s),
      // While running, at least what is already done (the count is an estimate).
      totalOperationCount: long(Math.max(s.total, s.complete + s.failure)),
      completeOperationCount: long(s.complete),
      failureOperationCount: long(s.failure),
      identity: s.identity,
      reason: s.reason,
      query: s.query ?? '',
      executions: (s.executions ?? []).map(([businessId, runId]) => ({
        type: api.enums.v1.ExecutionType.EXECUTION_TYPE_WORKFLOW,
        businessId,
        runId,
      })),
    }
  }

  /** ListBatchOperations: one page of the namespace's jobs, running or not, by job id. */
  async list(
    ns: NamespaceEntry,
    pageSize: number,
    pageToken: Uint8Array | undefined,
  ): Promise<{ operationInfo: BatchOperationInfo[]; nextPageToken: Uint8Array }> {
    const page = await this.#deps.jobs.listJobs({
      namespaceId: ns.id,
      kind: 'batch',
      pageSize,
      pageToken,
    })
    return {
      operationInfo: page.jobs.map((job) => info(decodeState(job.data))),
      nextPageToken: page.nextPageToken,
    }
  }

  /**
   * StopBatchOperation: the job ends FAILED (Temporal terminates its workflow); what it applied
   * stays applied, the rest is left alone. NotFound for an unknown or finished job.
   */
  async stop(ns: NamespaceEntry, jobId: string, reason: string, identity: string): Promise<void> {
    const key = jobKey(ns.id, jobId)
    await this.#jobMutex.run(keyString(key), async () => {
      const { record, s } = await this.#load(key)
      if (s.state !== 'running') throw new NotFoundError('workflow execution already completed')
      closeJob(s, 'failed', this.#deps.clock.now())
      s.stopped = { reason, identity }
      await this.#commit(record, s, 0)
    })
  }

  /** JobWakeups' call: the job's next chunk. */
  async wake(key: JobKey): Promise<void> {
    const id = keyString(key)
    await this.#jobMutex.run(id, async () => {
      const { job } = await this.#deps.jobs.getJob(key)
      if (!job) return
      const s = decodeState(job.data)
      if (s.state !== 'running') return
      try {
        await this.#step(job, s)
        this.#strikes.delete(id)
      } catch (e: unknown) {
        this.#strikes.set(id, (this.#strikes.get(id) ?? 0) + 1)
        throw e
      }
    })
  }

  /** One wake-up's work: a page pinned, or a chunk taken, applied and committed. */
  async #step(loaded: JobRecord, s: BatchState): Promise<void> {
    let record = loaded
    const now = this.#deps.clock.now()
    // Early (a retry after a failure, say): the rate decides, not the timer.
    if (now < record.wakeTime) {
      this.#deps.wakeups.set(record, record.wakeTime)
      return
    }
    const namespace = await this.#namespaceName(record, s)
    if (namespace === undefined) return
    const { frontend } = this.#deps
    // A chunk pending on load may be partly applied: a crash, or a commit that failed.
    const recovered = s.pending.length > 0
    if (!recovered) {
      try {
        if ((s.source.kind === 'query' || s.source.kind === 'pinning') && !s.source.counted) {
          s.total = await countQuery(frontend, namespace, s)
          s.source.counted = true
        }
        if (s.source.kind === 'pinning') {
          await pinPage(frontend, namespace, s)
          await this.#commit(record, s, now)
          return
        }
        s.pending = await takeTargets(frontend, namespace, s, chunkSize(s.rps))
      } catch (e: unknown) {
        // The query cannot run (an unknown search attribute, say): the job fails, as Temporal's
        // batch workflow fails on its activity's non-retryable error.
        if (!(e instanceof ServiceError) || e instanceof UnavailableError) throw e
        this.#deps.logger.warn({ err: e, jobId: s.jobId }, 'batch operation failed')
        closeJob(s, 'failed', now)
        await this.#commit(record, s, 0)
        return
      }
      if (s.pending.length === 0) {
        closeJob(s, 'completed', now)
        await this.#commit(record, s, 0)
        return
      }
      // Recorded before any of it is applied; the wake time stays due, for a restart to resume
      // this chunk at once, but nothing is armed: this wake-up goes on to apply it.
      record = await this.#commit(record, s, now, false)
    }
    const n = s.pending.length
    const result = await applyChunk(this.#deps, namespace, s, s.pending, {
      recovered,
      lenient: (this.#strikes.get(keyString(record)) ?? 0) >= MAX_STRIKES,
    })
    s.complete += result.success
    s.failure += result.failure
    s.pending = []
    const done = this.#deps.clock.now()
    if (sourceExhausted(s)) {
      closeJob(s, 'completed', done)
      await this.#commit(record, s, 0)
      return
    }
    await this.#commit(record, s, Math.max(nextChunkTime(now, n, s.rps), done))
  }

  /** The job's namespace name; a namespace that is gone fails the job (undefined). */
  async #namespaceName(record: JobRecord, s: BatchState): Promise<string | undefined> {
    try {
      return (await this.#deps.namespaces.getById(record.namespaceId)).name
    } catch (e: unknown) {
      if (!(e instanceof ServiceError) || e instanceof UnavailableError) throw e
      closeJob(s, 'failed', this.#deps.clock.now())
      await this.#commit(record, s, 0)
      return undefined
    }
  }

  /** Writes the job's new state with its wake time, and (with `arm`) registers the wake time. */
  async #commit(
    record: JobRecord,
    s: BatchState,
    wakeTime: number,
    arm = true,
  ): Promise<JobRecord> {
    const job: JobRecord = {
      namespaceId: record.namespaceId,
      kind: record.kind,
      jobId: record.jobId,
      version: record.version + 1,
      wakeTime,
      data: encodeState(s),
    }
    await this.#deps.jobs.updateJob({
      ...this.#deps.fence(job),
      job,
      expectedVersion: record.version,
    })
    if (arm) this.#deps.wakeups.set(job, wakeTime)
    return job
  }

  /**
   * Whether a job of the namespace is running. A running job always has a wake time and a
   * finished one never has, so the first waking job after (namespace, 'batch', '') tells.
   */
  async #hasRunningJob(namespaceId: string): Promise<boolean> {
    const { jobs } = await this.#deps.jobs.listWakingJobs({
      after: { namespaceId, kind: 'batch', jobId: '' },
      limit: 1,
    })
    const first = jobs[0]
    return first?.namespaceId === namespaceId && first.kind === 'batch'
  }

  async #load(key: JobKey): Promise<{ record: JobRecord; s: BatchState }> {
    const { job } = await this.#deps.jobs.getJob(key)
    if (!job) throw new NotFoundError(`workflow not found for ID: ${key.jobId}`)
    return { record: job, s: decodeState(job.data) }
  }
}

/** What ListBatchOperations shows of a job (and DescribeBatchOperation starts from). */
function info(s: BatchState): BatchOperationInfo {
  return {
    jobId: s.jobId,
    state: operationState(s.state),
    startTime: timestampFromMs(s.startTime),
    closeTime: s.closeTime > 0 ? timestampFromMs(s.closeTime) : null,
    operationType: operationType(s.operation),
  }
}

function jobKey(namespaceId: string, jobId: string): JobKey {
  return { namespaceId, kind: 'batch', jobId }
}

function keyString(key: JobKey): string {
  return `${key.namespaceId}/${key.jobId}`
}
