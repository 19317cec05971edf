/**
 * Sticky queues in matching. A sticky queue belongs to one worker process; when that worker has
 * not polled it lately, matching refuses work for it (StickyWorkerUnavailableError) and the work
 * goes to the run's normal queue instead (service/matching/matching_engine.go
 * `stickyWorkerAvailable`).
 */

/**
 * A sticky worker not seen polling for this long is treated as gone. Temporal's value: the
 * default sticky schedule-to-start timeout is 5 s (10 s in the TypeScript SDK), so 10 s is the
 * point where waiting any longer only delays the run.
 */
export const stickyPollerUnavailableWindowMs = 10_000
