/**
 * Bounds a label's distinct values per metric, so that a server with many task queues (or a
 * client inventing names) cannot grow the metrics page without end. Temporal's answer is to omit
 * the task queue unless `metrics.breakdownByTaskQueue` says otherwise (common/metrics/task_queues.go,
 * `__omitted__`); here the first `limit` values keep their name and the rest share one.
 */

/** The value every label value past the cap is folded into. */
export const OTHER_LABEL_VALUE = '__other__'

export class LabelCap {
  private readonly seen = new Map<string, Set<string>>()

  constructor(readonly limit: number) {}

  /**
   * `value` if it is one of the first `limit` distinct values seen for `metric` (or still fits),
   * else {@link OTHER_LABEL_VALUE}. A value keeps its answer for the life of the process.
   */
  value(metric: string, value: string): string {
    let values = this.seen.get(metric)
    if (!values) this.seen.set(metric, (values = new Set()))
    if (values.has(value)) return value
    if (values.size >= this.limit) return OTHER_LABEL_VALUE
    values.add(value)
    return value
  }
}
