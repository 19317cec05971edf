/**
 * How fast a batch job goes. Temporal's batcher waits on a rate limiter of `worker.batcherRPS`
 * (default 50) per operation, with a burst of one second's worth; here a job applies one
 * second's worth (at most {@link MAX_CHUNK}) per wake-up and sleeps, durably, until that many
 * operations' time has passed, so a paced job costs a timer between chunks and nothing else.
 */

/** Temporal's `worker.batcherRPS` default: the most operations per second a job may ask for. */
export const DEFAULT_MAX_OPERATIONS_PER_SECOND = 50
/** The most targets applied between two commits of a job's progress. */
export const MAX_CHUNK = 100
/** Operations in flight at once within a chunk (Temporal's `worker.batcherConcurrency`). */
export const CONCURRENCY = 5

/**
 * The rate a job runs at: the requested one when it is above 0 and within the server's cap,
 * the cap otherwise (the proto's rule for `max_operations_per_second`; older servers'
 * getOperationRPS did exactly this).
 */
export function effectiveRps(requested: number, cap: number): number {
  return requested > 0 && requested <= cap ? requested : cap
}

/** Targets per chunk: a second's worth, at least one, at most {@link MAX_CHUNK}. */
export function chunkSize(rps: number): number {
  return Math.max(1, Math.min(MAX_CHUNK, Math.floor(rps)))
}

/** When the chunk after one of `n` operations begun at `chunkStart` may begin. */
export function nextChunkTime(chunkStart: number, n: number, rps: number): number {
  return chunkStart + Math.ceil((n * 1000) / rps)
}
