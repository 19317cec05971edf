/**
 * GetSystemInfo and GetClusterInfo (`workflow_handler.go`). Clients call GetSystemInfo first on
 * every connection and switch features on from its capabilities, so each capability must be
 * true only once the server behaves as Temporal's does with it.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { long, type temporal } from '../../common/proto.js'
import { CLUSTER_NAME } from '../namespace-registry.js'
import type { WorkflowServiceHandlers } from '../rpc-types.js'

export type SystemCapabilities = Required<{
  [K in keyof temporal.api.workflowservice.v1.GetSystemInfoResponse.ICapabilities]: boolean
}>

/**
 * What this server implements, reported as is: workers and clients switch behaviour on these, so
 * a capability turns true only with the feature (signals and queries carry their headers to the
 * worker; schedules, eager start, memo upsert, versioning and Nexus are not built yet).
 */
export const DEFAULT_SYSTEM_CAPABILITIES: SystemCapabilities = {
  signalAndQueryHeader: true,
  internalErrorDifferentiation: true,
  activityFailureIncludeHeartbeat: true,
  supportsSchedules: false,
  encodedFailureAttributes: true,
  buildIdBasedVersioning: false,
  upsertMemo: false,
  eagerWorkflowStart: false,
  sdkMetadata: true,
  countGroupByExecutionStatus: true,
  nexus: false,
  serverScaledDeployments: false,
  serverScaledProviderCloudRun: false,
}

/** The client version ranges Temporal accepts (`common/headers/version_checker.go`). */
export const SUPPORTED_CLIENTS: Readonly<Record<string, string>> = {
  'temporal-go': '<2.0.0',
  'temporal-java': '<2.0.0',
  'temporal-php': '<2.0.0',
  'temporal-typescript': '<2.0.0',
  'temporal-cli': '<2.0.0',
  'temporal-server': '<2.0.0',
  'temporal-ui': '<3.0.0',
  'Nexus-go-sdk': '<2.0.0',
}

export interface SystemHandlersOptions {
  /** Reported as `serverVersion`; default: the version in Sundial's package.json. */
  serverVersion?: string
  /** Overrides of {@link DEFAULT_SYSTEM_CAPABILITIES}. */
  capabilities?: Partial<SystemCapabilities>
  /** A stable id of this cluster (e.g. kept in the store's cluster metadata); default ''. */
  clusterId?: string
  /** Reported as `persistenceStore`; default 'sqlite'. */
  persistenceStore?: string
  /** Reported as `visibilityStore`; default: the persistence store. */
  visibilityStore?: string
  /** Reported as `historyShardCount`; default 1. */
  historyShardCount?: number
}

export type SystemHandlers = Required<
  Pick<WorkflowServiceHandlers, 'getSystemInfo' | 'getClusterInfo'>
>

export function createSystemHandlers(opts: SystemHandlersOptions = {}): SystemHandlers {
  const serverVersion = opts.serverVersion ?? packageVersion()
  const capabilities = { ...DEFAULT_SYSTEM_CAPABILITIES, ...opts.capabilities }
  const persistenceStore = opts.persistenceStore ?? 'sqlite'
  return {
    getSystemInfo() {
      return Promise.resolve({ serverVersion, capabilities })
    },
    getClusterInfo() {
      return Promise.resolve({
        supportedClients: { ...SUPPORTED_CLIENTS },
        serverVersion,
        clusterId: opts.clusterId ?? '',
        clusterName: CLUSTER_NAME,
        historyShardCount: opts.historyShardCount ?? 1,
        persistenceStore,
        visibilityStore: opts.visibilityStore ?? persistenceStore,
        initialFailoverVersion: long(1),
        failoverVersionIncrement: long(10),
      })
    },
  }
}

let cachedVersion: string | undefined

/**
 * Sundial's version from the nearest package.json named `sundial-server` above this file, which
 * is two levels further up when running from `dist/` than from `src/`.
 */
export function packageVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string
        version?: string
      }
      if (pkg.name === 'sundial-server' && pkg.version) return (cachedVersion = pkg.version)
    } catch {
      // No package.json here; keep climbing.
    }
    const parent = dirname(dir)
    if (parent === dir) return (cachedVersion = '0.0.0')
    dir = parent
  }
}
