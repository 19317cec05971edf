/**
 * Limits on one run's history (Temporal's limit.historyCount.* and limit.historySize.*): past
 * the warning thresholds a run is logged; a running workflow whose history passes an error
 * threshold is terminated by the history service, and the call that took it there fails
 * (service/history/workflow/context.go enforceHistorySizeCheck, enforceHistoryCountCheck).
 */
import type { Logger } from 'pino'
import type { RunKey } from '../persistence/store.js'
import type { DynamicSettings } from '../server/dynamic-config.js'
import type { MutableStateData } from './mutable-state/state.js'
import { InvalidArgumentError } from '../common/errors.js'
import { WorkflowExecutionStatus } from '../common/proto.js'
import { runLogKeys } from '../common/log-keys.js'

/** consts.IdentityHistoryService: who terminates a run the server ends itself. */
export const HISTORY_SERVICE = 'history-service'

// common.FailureReasonHistorySizeExceedsLimit and ...HistoryCountExceedsLimit: the termination
// reason, and the InvalidArgument message of the call that crossed the limit.
export const historySizeExceedsLimit = 'Workflow history size exceeds limit.'
export const historyCountExceedsLimit = 'Workflow history count exceeds limit.'

/**
 * The change was refused and the run terminated (ErrHistorySizeExceedsLimit,
 * ErrHistoryCountExceedsLimit). A poller's start of a task of that run drops the task instead.
 */
export class HistoryLimitExceededError extends InvalidArgumentError {}

export interface HistoryLimits {
  /** `limit.historyCount.error`: events. */
  countError: number
  /** `limit.historyCount.warn`. */
  countWarn: number
  /** `limit.historySize.error`: bytes of encoded history. */
  sizeError: number
  /** `limit.historySize.warn`. */
  sizeWarn: number
}

/** Temporal's defaults: 51,200 events (warn at 10,240) and 50 MiB (warn at 10 MiB). */
export const DEFAULT_HISTORY_LIMITS: HistoryLimits = {
  countError: 50 * 1024,
  countWarn: 10 * 1024,
  sizeError: 50 * 1024 * 1024,
  sizeWarn: 10 * 1024 * 1024,
}

/** The limits in force: dynamic config where it sets them, Temporal's defaults elsewhere. */
export function historyLimits(dynamic: DynamicSettings): HistoryLimits {
  const d = DEFAULT_HISTORY_LIMITS
  return {
    countError: dynamic.historyCountLimit ?? d.countError,
    countWarn: dynamic.historyCountWarn ?? d.countWarn,
    sizeError: dynamic.historySizeLimitBytes ?? d.sizeError,
    sizeWarn: dynamic.historySizeWarnBytes ?? d.sizeWarn,
  }
}

/**
 * Why a running workflow must be terminated before this transaction commits, or undefined. As in
 * Temporal the size is the history already written (`sizeBytes`) and the count is the next event
 * id less one as the change leaves it (`eventCount`: the events it appends, not those it buffers,
 * which get their ids when the transaction closes); size is checked first.
 */
function historyLimitExceeded(
  limits: HistoryLimits,
  sizeBytes: number,
  eventCount: number,
): string | undefined {
  if (sizeBytes > limits.sizeError) return historySizeExceedsLimit
  if (eventCount > limits.countError) return historyCountExceedsLimit
  return undefined
}

/**
 * Why a run still running after a change (`after`, from the committed `before`) must be
 * terminated instead, or undefined. Logs a run as its event count passes the warning threshold
 * (once, where Temporal logs on every change, throttled).
 */
export function overHistoryLimit(
  limits: HistoryLimits,
  logger: Logger,
  key: RunKey,
  before: MutableStateData,
  after: MutableStateData,
): string | undefined {
  const count = after.nextEventId - 1
  if (count > limits.countWarn && before.nextEventId - 1 <= limits.countWarn) {
    logger.warn({ ...runLogKeys(key), eventCount: count }, 'history count exceeds warn limit.')
  }
  if (after.status !== WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) return undefined
  const over = historyLimitExceeded(limits, before.historySizeBytes, count)
  if (over) {
    logger.warn(
      { ...runLogKeys(key), eventCount: count, historySizeBytes: before.historySizeBytes },
      over,
    )
  }
  return over
}

/** Logs a run whose committed history has just passed the size warning threshold. */
export function warnHistorySize(
  limits: HistoryLimits,
  logger: Logger,
  key: RunKey,
  before: MutableStateData,
  after: MutableStateData,
): void {
  if (after.historySizeBytes > limits.sizeWarn && before.historySizeBytes <= limits.sizeWarn) {
    logger.warn(
      { ...runLogKeys(key), historySizeBytes: after.historySizeBytes },
      'history size exceeds warn limit.',
    )
  }
}
