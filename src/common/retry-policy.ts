/**
 * Retry policies as Temporal applies them to activities and workflows
 * (service/history/workflow/retry.go, common/retrypolicy). Durations are milliseconds.
 */
import { RetryState, api, type pb } from './proto.js'
import { durationFromMs, msFromDuration } from './time.js'

export interface RetryPolicyData {
  initialIntervalMs: number
  backoffCoefficient: number
  /** 0 = no maximum. */
  maximumIntervalMs: number
  /** 0 = unlimited. */
  maximumAttempts: number
  nonRetryableErrorTypes: string[]
}

export const defaultActivityRetry = {
  initialIntervalMs: 1000,
  backoffCoefficient: 2,
  maximumIntervalCoefficient: 100,
}

/** Fills Temporal's defaults into a (possibly partial) retry policy from a command or request. */
export function normalizeRetryPolicy(p: pb.RetryPolicy | null | undefined): RetryPolicyData {
  const initialIntervalMs =
    msFromDuration(p?.initialInterval) || defaultActivityRetry.initialIntervalMs
  return {
    initialIntervalMs,
    backoffCoefficient: p?.backoffCoefficient || defaultActivityRetry.backoffCoefficient,
    maximumIntervalMs:
      msFromDuration(p?.maximumInterval) ||
      initialIntervalMs * defaultActivityRetry.maximumIntervalCoefficient,
    maximumAttempts: p?.maximumAttempts ?? 0,
    nonRetryableErrorTypes: [...(p?.nonRetryableErrorTypes ?? [])],
  }
}

/** Returns a message for an invalid policy, or undefined when it is valid. */
export function validateRetryPolicy(p: pb.RetryPolicy | null | undefined): string | undefined {
  if (!p) return undefined
  if ((p.maximumAttempts ?? 0) < 0) return 'MaximumAttempts cannot be negative on retry policy.'
  if ((p.backoffCoefficient ?? 0) !== 0 && (p.backoffCoefficient ?? 0) < 1) {
    return 'BackoffCoefficient cannot be less than 1 on retry policy.'
  }
  const init = msFromDuration(p.initialInterval)
  const max = msFromDuration(p.maximumInterval)
  if (init < 0) return 'InitialInterval cannot be negative on retry policy.'
  if (max < 0) return 'MaximumInterval cannot be negative on retry policy.'
  if (max > 0 && max < init) {
    return 'MaximumInterval cannot be less than InitialInterval on retry policy.'
  }
  return undefined
}

export function retryPolicyToProto(p: RetryPolicyData): pb.RetryPolicy {
  return {
    initialInterval: durationFromMs(p.initialIntervalMs),
    backoffCoefficient: p.backoffCoefficient,
    maximumInterval: durationFromMs(p.maximumIntervalMs),
    maximumAttempts: p.maximumAttempts,
    nonRetryableErrorTypes: p.nonRetryableErrorTypes,
  }
}

const failureType = api.failure.v1

/** Whether Temporal would retry after this failure (common/retrypolicy IsRetryableFailure). */
export function isRetryableFailure(
  f: pb.Failure | null | undefined,
  nonRetryable: string[],
): boolean {
  if (!f) return true
  if (f.terminatedFailureInfo || f.canceledFailureInfo) return false
  if (f.timeoutFailureInfo) {
    const t = f.timeoutFailureInfo.timeoutType
    const TT = api.enums.v1.TimeoutType
    if (t === TT.TIMEOUT_TYPE_START_TO_CLOSE || t === TT.TIMEOUT_TYPE_HEARTBEAT) {
      return !nonRetryable.includes(timeoutTypeName(t))
    }
    return false
  }
  if (f.serverFailureInfo) return !f.serverFailureInfo.nonRetryable
  if (f.applicationFailureInfo) {
    if (f.applicationFailureInfo.nonRetryable) return false
    return !nonRetryable.includes(f.applicationFailureInfo.type ?? '')
  }
  return true
}

function timeoutTypeName(t: number | null | undefined): string {
  return `TimeoutType${api.enums.v1.TimeoutType[t ?? 0]?.replace('TIMEOUT_TYPE_', '') ?? ''}`
}

/**
 * The delay before the next attempt, given that `attempt` (1-based) just failed, or the retry
 * state that ends retrying (retry.go nextBackoffInterval). `expirationTime` 0 means none.
 */
export function nextBackoff(args: {
  now: number
  attempt: number
  policy: RetryPolicyData
  expirationTime: number
  /** ApplicationFailureInfo.next_retry_delay, when the failure asked for one. */
  nextRetryDelayMs?: number
}): { delayMs: number; state: RetryState } {
  const { now, attempt, policy, expirationTime } = args
  if (policy.maximumAttempts > 0 && attempt >= policy.maximumAttempts) {
    return { delayMs: 0, state: RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED }
  }
  let interval =
    args.nextRetryDelayMs ??
    policy.initialIntervalMs * Math.pow(policy.backoffCoefficient, Math.max(0, attempt - 1))
  const max = args.nextRetryDelayMs ?? policy.maximumIntervalMs
  if (max === 0 && interval <= 0) return { delayMs: 0, state: RetryState.RETRY_STATE_TIMEOUT }
  if (max !== 0 && (interval <= 0 || interval > max)) interval = max
  interval = Math.round(interval)
  if (expirationTime > 0 && now + interval > expirationTime) {
    return { delayMs: 0, state: RetryState.RETRY_STATE_TIMEOUT }
  }
  return { delayMs: interval, state: RetryState.RETRY_STATE_IN_PROGRESS }
}

/** ApplicationFailureInfo.next_retry_delay in ms, if the failure carries one. */
export function nextRetryDelayOf(f: pb.Failure | null | undefined): number | undefined {
  const d = f?.applicationFailureInfo?.nextRetryDelay
  return d ? msFromDuration(d) : undefined
}

export { failureType }
