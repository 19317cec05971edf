/**
 * The engine's metrics on a prom-client registry, under Temporal's server names and labels
 * (common/metrics/metric_defs.go, tags.go): workflow close counters, task schedule-to-start
 * latency, matching's polls and backlog, persistence calls, history (timer) tasks and shards.
 * Beside them, the names the "seeds" dashboard and alerts query (`temporal_*_total`,
 * `temporal_task_queue_lag`). Counters keep Temporal's names: prom-client adds no `_total`.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { WorkflowExecutionStatus } from '../common/proto.js'
import type {
  MetricsBacklog,
  MetricsRun,
  MetricsTaskQueue,
  ServerMetrics,
} from '../common/server-metrics.js'
import {
  ConditionFailedError,
  CurrentWorkflowConditionFailedError,
  NamespaceAlreadyExistsConflictError,
  ShardOwnershipLostError,
} from '../persistence/errors.js'
import { LabelCap } from './label-cap.js'

/** Distinct task queues (and workflow types) per metric before the rest become `__other__`. */
export const DEFAULT_TASK_QUEUE_LABEL_LIMIT = 100

/** Latency buckets in seconds: sub-millisecond calls up to long polls and backlogged tasks. */
export const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
]

const queueLabels = ['namespace', 'taskqueue', 'task_type', 'partition'] as const
const runLabels = ['operation', 'namespace', 'taskqueue', 'workflowType'] as const
type RunLabels = Record<(typeof runLabels)[number], string>
type QueueLabels = Record<(typeof queueLabels)[number], string>

const S = WorkflowExecutionStatus
/** The Temporal counter each closing status increments (service/history/workflow/metrics.go). */
const closeCounterNames = new Map<number, string>([
  [S.WORKFLOW_EXECUTION_STATUS_COMPLETED, 'workflow_success'],
  [S.WORKFLOW_EXECUTION_STATUS_FAILED, 'workflow_failed'],
  [S.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, 'workflow_timeout'],
  [S.WORKFLOW_EXECUTION_STATUS_TERMINATED, 'workflow_terminate'],
  [S.WORKFLOW_EXECUTION_STATUS_CANCELED, 'workflow_cancel'],
  [S.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW, 'workflow_continued_as_new'],
])

/**
 * Conflicts are the store doing its job, not failing: Temporal counts them in
 * `persistence_error_with_type` only, not in `persistence_errors` (persistence_metric_clients.go).
 */
function isConflict(e: unknown): boolean {
  return (
    e instanceof ConditionFailedError ||
    e instanceof CurrentWorkflowConditionFailedError ||
    e instanceof NamespaceAlreadyExistsConflictError ||
    e instanceof ShardOwnershipLostError
  )
}

export interface PrometheusServerMetricsOptions {
  registry: Registry
  /** Default {@link DEFAULT_TASK_QUEUE_LABEL_LIMIT}. */
  taskQueueLabelLimit?: number
}

export class PrometheusServerMetrics implements ServerMetrics {
  private readonly cap: LabelCap
  private namespaceName: (namespaceId: string) => string | undefined = () => undefined
  private backlogSource: () => Iterable<MetricsBacklog> = () => []
  private readonly closeCounters = new Map<number, Counter<(typeof runLabels)[number]>>()
  private readonly started: Counter<(typeof runLabels)[number]>
  private readonly seedCompleted: Counter<(typeof runLabels)[number]>
  private readonly seedFailed: Counter<(typeof runLabels)[number]>
  private readonly scheduleToStart: Histogram<(typeof queueLabels)[number] | 'operation'>
  private readonly taskScheduleToStart: Histogram<(typeof queueLabels)[number] | 'operation'>
  private readonly pollSuccess: Counter<(typeof queueLabels)[number]>
  private readonly pollTimeouts: Counter<(typeof queueLabels)[number]>
  private readonly persistenceRequests: Counter<'operation'>
  private readonly persistenceErrors: Counter<'operation'>
  private readonly persistenceErrorWithType: Counter<'operation' | 'error_type'>
  private readonly seedPersistenceErrors: Counter<'operation'>
  private readonly persistenceLatency: Histogram<'operation'>
  private readonly taskRequests: Counter<'operation' | 'namespace' | 'task_type'>
  private readonly taskErrors: Counter<'operation' | 'namespace' | 'task_type'>
  private readonly taskLatency: Histogram<'operation' | 'namespace' | 'task_type'>
  private readonly numShards: Gauge
  private readonly shardsCreated: Counter

  constructor(opts: PrometheusServerMetricsOptions) {
    this.cap = new LabelCap(opts.taskQueueLabelLimit ?? DEFAULT_TASK_QUEUE_LABEL_LIMIT)
    const registers = [opts.registry]
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Counter<L>({ name, help, labelNames, registers })
    const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Histogram<L>({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers })

    for (const [status, name] of closeCounterNames) {
      this.closeCounters.set(status, counter(name, `Runs closed as ${name}`, runLabels))
    }
    this.started = counter('temporal_workflow_started_total', 'Runs started', runLabels)
    this.seedCompleted = counter(
      'temporal_workflow_completed_total',
      'Runs closed as completed',
      runLabels,
    )
    this.seedFailed = counter('temporal_workflow_failed_total', 'Runs closed as failed', runLabels)

    const dispatchLabels = [...queueLabels, 'operation'] as const
    this.scheduleToStart = histogram(
      'schedule_to_start_latency',
      'Seconds from a task being scheduled to a worker starting it',
      dispatchLabels,
    )
    this.taskScheduleToStart = histogram(
      'task_schedule_to_start_latency',
      'Seconds from a task being scheduled to a worker starting it (Temporal name)',
      dispatchLabels,
    )
    this.pollSuccess = counter('poll_success', 'Polls answered with a task', queueLabels)
    this.pollTimeouts = counter('poll_timeouts', 'Polls that ended empty', queueLabels)

    const readBacklog = (): Map<string, { labels: QueueLabels; count: number }> => {
      const sums = new Map<string, { labels: QueueLabels; count: number }>()
      for (const b of this.backlogSource()) {
        const labels = this.queueLabels('approximate_backlog_count', b)
        const key = Object.values(labels).join('\u0000')
        const sum = sums.get(key)
        if (sum) sum.count += b.count
        else sums.set(key, { labels, count: b.count })
      }
      return sums
    }
    new Gauge({
      name: 'approximate_backlog_count',
      help: 'Tasks waiting in a task queue for a poll',
      labelNames: queueLabels,
      registers,
      collect() {
        this.reset()
        for (const { labels, count } of readBacklog().values()) this.set(labels, count)
      },
    })
    new Gauge({
      name: 'temporal_task_queue_lag',
      help: 'Tasks waiting in a task queue for a poll (the seeds dashboard name)',
      labelNames: queueLabels,
      registers,
      collect() {
        this.reset()
        for (const { labels, count } of readBacklog().values()) this.set(labels, count)
      },
    })

    this.persistenceRequests = counter('persistence_requests', 'Store calls', ['operation'])
    this.persistenceErrors = counter(
      'persistence_errors',
      'Store calls that failed (conflicts excluded)',
      ['operation'],
    )
    this.persistenceErrorWithType = counter(
      'persistence_error_with_type',
      'Store calls that threw, conflicts included, by error class',
      ['operation', 'error_type'],
    )
    this.seedPersistenceErrors = counter(
      'temporal_persistence_errors_total',
      'Store calls that failed (conflicts excluded; the seeds alert name)',
      ['operation'],
    )
    this.persistenceLatency = histogram('persistence_latency', 'Seconds per store call', [
      'operation',
    ])

    const taskLabels = ['operation', 'namespace', 'task_type'] as const
    this.taskRequests = counter('task_requests', 'History timer and transfer tasks run', taskLabels)
    this.taskErrors = counter('task_errors', 'History tasks that failed and will retry', taskLabels)
    this.taskLatency = histogram('task_latency', 'Seconds to run a history task', taskLabels)
    this.numShards = new Gauge({ name: 'numshards_gauge', help: 'Shards owned', registers })
    this.shardsCreated = new Counter({
      name: 'sharditem_created_count',
      help: 'Shards acquired',
      registers,
    })
  }

  /** Labels runs and queues by namespace name once the namespace registry is up. */
  setNamespaceNames(lookup: (namespaceId: string) => string | undefined): void {
    this.namespaceName = lookup
  }

  setBacklogSource(source: () => Iterable<MetricsBacklog>): void {
    this.backlogSource = source
  }

  workflowStarted(run: MetricsRun): void {
    this.started.inc(this.runLabels('temporal_workflow_started_total', run))
  }

  workflowClosed(run: MetricsRun): void {
    const name = closeCounterNames.get(run.status)
    if (!name) return
    this.closeCounters.get(run.status)?.inc(this.runLabels(name, run))
    if (run.status === S.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      this.seedCompleted.inc(this.runLabels('temporal_workflow_completed_total', run))
    } else if (run.status === S.WORKFLOW_EXECUTION_STATUS_FAILED) {
      this.seedFailed.inc(this.runLabels('temporal_workflow_failed_total', run))
    }
  }

  taskDispatched(queue: MetricsTaskQueue, scheduleToStartMs: number): void {
    const operation = queue.kind === 0 ? 'RecordWorkflowTaskStarted' : 'RecordActivityTaskStarted'
    const seconds = Math.max(0, scheduleToStartMs) / 1000
    const labels = { ...this.queueLabels('schedule_to_start_latency', queue), operation }
    this.scheduleToStart.observe(labels, seconds)
    this.taskScheduleToStart.observe(
      { ...this.queueLabels('task_schedule_to_start_latency', queue), operation },
      seconds,
    )
  }

  pollEnded(queue: MetricsTaskQueue, gotTask: boolean): void {
    if (gotTask) this.pollSuccess.inc(this.queueLabels('poll_success', queue))
    else this.pollTimeouts.inc(this.queueLabels('poll_timeouts', queue))
  }

  persistenceCall(operation: string, seconds: number, error: unknown): void {
    const labels = { operation }
    this.persistenceRequests.inc(labels)
    this.persistenceLatency.observe(labels, seconds)
    if (error === undefined) return
    const errorType = error instanceof Error ? error.name : typeof error
    this.persistenceErrorWithType.inc({ operation, error_type: errorType })
    if (isConflict(error)) return
    this.persistenceErrors.inc(labels)
    this.seedPersistenceErrors.inc(labels)
  }

  historyTask(taskType: string, namespaceId: string, seconds: number, error: unknown): void {
    const labels = {
      operation: taskType,
      namespace: this.namespace(namespaceId),
      task_type: taskType,
    }
    this.taskRequests.inc(labels)
    this.taskLatency.observe(labels, seconds)
    if (error !== undefined) this.taskErrors.inc(labels)
  }

  shardAcquired(_shardId: number): void {
    this.numShards.inc()
    this.shardsCreated.inc()
  }

  shardReleased(_shardId: number): void {
    this.numShards.dec()
  }

  private namespace(namespaceId: string): string {
    return this.namespaceName(namespaceId) ?? namespaceId
  }

  private runLabels(metric: string, run: MetricsRun): RunLabels {
    return {
      operation: 'CompletionStats',
      namespace: this.namespace(run.namespaceId),
      taskqueue: this.cap.value(metric, run.taskQueue),
      workflowType: this.cap.value(`${metric}/workflowType`, run.workflowType),
    }
  }

  /** Temporal's per-task-queue labels (GetPerTaskQueuePartitionTypeScope). */
  private queueLabels(metric: string, queue: MetricsTaskQueue): QueueLabels {
    return {
      namespace: this.namespace(queue.namespaceId),
      taskqueue: this.cap.value(metric, queue.taskQueue),
      task_type: queue.kind === 0 ? 'Workflow' : 'Activity',
      partition: queue.sticky ? '__sticky__' : '__normal__',
    }
  }
}
