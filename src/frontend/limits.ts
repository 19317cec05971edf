/**
 * The frontend's limits on what a request may carry, with Temporal's defaults and the dynamic
 * config keys that change them, and the checks that apply them (one place for all handlers).
 */
import type { Logger } from 'pino'
import { payloadMapSize } from '../common/proto-size.js'
import type { pb } from '../common/proto.js'
import type { DynamicSettings } from '../server/dynamic-config.js'
import {
  DEFAULT_SEARCH_ATTRIBUTE_LIMITS,
  type SearchAttributeLimits,
} from '../visibility/search-attribute-registry.js'
import { errBlobSizeExceedsLimit, errIdentityTooLong, errMemoSizeExceedsLimit } from './errors.js'
import type { CallContext } from './rpc-types.js'
import type { InvalidArgumentError } from '../common/errors.js'
import { DEFAULT_NAMESPACE_RATE_LIMITS, type NamespaceRateLimits } from './namespace-rate-limit.js'

/** Temporal's default `limit.blobSize.error`: 2 MiB per payload. */
export const DEFAULT_BLOB_SIZE_LIMIT_BYTES = 2 * 1024 * 1024
/** `limit.blobSize.warn`: 512 KiB. */
export const DEFAULT_BLOB_SIZE_WARN_BYTES = 512 * 1024
/** `limit.memoSize.error`: 2 MiB. */
export const DEFAULT_MEMO_SIZE_LIMIT_BYTES = 2 * 1024 * 1024
/** `limit.memoSize.warn`: 2 KiB. */
export const DEFAULT_MEMO_SIZE_WARN_BYTES = 2 * 1024
/** `limit.maxIDLength`. */
export const DEFAULT_MAX_ID_LENGTH = 1000

/**
 * The largest request the frontend reads, over gRPC or HTTP: Temporal's frontend keeps grpc-go's
 * default receive limit of 4 MiB, and its HTTP API caps bodies at the same
 * (common/rpc/grpc.go MaxHTTPAPIRequestBytes). A payload between the 2 MiB blob limit and this
 * reaches the handlers and is refused with InvalidArgument; a larger request is refused by the
 * transport with ResourceExhausted.
 */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024

export interface FrontendLimits {
  /** `limit.blobSize.error`: bytes of one payload-bearing field (input, result, details...). */
  blobSizeLimit: number
  /** `limit.blobSize.warn`: payloads above this are logged. */
  blobSizeWarn: number
  /** `limit.memoSize.error`: encoded bytes of a memo. */
  memoSizeLimit: number
  /** `limit.memoSize.warn`. */
  memoSizeWarn: number
  /** `limit.maxIDLength`: ids, names, identities and request ids. */
  maxIdLength: number
  /** `frontend.searchAttributes*Limit`. */
  searchAttributes: SearchAttributeLimits
  /** The `frontend.namespaceRPS*` family, with global values applied (one frontend). */
  rateLimits: NamespaceRateLimits
  /** How long GetWorkflowExecutionHistory waits for new events. */
  historyLongPollMs: number
}

/** The limits in force: dynamic config where it sets them, Temporal's defaults elsewhere. */
export function frontendLimits(dynamic: DynamicSettings): FrontendLimits {
  const d = DEFAULT_NAMESPACE_RATE_LIMITS
  return {
    blobSizeLimit: dynamic.blobSizeLimitBytes ?? DEFAULT_BLOB_SIZE_LIMIT_BYTES,
    blobSizeWarn: dynamic.blobSizeWarnBytes ?? DEFAULT_BLOB_SIZE_WARN_BYTES,
    memoSizeLimit: dynamic.memoSizeLimitBytes ?? DEFAULT_MEMO_SIZE_LIMIT_BYTES,
    memoSizeWarn: dynamic.memoSizeWarnBytes ?? DEFAULT_MEMO_SIZE_WARN_BYTES,
    maxIdLength: dynamic.maxIdLength ?? DEFAULT_MAX_ID_LENGTH,
    searchAttributes: {
      numberOfKeys:
        dynamic.searchAttributesNumberOfKeys ?? DEFAULT_SEARCH_ATTRIBUTE_LIMITS.numberOfKeys,
      sizeOfValue:
        dynamic.searchAttributesSizeOfValue ?? DEFAULT_SEARCH_ATTRIBUTE_LIMITS.sizeOfValue,
      totalSize: dynamic.searchAttributesTotalSize ?? DEFAULT_SEARCH_ATTRIBUTE_LIMITS.totalSize,
    },
    rateLimits: {
      execution: {
        rps: effectiveRps(dynamic.globalNamespaceRps ?? 0, dynamic.namespaceRps ?? 2400),
        burstRatio: dynamic.namespaceBurstRatio ?? d.execution.burstRatio,
      },
      visibility: {
        rps: effectiveRps(
          dynamic.globalNamespaceVisibilityRps ?? 0,
          dynamic.namespaceVisibilityRps ?? 10,
        ),
        burstRatio: dynamic.namespaceVisibilityBurstRatio ?? d.visibility.burstRatio,
      },
      namespaceReplicationInducing: {
        rps: effectiveRps(
          dynamic.globalNamespaceReplicationInducingRps ?? 10,
          dynamic.namespaceReplicationInducingRps ?? 1,
        ),
        burstRatio:
          dynamic.namespaceReplicationInducingBurstRatio ??
          d.namespaceReplicationInducing.burstRatio,
      },
    },
    historyLongPollMs: dynamic.historyLongPollMs ?? 20_000,
  }
}

/**
 * A global rate above 0 wins over the per-instance one, divided among the frontends
 * (calculator.ClusterAwareNamespaceQuotaCalculator); Sundial is one frontend.
 */
function effectiveRps(global: number, perInstance: number): number {
  return global > 0 ? global : perInstance
}

/** Where a size check runs, named in its warning as Temporal's CheckEventBlobSizeLimit logs it. */
export interface SizeCheckSite {
  namespace: string
  workflowId?: string
  runId?: string
  /** The RPC, `StartWorkflowExecution`. */
  operation: string
}

/** The limits of one server, with the logger their warnings go to. */
export class LimitChecks {
  constructor(
    readonly limits: FrontendLimits,
    private readonly logger?: Logger,
  ) {}

  /**
   * Whether a payload of `size` bytes is over `limit.blobSize.error`; one over
   * `limit.blobSize.warn` is logged either way (common.CheckEventBlobSizeLimit).
   */
  blobTooLarge(size: number, site: SizeCheckSite): boolean {
    return this.exceeds(size, this.limits.blobSizeWarn, this.limits.blobSizeLimit, site, 'Blob')
  }

  /** Throws errBlobSizeExceedsLimit for a payload over `limit.blobSize.error`. */
  blob(size: number, site: SizeCheckSite): void {
    if (this.blobTooLarge(size, site)) throw errBlobSizeExceedsLimit
  }

  /** Throws errMemoSizeExceedsLimit for a memo over `limit.memoSize.error` (encoded bytes). */
  memo(memo: pb.Memo | null | undefined, site: SizeCheckSite): void {
    const size = payloadMapSize(memo?.fields)
    if (this.exceeds(size, this.limits.memoSizeWarn, this.limits.memoSizeLimit, site, 'Memo')) {
      throw errMemoSizeExceedsLimit
    }
  }

  /** Throws `error` for a value longer than `limit.maxIDLength`. */
  length(value: string | null | undefined, error: InvalidArgumentError): void {
    if ((value?.length ?? 0) > this.limits.maxIdLength) throw error
  }

  /**
   * Logs a size over `warn` and says whether it is over `error`. Temporal checks the error limit
   * only past the warning one, so an error limit set below the default warning limit would never
   * apply there; here each applies on its own.
   */
  private exceeds(
    size: number,
    warn: number,
    error: number,
    site: SizeCheckSite,
    what: string,
  ): boolean {
    if (size > warn) {
      this.logger?.warn(
        { ...site, size, warnLimit: warn },
        `${what} data size exceeds the warning limit.`,
      )
    }
    return size > error
  }
}

type AnyHandler = (request: unknown, ctx: CallContext) => Promise<unknown>

/**
 * Wraps each handler so that a request whose `identity` is longer than `limit.maxIDLength` is
 * refused with errIdentityTooLong before it runs. Temporal checks the identity of polls and task
 * answers; Sundial checks it on every request that carries one, since each writes it to history.
 */
export function withIdentityCheck<H extends object>(checks: LimitChecks, handlers: H): H {
  const out: Record<string, AnyHandler> = {}
  for (const [rpc, handler] of Object.entries(handlers as Record<string, AnyHandler>)) {
    out[rpc] = async (request, ctx) => {
      const identity = (request as { identity?: unknown } | null)?.identity
      if (typeof identity === 'string') checks.length(identity, errIdentityTooLong)
      return handler(request, ctx)
    }
  }
  return out as H
}
