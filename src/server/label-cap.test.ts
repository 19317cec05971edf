import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Registry } from 'prom-client'
import { ConditionFailedError } from '../persistence/errors.js'
import { LabelCap, OTHER_LABEL_VALUE } from './label-cap.js'
import { PrometheusServerMetrics } from './prometheus-metrics.js'

test('LabelCap keeps the first values of each metric and folds the rest', () => {
  const cap = new LabelCap(2)
  assert.equal(cap.value('m', 'a'), 'a')
  assert.equal(cap.value('m', 'b'), 'b')
  assert.equal(cap.value('m', 'c'), OTHER_LABEL_VALUE)
  // Values seen before the cap was reached keep their name.
  assert.equal(cap.value('m', 'a'), 'a')
  // Each metric has its own budget.
  assert.equal(cap.value('other', 'c'), 'c')
})

/** Series of one metric in a registry, as `labels JSON -> value`. */
async function series(registry: Registry, name: string): Promise<Map<string, number>> {
  const metric = registry.getSingleMetric(name)
  assert.ok(metric, `no metric ${name}`)
  const { values } = await metric.get()
  return new Map(values.map((v) => [JSON.stringify(v.labels), v.value]))
}

test('task queue labels are capped per metric, the rest counted under __other__', async () => {
  const registry = new Registry()
  const metrics = new PrometheusServerMetrics({ registry, taskQueueLabelLimit: 100 })
  metrics.setNamespaceNames((id) => (id === 'ns-id' ? 'default' : undefined))
  for (let i = 0; i < 150; i++) {
    metrics.pollEnded({ namespaceId: 'ns-id', taskQueue: `tq-${i}`, kind: 1, sticky: false }, true)
  }
  const polls = await series(registry, 'poll_success')
  assert.equal(polls.size, 101)
  const other = JSON.stringify({
    namespace: 'default',
    taskqueue: OTHER_LABEL_VALUE,
    task_type: 'Activity',
    partition: '__normal__',
  })
  assert.equal(polls.get(other), 50)

  // The backlog gauge sums the queues folded into one label set.
  metrics.setBacklogSource(() =>
    Array.from({ length: 120 }, (_, i) => ({
      namespaceId: 'ns-id',
      taskQueue: `b-${i}`,
      kind: 0 as const,
      sticky: false,
      count: 2,
    })),
  )
  const backlog = await series(registry, 'approximate_backlog_count')
  assert.equal(backlog.size, 101)
  assert.equal(backlog.get(JSON.stringify({ ...JSON.parse(other), task_type: 'Workflow' })), 40)
})

test('persistence conflicts count as typed errors only, failures as errors too', async () => {
  const registry = new Registry()
  const metrics = new PrometheusServerMetrics({ registry })
  metrics.persistenceCall('UpdateWorkflowExecution', 0.01, undefined)
  metrics.persistenceCall('UpdateWorkflowExecution', 0.01, new ConditionFailedError('moved'))
  metrics.persistenceCall('UpdateWorkflowExecution', 0.01, new Error('disk full'))
  const op = JSON.stringify({ operation: 'UpdateWorkflowExecution' })
  assert.equal((await series(registry, 'persistence_requests')).get(op), 3)
  assert.equal((await series(registry, 'persistence_errors')).get(op), 1)
  assert.equal((await series(registry, 'temporal_persistence_errors_total')).get(op), 1)
  const typed = await series(registry, 'persistence_error_with_type')
  assert.equal(
    typed.get(
      JSON.stringify({ operation: 'UpdateWorkflowExecution', error_type: 'ConditionFailedError' }),
    ),
    1,
  )
  // Counters keep Temporal's names: no `_total` is added in the text format.
  const text = await registry.metrics()
  assert.match(text, /^persistence_requests\{operation="UpdateWorkflowExecution"\} 3$/m)
  assert.doesNotMatch(text, /^persistence_requests_total/m)
})
