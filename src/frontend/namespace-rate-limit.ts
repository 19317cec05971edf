/**
 * Per-namespace request rate limits, as Temporal's frontend applies them
 * (common/rpc/interceptor/namespace_rate_limit.go, service/frontend/configs/quotas.go):
 *
 * - Each namespace has three token buckets families: the execution APIs
 *   (`frontend.namespaceRPS`), the visibility APIs (`frontend.namespaceRPS.visibility`) and the
 *   APIs that replicate namespace metadata (`...namespaceReplicationInducingAPIs`). A call of an
 *   RPC that is in none of them, or that names no namespace (GetSystemInfo, the health check), is
 *   never limited.
 * - Within a family, RPCs have priorities (0 highest). Each priority has a bucket of the
 *   family's rate and burst; a call is decided by its own priority's bucket and, once allowed,
 *   also takes a token from every lower priority's bucket (which may go into debt). Busy
 *   high-priority traffic thus slows polls and long polls, never the other way round: a flood of
 *   polls (priority 4) cannot starve starts, signals or task completions.
 * - A poll costs one token when it arrives, however long it then waits.
 * - A refused call gets ResourceExhausted with cause RPS_LIMIT and scope NAMESPACE, which the
 *   SDKs retry with a longer backoff.
 */
import { ResourceExhaustedError, type ErrorDetail } from '../common/errors.js'
import { api } from '../common/proto.js'
import type { CallContext } from './rpc-types.js'

/** One family's limit: tokens per second, and the burst as a multiple of that. */
export interface RateLimit {
  rps: number
  burstRatio: number
}

export interface NamespaceRateLimits {
  /** `frontend.namespaceRPS` (or `frontend.globalNamespaceRPS`), `frontend.namespaceBurstRatio`. */
  execution: RateLimit
  /** `frontend.namespaceRPS.visibility`, `frontend.namespaceBurstRatio.visibility`. */
  visibility: RateLimit
  /** `frontend.namespaceRPS.namespaceReplicationInducingAPIs` and its burst ratio. */
  namespaceReplicationInducing: RateLimit
}

/**
 * Temporal's defaults for one frontend: 2400 per second with a burst of twice that; visibility
 * 10 per second, burst 10; RegisterNamespace and UpdateNamespace 10 per second (the global
 * setting's 10 spread over one frontend), burst 100.
 */
export const DEFAULT_NAMESPACE_RATE_LIMITS: NamespaceRateLimits = {
  execution: { rps: 2400, burstRatio: 2 },
  visibility: { rps: 10, burstRatio: 1 },
  namespaceReplicationInducing: { rps: 10, burstRatio: 10 },
}

type Family = keyof NamespaceRateLimits

/** The priority (0 highest) of each execution API Sundial serves (configs.APIToPriority). */
const EXECUTION_PRIORITIES: Readonly<Record<string, number>> = {
  getClusterInfo: 0,
  getSystemInfo: 0,
  getSearchAttributes: 0,
  describeNamespace: 0,
  listNamespaces: 0,
  deprecateNamespace: 0,

  signalWorkflowExecution: 1,
  signalWithStartWorkflowExecution: 1,
  startWorkflowExecution: 1,
  updateWorkflowExecution: 1,
  executeMultiOperation: 1,
  createSchedule: 1,
  startBatchOperation: 1,
  recordActivityTaskHeartbeat: 1,
  recordActivityTaskHeartbeatById: 1,
  respondActivityTaskCompleted: 1,
  respondActivityTaskCompletedById: 1,
  respondWorkflowTaskCompleted: 1,
  respondQueryTaskCompleted: 1,

  requestCancelWorkflowExecution: 2,
  terminateWorkflowExecution: 2,
  resetWorkflowExecution: 2,
  deleteWorkflowExecution: 2,
  getWorkflowExecutionHistory: 2,
  updateSchedule: 2,
  patchSchedule: 2,
  deleteSchedule: 2,
  stopBatchOperation: 2,

  describeWorkflowExecution: 3,
  describeTaskQueue: 3,
  queryWorkflow: 3,
  describeSchedule: 3,
  listScheduleMatchingTimes: 3,
  describeBatchOperation: 3,
  respondActivityTaskCanceled: 3,
  respondActivityTaskCanceledById: 3,
  respondActivityTaskFailed: 3,
  respondActivityTaskFailedById: 3,
  respondWorkflowTaskFailed: 3,

  pollWorkflowTaskQueue: 4,
  pollActivityTaskQueue: 4,
  pollWorkflowExecutionUpdate: 4,
  resetStickyTaskQueue: 4,
  shutdownWorker: 4,
  getWorkflowExecutionHistoryReverse: 4,
  recordWorkerHeartbeat: 4,

  /** GetWorkflowExecutionHistory with waitNewEvent: a long poll (PollWorkflowHistoryAPIName). */
  'getWorkflowExecutionHistory/long-poll': 5,
}

/** configs.VisibilityAPIToPriority. */
const VISIBILITY_PRIORITIES: Readonly<Record<string, number>> = {
  countWorkflowExecutions: 1,
  scanWorkflowExecutions: 1,
  listOpenWorkflowExecutions: 1,
  listClosedWorkflowExecutions: 1,
  listWorkflowExecutions: 1,
  listArchivedWorkflowExecutions: 1,
  listSchedules: 1,
  listBatchOperations: 1,
}

/** configs.NamespaceReplicationInducingAPIToPriority. */
const REPLICATION_INDUCING_PRIORITIES: Readonly<Record<string, number>> = {
  registerNamespace: 1,
  updateNamespace: 1,
  updateWorkerBuildIdCompatibility: 2,
  updateWorkerVersioningRules: 2,
}

const FAMILIES: readonly [Family, Readonly<Record<string, number>>, number][] = [
  ['execution', EXECUTION_PRIORITIES, 5],
  ['visibility', VISIBILITY_PRIORITIES, 1],
  ['namespaceReplicationInducing', REPLICATION_INDUCING_PRIORITIES, 2],
]

/** Family and priority of each limited RPC; the lowest priority of its family. */
const RPC_CLASS: ReadonlyMap<string, { family: Family; priority: number; lowest: number }> =
  new Map(
    FAMILIES.flatMap(([family, priorities, lowest]) =>
      Object.entries(priorities).map(([rpc, priority]) => [rpc, { family, priority, lowest }]),
    ),
  )

/**
 * A token bucket as golang.org/x/time/rate keeps it: `tokens` grow at `rate` per second up to
 * `burst`; `allow` takes one if there is one, `take` takes one regardless (debt is paid back by
 * time before the next `allow` succeeds).
 */
class TokenBucket {
  private tokens: number
  private last: number

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst
    this.last = now
  }

  allow(now: number): boolean {
    this.refill(now)
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  take(now: number): void {
    this.refill(now)
    this.tokens -= 1
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last) / 1000
    this.last = now
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.rate)
  }
}

/** `frontend.namespaceBurstRatio` applied as quotas.NewNamespaceRateBurst does: at least 1. */
function burstOf(limit: RateLimit): number {
  return Math.max(1, Math.ceil(limit.rps * limit.burstRatio))
}

/**
 * Namespaces whose buckets are kept. Calls name namespaces before the handler checks they exist,
 * so a caller inventing names could otherwise grow the map without end; past this many, the
 * namespace first seen longest ago is forgotten (and starts again from a full bucket).
 */
const MAX_TRACKED_NAMESPACES = 10_000

/** The buckets of the namespaces seen, created on a namespace's first call. */
export class NamespaceRateLimiter {
  private readonly buckets = new Map<string, TokenBucket[]>()

  constructor(
    private readonly limits: NamespaceRateLimits = DEFAULT_NAMESPACE_RATE_LIMITS,
    /** Milliseconds, monotonic. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Whether `namespace` may make one more call of `rpc` now (a call of an RPC no family covers
   * always may). `longPoll` marks GetWorkflowExecutionHistory waiting for new events.
   */
  tryAcquire(namespace: string, rpc: string, longPoll = false): boolean {
    const cls = RPC_CLASS.get(longPoll ? `${rpc}/long-poll` : rpc) ?? RPC_CLASS.get(rpc)
    if (!cls) return true
    const key = `${cls.family}\u0000${namespace}`
    const now = this.now()
    let buckets = this.buckets.get(key)
    if (!buckets) {
      if (this.buckets.size >= MAX_TRACKED_NAMESPACES * FAMILIES.length) {
        this.buckets.delete(this.buckets.keys().next().value!)
      }
      const limit = this.limits[cls.family]
      buckets = Array.from(
        { length: cls.lowest + 1 },
        () => new TokenBucket(limit.rps, burstOf(limit), now),
      )
      this.buckets.set(key, buckets)
    }
    if (!buckets[cls.priority]!.allow(now)) return false
    for (let p = cls.priority + 1; p <= cls.lowest; p++) buckets[p]!.take(now)
    return true
  }
}

/** interceptor.ErrNamespaceRateLimitServerBusy: ResourceExhausted, RPS_LIMIT, NAMESPACE scope. */
export class NamespaceRateLimitError extends ResourceExhaustedError {
  constructor() {
    super('namespace rate limit exceeded')
  }
  override detail(): ErrorDetail {
    const { ResourceExhaustedCause, ResourceExhaustedScope } = api.enums.v1
    return {
      typeName: 'temporal.api.errordetails.v1.ResourceExhaustedFailure',
      value: api.errordetails.v1.ResourceExhaustedFailure.encode({
        cause: ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_RPS_LIMIT,
        scope: ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
      }).finish(),
    }
  }
}

type AnyHandler = (request: unknown, ctx: CallContext) => Promise<unknown>

/**
 * Wraps each handler of a WorkflowService handler map so that a call naming a namespace first
 * takes a token from that namespace's bucket, or is refused with {@link NamespaceRateLimitError}.
 * Wrap only the map the network listeners serve: the internal worker's own calls (schedules,
 * batch jobs) are not client traffic.
 */
export function withNamespaceRateLimit<H extends object>(
  limiter: NamespaceRateLimiter,
  handlers: H,
): H {
  const out: Record<string, AnyHandler> = {}
  for (const [rpc, handler] of Object.entries(handlers as Record<string, AnyHandler>)) {
    if (!RPC_CLASS.has(rpc)) {
      out[rpc] = handler
      continue
    }
    out[rpc] = async (request, ctx) => {
      const req = request as { namespace?: unknown; waitNewEvent?: unknown } | null
      const namespace = req?.namespace
      if (typeof namespace === 'string' && namespace !== '') {
        if (!limiter.tryAcquire(namespace, rpc, req?.waitNewEvent === true)) {
          throw new NamespaceRateLimitError()
        }
      }
      return handler(request, ctx)
    }
  }
  return out as H
}
