/** What every kind of internal worker job (schedules, batch operations) is built from. */
import type { Logger } from 'pino'
import type { Clock } from '../common/clock.js'
import type { NamespaceRegistry } from '../frontend/namespace-registry.js'
import type { JobStore, ShardFence } from '../persistence/store.js'
import type { SearchAttributeRegistry } from '../visibility/search-attribute-registry.js'
import type { FrontendClient } from './frontend-client.js'
import type { JobWakeups } from './job-wakeups.js'

export interface JobDeps {
  /** Where jobs keep their state; every write carries `shard`. */
  jobs: JobStore
  shard: ShardFence
  clock: Clock
  logger: Logger
  namespaces: NamespaceRegistry
  searchAttributes: SearchAttributeRegistry
  /** The server's own WorkflowService, through which jobs act on workflows. */
  frontend: FrontendClient
  /** Where a job that wrote a wake time registers it (`set(key, wakeTime)`). */
  wakeups: JobWakeups
}
