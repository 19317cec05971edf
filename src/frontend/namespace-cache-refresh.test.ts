/**
 * Two nodes' caches over one store: what one node changes in namespaces and search attributes,
 * the other's caches show after a refresh (the server refreshes them periodically).
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { SqliteStore } from '../persistence/sqlite/sqlite-store.js'
import { SearchAttributeRegistry } from '../visibility/search-attribute-registry.js'
import { NamespaceRegistry } from './namespace-registry.js'

const store = SqliteStore.open()
after(() => store.close())

test('a namespace updated, renamed or deleted by one node is seen by the other after a refresh', async () => {
  const a = new NamespaceRegistry({ store: store.namespaces })
  const b = new NamespaceRegistry({ store: store.namespaces })
  const orders = await a.register({ name: 'orders', retentionMs: 86_400_000 })
  assert.equal((await b.getByName('orders')).detail.namespaceInfo?.description, '')
  await a.update('orders', (d) => (d.namespaceInfo!.description = 'the shop'))
  // Cached on b until it refreshes.
  assert.equal(b.cachedByName('orders')?.detail.namespaceInfo?.description, '')
  await b.refresh()
  assert.equal(b.cachedByName('orders')?.detail.namespaceInfo?.description, 'the shop')
  const renamed = await a.markDeleted(orders)
  await b.refresh()
  assert.equal(b.cachedByName('orders'), undefined)
  assert.equal(b.cachedById(orders.id)?.name, renamed.name)
  await a.remove(renamed)
  await b.refresh()
  assert.equal(b.cachedById(orders.id), undefined)
  assert.equal(b.cachedByName(renamed.name), undefined)
})

test('search attributes added or removed by one node are seen by the other after a refresh', async () => {
  const a = await SearchAttributeRegistry.load(store.visibility)
  const b = await SearchAttributeRegistry.load(store.visibility)
  await a.register('ns-1', [['Customer', 2]])
  assert.equal(b.types('ns-1').get('Customer'), undefined)
  await b.refresh()
  assert.equal(b.types('ns-1').get('Customer'), 2)
  await a.remove('ns-1', ['Customer'])
  await b.refresh()
  assert.deepEqual([...b.types('ns-1')], [])
})
