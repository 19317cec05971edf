import assert from 'node:assert/strict'
import { test } from 'node:test'
import { noopServerMetrics, type ServerMetrics } from '../common/server-metrics.js'
import { meteredStore, PERSISTENCE_OPERATIONS } from './metered-store.js'
import { SqliteStore } from './sqlite/sqlite-store.js'

/** Records what the decorator reports. */
function recorder(): { metrics: ServerMetrics; calls: { operation: string; error: unknown }[] } {
  const calls: { operation: string; error: unknown }[] = []
  return {
    calls,
    metrics: {
      ...noopServerMetrics,
      persistenceCall: (operation, seconds, error) => {
        assert.ok(seconds >= 0)
        calls.push({ operation, error })
      },
    },
  }
}

test('every store method is wrapped under an operation name', () => {
  const store = SqliteStore.open({})
  try {
    const metered = meteredStore(store, noopServerMetrics)
    for (const [group, methods] of Object.entries(PERSISTENCE_OPERATIONS)) {
      const inner = store[group as keyof typeof PERSISTENCE_OPERATIONS] as object
      const outer = metered[group as keyof typeof PERSISTENCE_OPERATIONS] as object
      for (const [method, operation] of Object.entries(methods)) {
        assert.equal(typeof (inner as Record<string, unknown>)[method], 'function', method)
        assert.equal(typeof (outer as Record<string, unknown>)[method], 'function', method)
        assert.match(operation, /^[A-Z][A-Za-z]+$/)
      }
    }
  } finally {
    void store.close()
  }
})

test('calls pass through, and failures are reported and rethrown unchanged', async () => {
  const store = SqliteStore.open({})
  const { metrics, calls } = recorder()
  const metered = meteredStore(store, metrics)
  const { rangeId } = await metered.cluster.acquireShard({ shardId: 1 })
  assert.equal(rangeId, 1)
  const { namespace } = await metered.namespaces.getNamespace({ name: 'nope' })
  assert.equal(namespace, undefined)
  assert.deepEqual(calls, [
    { operation: 'GetOrCreateShard', error: undefined },
    { operation: 'GetNamespace', error: undefined },
  ])
  await metered.close()
  const thrown = await metered.namespaces.getNamespace({ name: 'nope' }).then(
    () => undefined,
    (e: unknown) => e,
  )
  assert.ok(thrown instanceof Error)
  assert.equal(calls.length, 3)
  assert.equal(calls[2]!.operation, 'GetNamespace')
  assert.equal(calls[2]!.error, thrown)
})
