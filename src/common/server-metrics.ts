/**
 * What the engine parts report for Temporal's server metrics (history, matching, persistence,
 * timers). The Prometheus implementation lives in src/server/prometheus-metrics.ts and is loaded
 * only when a metrics port is set; without one every part gets {@link noopServerMetrics}, so an
 * embedded server pays one empty call per event. Every method must not throw.
 */

/** A task queue as metrics label it; `kind` is 0 for workflow tasks, 1 for activity tasks. */
export interface MetricsTaskQueue {
  namespaceId: string
  /** The normal queue's name, also for a sticky queue (Temporal's task queue family). */
  taskQueue: string
  kind: 0 | 1
  sticky: boolean
}

/** A run whose lifecycle is counted. */
export interface MetricsRun {
  namespaceId: string
  taskQueue: string
  workflowType: string
  /** WorkflowExecutionStatus after the change. */
  status: number
}

/** One task queue's in-memory backlog, read at scrape time. */
export interface MetricsBacklog extends MetricsTaskQueue {
  count: number
}

export interface ServerMetrics {
  /** A run was created: a new start, a continue-as-new, a retry or a cron run. */
  workflowStarted(run: MetricsRun): void
  /** A run's status left Running (completed, failed, timed out, terminated, canceled, CAN). */
  workflowClosed(run: MetricsRun): void
  /** A poll took a task and history recorded it started, `ms` after the task was created. */
  taskDispatched(queue: MetricsTaskQueue, scheduleToStartMs: number): void
  /** A long poll ended with a task (`true`) or empty after its wait (`false`). */
  pollEnded(queue: MetricsTaskQueue, gotTask: boolean): void
  /** One store call; `error` is what it threw, if it did. */
  persistenceCall(operation: string, seconds: number, error: unknown): void
  /** One fired timer (or transfer) task, by Temporal's task type name. */
  historyTask(taskType: string, namespaceId: string, seconds: number, error: unknown): void
  /** This server acquired a shard. */
  shardAcquired(shardId: number): void
  /** This server handed a shard back. */
  shardReleased(shardId: number): void
  /**
   * Registers where the per-queue backlog is read from when metrics are scraped (matching calls
   * it once). The function must be cheap and must not throw.
   */
  setBacklogSource(source: () => Iterable<MetricsBacklog>): void
}

const noop = (): void => {}

/** Metrics off: every report is dropped. */
export const noopServerMetrics: ServerMetrics = {
  workflowStarted: noop,
  workflowClosed: noop,
  taskDispatched: noop,
  pollEnded: noop,
  persistenceCall: noop,
  historyTask: noop,
  shardAcquired: noop,
  shardReleased: noop,
  setBacklogSource: noop,
}
