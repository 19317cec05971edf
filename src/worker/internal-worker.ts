/**
 * The internal worker (Temporal's worker service): schedules and batch operations, each kind of
 * job durable in the JobStore and woken through one JobWakeups index. It serves their RPCs and
 * acts on workflows through the server's own WorkflowService handlers.
 */
import type { Logger } from 'pino'
import type { Clock } from '../common/clock.js'
import { UnavailableError } from '../common/errors.js'
import { createBatchHandlers } from '../frontend/handlers/batch.js'
import { createScheduleHandlers } from '../frontend/handlers/schedules.js'
import type { FrontendLimits } from '../frontend/limits.js'
import type { NamespaceRegistry } from '../frontend/namespace-registry.js'
import type { WorkflowServiceHandlers } from '../frontend/rpc-types.js'
import { ShardOwnershipLostError } from '../persistence/errors.js'
import type { JobKey, JobStore } from '../persistence/store.js'
import type { ShardDirectory } from '../history/shard-directory.js'
import type { SearchAttributeRegistry } from '../visibility/search-attribute-registry.js'
import { BatchOperations } from './batch/batch-operations.js'
import { frontendClient } from './frontend-client.js'
import { jobShardKey, type JobDeps } from './job-deps.js'
import { JobWakeups } from './job-wakeups.js'
import { Schedules } from './schedules/schedules.js'

export interface InternalWorkerDeps {
  jobs: JobStore
  /** The shards whose jobs this worker runs; each job write carries its shard's fence. */
  shards: ShardDirectory
  clock: Clock
  logger: Logger
  namespaces: NamespaceRegistry
  searchAttributes: SearchAttributeRegistry
  /** The server's WorkflowService handlers (read at each call: they include the worker's own). */
  frontend: () => WorkflowServiceHandlers
  /** The frontend's limits, which schedules check their actions against. */
  limits?: FrontendLimits
  /** Temporal's `worker.batcherRPS`: the fastest a batch job runs (default 50 per second). */
  batchMaxOperationsPerSecond?: number
  /** Called when a job write finds another server holding the shard. Must not throw. */
  onShardLost?: (error: Error) => void
}

export interface InternalWorker {
  /** ScheduleService and batch RPCs of the WorkflowService. */
  readonly handlers: WorkflowServiceHandlers
  /** Loads the jobs with work ahead and starts waking them. */
  start(): Promise<void>
  stop(): void
}

/**
 * The job store, with a write that finds the shard taken reported to the server (which stops
 * serving) and answered UNAVAILABLE, as history answers it for runs.
 */
function reportingShardLoss(store: JobStore, onLost?: (e: Error) => void): JobStore {
  const fenced =
    <A extends unknown[]>(write: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      try {
        await write(...args)
      } catch (e: unknown) {
        if (!(e instanceof ShardOwnershipLostError)) throw e
        onLost?.(e)
        throw new UnavailableError('shard ownership lost: another server owns this store')
      }
    }
  return {
    createJob: fenced((req: Parameters<JobStore['createJob']>[0]) => store.createJob(req)),
    updateJob: fenced((req: Parameters<JobStore['updateJob']>[0]) => store.updateJob(req)),
    deleteJob: fenced((req: Parameters<JobStore['deleteJob']>[0]) => store.deleteJob(req)),
    getJob: (req) => store.getJob(req),
    listJobs: (req) => store.listJobs(req),
    listWakingJobs: (req) => store.listWakingJobs(req),
  }
}

export function createInternalWorker(deps: InternalWorkerDeps): InternalWorker {
  const stopped = new AbortController()
  const engines = new Map<JobKey['kind'], { wake(key: JobKey): Promise<void> }>()
  const wakeups = new JobWakeups({
    clock: deps.clock,
    logger: deps.logger,
    wake: (key) => engines.get(key.kind)?.wake(key) ?? Promise.resolve(),
  })
  const jobDeps: JobDeps = {
    jobs: reportingShardLoss(deps.jobs, deps.onShardLost),
    fence: (key) => {
      const { shardId, rangeId } = deps.shards.lease(key.namespaceId, jobShardKey(key))
      return { shardId, rangeId }
    },
    clock: deps.clock,
    logger: deps.logger,
    namespaces: deps.namespaces,
    searchAttributes: deps.searchAttributes,
    frontend: frontendClient(deps.frontend, stopped.signal),
    wakeups,
  }
  const schedules = new Schedules(jobDeps)
  engines.set('schedule', schedules)
  const batches = new BatchOperations(jobDeps, {
    maxOperationsPerSecond: deps.batchMaxOperationsPerSecond,
  })
  engines.set('batch', batches)
  return {
    handlers: {
      ...createScheduleHandlers({
        schedules,
        namespaces: deps.namespaces,
        searchAttributes: deps.searchAttributes,
        limits: deps.limits,
      }),
      ...createBatchHandlers({ batches, namespaces: deps.namespaces }),
    },
    start: () => wakeups.load(deps.jobs),
    stop() {
      wakeups.stop()
      schedules.stop()
      stopped.abort(new Error('server shutting down'))
    },
  }
}
