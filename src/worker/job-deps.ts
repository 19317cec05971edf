/** What every kind of internal worker job (schedules, batch operations) is built from. */
import type { Logger } from 'pino'
import type { Clock } from '../common/clock.js'
import type { NamespaceRegistry } from '../frontend/namespace-registry.js'
import type { JobKey, JobStore, ShardFence } from '../persistence/store.js'
import type { SearchAttributeRegistry } from '../visibility/search-attribute-registry.js'
import type { FrontendClient } from './frontend-client.js'
import type { JobWakeups } from './job-wakeups.js'

export interface JobDeps {
  /** Where jobs keep their state; every write carries the fence of its job's shard. */
  jobs: JobStore
  /** The fence of the shard a job belongs to (see `jobShardKey`). */
  fence(key: JobKey): ShardFence
  clock: Clock
  logger: Logger
  namespaces: NamespaceRegistry
  searchAttributes: SearchAttributeRegistry
  /** The server's own WorkflowService, through which jobs act on workflows. */
  frontend: FrontendClient
  /** Where a job that wrote a wake time registers it (`set(key, wakeTime)`). */
  wakeups: JobWakeups
}

/**
 * What places a job in a shard, as a workflow id places a run: each job belongs to one shard,
 * whose owner runs it (Temporal runs a schedule as a workflow of its own).
 */
export function jobShardKey(key: JobKey): string {
  return `sundial-job:${key.kind}:${key.jobId}`
}
