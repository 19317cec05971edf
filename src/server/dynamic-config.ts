/**
 * Temporal's dynamic config keys, as `--dynamic-config-value KEY=JSON` passes them (the SDK's
 * test environments pass several). The keys Sundial has a setting for are honoured; keys that
 * describe what Sundial always does are accepted quietly; any other key is reported back so the
 * caller can log it at debug level and carry on, as Temporal ignores keys it does not know.
 */
import { parseDuration } from '../common/duration.js'

/** What dynamic config can change in a Sundial server. */
export interface DynamicSettings {
  /** `limit.blobSize.error`: the largest payload blob accepted, in bytes. */
  blobSizeLimitBytes?: number
  /** `limit.blobSize.warn`: payload blobs above this many bytes are logged. */
  blobSizeWarnBytes?: number
  /** `limit.memoSize.error`: the largest memo accepted, in bytes. */
  memoSizeLimitBytes?: number
  /** `limit.memoSize.warn`: memos above this many bytes are logged. */
  memoSizeWarnBytes?: number
  /** `limit.maxIDLength`: the longest id, name, identity or request id accepted. */
  maxIdLength?: number
  /** `frontend.searchAttributesNumberOfKeysLimit`: search attributes one request may set. */
  searchAttributesNumberOfKeys?: number
  /** `frontend.searchAttributesSizeOfValueLimit`: bytes of one search attribute value. */
  searchAttributesSizeOfValue?: number
  /** `frontend.searchAttributesTotalSizeLimit`: bytes of a run's search attributes together. */
  searchAttributesTotalSize?: number
  /** `limit.historyCount.error`: events past which a running workflow is terminated. */
  historyCountLimit?: number
  /** `limit.historyCount.warn`: events past which a workflow is logged. */
  historyCountWarn?: number
  /** `limit.historySize.error`: history bytes past which a running workflow is terminated. */
  historySizeLimitBytes?: number
  /** `limit.historySize.warn`: history bytes past which a workflow is logged. */
  historySizeWarnBytes?: number
  /** `frontend.namespaceRPS`: requests per second per namespace. */
  namespaceRps?: number
  /** `frontend.globalNamespaceRPS`: the cluster-wide rate; above 0 it replaces namespaceRPS. */
  globalNamespaceRps?: number
  /** `frontend.namespaceBurstRatio`: the namespace burst, as a multiple of its rate. */
  namespaceBurstRatio?: number
  /** `frontend.namespaceRPS.visibility`: visibility requests per second per namespace. */
  namespaceVisibilityRps?: number
  /** `frontend.globalNamespaceRPS.visibility`: above 0 it replaces namespaceRPS.visibility. */
  globalNamespaceVisibilityRps?: number
  /** `frontend.namespaceBurstRatio.visibility`. */
  namespaceVisibilityBurstRatio?: number
  /** `frontend.namespaceRPS.namespaceReplicationInducingAPIs` (RegisterNamespace, ...). */
  namespaceReplicationInducingRps?: number
  /** `frontend.globalNamespaceRPS.namespaceReplicationInducingAPIs`: above 0 it replaces it. */
  globalNamespaceReplicationInducingRps?: number
  /** `frontend.namespaceBurstRatio.namespaceReplicationInducingAPIs`. */
  namespaceReplicationInducingBurstRatio?: number
  /** `matching.longPollExpirationInterval`: how long task polls wait. */
  longPollMs?: number
  /** `history.longPollExpirationInterval`: how long history long polls wait. */
  historyLongPollMs?: number
  /** `frontend.enableUpdateWorkflowExecution`: updates waiting for their outcome. */
  syncUpdate?: boolean
  /** `frontend.enableUpdateWorkflowExecutionAsyncAccepted`: updates answered once accepted. */
  asyncUpdate?: boolean
  /**
   * `frontend.shutdownFailHealthCheckDuration`: on stop, how long health checks fail (`/ready`
   * 503, gRPC health NOT_SERVING) while calls are still served, so that a load balancer or a
   * Kubernetes readiness probe moves traffic away before the ports close.
   */
  shutdownFailHealthCheckMs?: number
}

export class DynamicConfigError extends Error {}

type Apply = (value: unknown, key: string, into: DynamicSettings) => void

const HONOURED: Readonly<Record<string, Apply>> = {
  'limit.blobSize.error': (v, k, into) => (into.blobSizeLimitBytes = positiveInteger(v, k)),
  'limit.blobSize.warn': (v, k, into) => (into.blobSizeWarnBytes = positiveInteger(v, k)),
  'limit.memoSize.error': (v, k, into) => (into.memoSizeLimitBytes = positiveInteger(v, k)),
  'limit.memoSize.warn': (v, k, into) => (into.memoSizeWarnBytes = positiveInteger(v, k)),
  'limit.maxIDLength': (v, k, into) => (into.maxIdLength = positiveInteger(v, k)),
  'frontend.searchAttributesNumberOfKeysLimit': (v, k, into) =>
    (into.searchAttributesNumberOfKeys = positiveInteger(v, k)),
  'frontend.searchAttributesSizeOfValueLimit': (v, k, into) =>
    (into.searchAttributesSizeOfValue = positiveInteger(v, k)),
  'frontend.searchAttributesTotalSizeLimit': (v, k, into) =>
    (into.searchAttributesTotalSize = positiveInteger(v, k)),
  'limit.historyCount.error': (v, k, into) => (into.historyCountLimit = positiveInteger(v, k)),
  'limit.historyCount.warn': (v, k, into) => (into.historyCountWarn = positiveInteger(v, k)),
  'limit.historySize.error': (v, k, into) => (into.historySizeLimitBytes = positiveInteger(v, k)),
  'limit.historySize.warn': (v, k, into) => (into.historySizeWarnBytes = positiveInteger(v, k)),
  'frontend.namespaceRPS': (v, k, into) => (into.namespaceRps = nonNegative(v, k)),
  'frontend.globalNamespaceRPS': (v, k, into) => (into.globalNamespaceRps = nonNegative(v, k)),
  'frontend.namespaceBurstRatio': (v, k, into) => (into.namespaceBurstRatio = positive(v, k)),
  'frontend.namespaceRPS.visibility': (v, k, into) =>
    (into.namespaceVisibilityRps = nonNegative(v, k)),
  'frontend.globalNamespaceRPS.visibility': (v, k, into) =>
    (into.globalNamespaceVisibilityRps = nonNegative(v, k)),
  'frontend.namespaceBurstRatio.visibility': (v, k, into) =>
    (into.namespaceVisibilityBurstRatio = positive(v, k)),
  'frontend.namespaceRPS.namespaceReplicationInducingAPIs': (v, k, into) =>
    (into.namespaceReplicationInducingRps = nonNegative(v, k)),
  'frontend.globalNamespaceRPS.namespaceReplicationInducingAPIs': (v, k, into) =>
    (into.globalNamespaceReplicationInducingRps = nonNegative(v, k)),
  'frontend.namespaceBurstRatio.namespaceReplicationInducingAPIs': (v, k, into) =>
    (into.namespaceReplicationInducingBurstRatio = positive(v, k)),
  'matching.longPollExpirationInterval': (v, k, into) => (into.longPollMs = duration(v, k)),
  'history.longPollExpirationInterval': (v, k, into) => (into.historyLongPollMs = duration(v, k)),
  'frontend.enableUpdateWorkflowExecution': (v, k, into) => (into.syncUpdate = boolean(v, k)),
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': (v, k, into) =>
    (into.asyncUpdate = boolean(v, k)),
  'frontend.shutdownFailHealthCheckDuration': (v, k, into) =>
    (into.shutdownFailHealthCheckMs = duration(v, k)),
}

/** Keys whose usual values describe Sundial as it is; nothing to change. */
const ALREADY_SO = new Set([
  // Sundial never calls home for a version check.
  'frontend.enableServerVersionCheck',
  // Search attributes and endpoints are read from one in-process cache, fresh on every write.
  'system.forceSearchAttributesCacheRefreshOnRead',
  'system.forceNexusEndpointRefreshOnRead',
  // No persistence rate limits to lift.
  'frontend.persistenceMaxQPS',
  'history.persistenceMaxQPS',
  'matching.persistenceMaxQPS',
])

/**
 * Parses `KEY=JSON` pairs (a value that is not JSON is taken as a string, as Temporal's CLI
 * does) into settings. Throws DynamicConfigError for a malformed pair or a bad value of a key
 * Sundial honours; returns the keys it does not use.
 */
export function parseDynamicConfig(pairs: readonly string[]): {
  settings: DynamicSettings
  ignored: string[]
} {
  const settings: DynamicSettings = {}
  const ignored: string[] = []
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    const key = eq > 0 ? pair.slice(0, eq).trim() : ''
    if (!key) throw new DynamicConfigError(`"${pair}" is not KEY=VALUE`)
    const value = jsonOrString(pair.slice(eq + 1))
    const apply = HONOURED[key]
    if (apply) apply(value, key, settings)
    else if (!ALREADY_SO.has(key)) ignored.push(key)
  }
  return { settings, ignored }
}

function jsonOrString(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function positiveInteger(v: unknown, key: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return v
  throw new DynamicConfigError(`${key} must be a positive integer, not ${JSON.stringify(v)}`)
}

/** A rate: any number of at least 0 (Temporal's RPS settings are integers; fractions do no harm). */
function nonNegative(v: unknown, key: string): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v
  throw new DynamicConfigError(`${key} must be a number of at least 0, not ${JSON.stringify(v)}`)
}

function positive(v: unknown, key: string): number {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v
  throw new DynamicConfigError(`${key} must be a number above 0, not ${JSON.stringify(v)}`)
}

function boolean(v: unknown, key: string): boolean {
  if (typeof v === 'boolean') return v
  throw new DynamicConfigError(`${key} must be true or false, not ${JSON.stringify(v)}`)
}

/** A Go duration string, or a number of seconds (how Temporal reads numeric durations). */
function duration(v: unknown, key: string): number {
  const ms =
    typeof v === 'number' && v >= 0
      ? v * 1000
      : typeof v === 'string'
        ? parseDuration(v)
        : undefined
  if (ms !== undefined && ms > 0) return ms
  throw new DynamicConfigError(
    `${key} must be a duration such as "30s" or a number of seconds, not ${JSON.stringify(v)}`,
  )
}
