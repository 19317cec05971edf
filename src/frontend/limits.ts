/**
 * The frontend's limits on what a request may carry, with Temporal's defaults and the dynamic
 * config keys that change them.
 */
import type { DynamicSettings } from '../server/dynamic-config.js'
import { DEFAULT_BLOB_SIZE_LIMIT_BYTES } from './errors.js'

export interface FrontendLimits {
  blobSizeLimit: number
  /** How long GetWorkflowExecutionHistory waits for new events. */
  historyLongPollMs: number
}

/** The limits in force: dynamic config where it sets them, Temporal's defaults elsewhere. */
export function frontendLimits(dynamic: DynamicSettings): FrontendLimits {
  return {
    blobSizeLimit: dynamic.blobSizeLimitBytes ?? DEFAULT_BLOB_SIZE_LIMIT_BYTES,
    historyLongPollMs: dynamic.historyLongPollMs ?? 20_000,
  }
}
