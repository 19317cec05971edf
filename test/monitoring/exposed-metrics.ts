/**
 * The sample names a Sundial server's `/metrics` endpoint exposes, as Prometheus stores them
 * (histograms as their `_bucket`, `_sum` and `_count` series). Every PromQL expression in
 * deploy/monitoring (dashboards and rules) may use only these names, plus the few Prometheus
 * makes up itself (`up`), which monitoring.test.ts adds.
 *
 * monitoring.test.ts checks both ways: the expressions use only these, and a live server's
 * `/metrics` declares every one of them.
 */
export const EXPOSED_METRICS: readonly string[] = [
  // Frontend, by operation and namespace (Temporal's names: counters without `_total`).
  'service_requests',
  'service_errors',
  'service_latency_bucket',
  'service_latency_sum',
  'service_latency_count',
  // Persistence, by operation.
  'persistence_requests',
  'persistence_errors',
  'persistence_latency_bucket',
  'persistence_latency_sum',
  'persistence_latency_count',
  // Workflow closes, by namespace.
  'workflow_success',
  'workflow_failed',
  'workflow_timeout',
  'workflow_terminate',
  'workflow_cancel',
  'workflow_continued_as_new',
  // Matching, by namespace and task queue.
  'schedule_to_start_latency_bucket',
  'schedule_to_start_latency_sum',
  'schedule_to_start_latency_count',
  'approximate_backlog_count',
  'poll_success',
  'poll_timeouts',
  // The seeds' dashboard and alert names, kept as they were.
  'temporal_workflow_started_total',
  'temporal_workflow_completed_total',
  'temporal_workflow_failed_total',
  'temporal_task_queue_lag',
  'temporal_persistence_errors_total',
  // Node.js process metrics (prom-client's collectDefaultMetrics).
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_seconds',
]
