/** Contract cases for the NamespaceStore and the ClusterStore. */
import assert from 'node:assert/strict'
import { ConditionFailedError, NamespaceAlreadyExistsConflictError } from '../errors.js'
import type { NamespaceRecord, Store } from '../store.js'
import type { ContractTest } from './fixtures.js'

function namespace(name: string, over: Partial<NamespaceRecord> = {}): NamespaceRecord {
  return {
    id: `id-${name}`,
    name,
    notificationVersion: 1,
    data: JSON.stringify({ description: name }),
    ...over,
  }
}

async function listAll(store: Store, pageSize: number): Promise<string[][]> {
  const pages: string[][] = []
  let pageToken: Uint8Array | undefined
  do {
    const res = await store.namespaces.listNamespaces({ pageSize, pageToken })
    pages.push(res.namespaces.map((n) => n.name))
    pageToken = res.nextPageToken
    if (pages.length > 100) throw new Error('listNamespaces does not terminate')
  } while (pageToken.length > 0)
  return pages
}

export function namespaceClusterCases(it: ContractTest): void {
  it('createNamespace, then getNamespace by name, by id and by both', async (store) => {
    const ns = namespace('orders')
    await store.namespaces.createNamespace({ namespace: ns })
    const get = store.namespaces.getNamespace.bind(store.namespaces)
    assert.deepEqual(await get({ name: 'orders' }), { namespace: ns })
    assert.deepEqual(await get({ id: ns.id }), { namespace: ns })
    assert.deepEqual(await get({ id: ns.id, name: 'orders' }), { namespace: ns })
  })

  it('getNamespace of an unknown name or id, or a mismatched pair, is undefined', async (store) => {
    await store.namespaces.createNamespace({ namespace: namespace('orders') })
    await store.namespaces.createNamespace({ namespace: namespace('billing') })
    const get = store.namespaces.getNamespace.bind(store.namespaces)
    assert.deepEqual(await get({ name: 'nope' }), { namespace: undefined })
    assert.deepEqual(await get({ id: 'id-nope' }), { namespace: undefined })
    assert.deepEqual(await get({ id: 'id-orders', name: 'billing' }), { namespace: undefined })
  })

  it('createNamespace of a taken name or id fails with a conflict', async (store) => {
    const ns = namespace('orders')
    await store.namespaces.createNamespace({ namespace: ns })
    await assert.rejects(
      store.namespaces.createNamespace({ namespace: namespace('orders', { id: 'id-2' }) }),
      NamespaceAlreadyExistsConflictError,
    )
    await assert.rejects(
      store.namespaces.createNamespace({ namespace: namespace('other', { id: ns.id }) }),
      NamespaceAlreadyExistsConflictError,
    )
    assert.deepEqual(await store.namespaces.getNamespace({ name: 'orders' }), { namespace: ns })
    assert.deepEqual(await store.namespaces.getNamespace({ name: 'other' }), {
      namespace: undefined,
    })
  })

  it('listNamespaces pages in name order, ending with an empty token', async (store) => {
    assert.deepEqual(await listAll(store, 10), [[]])
    for (const name of ['delta', 'alpha', 'echo', 'charlie', 'bravo']) {
      await store.namespaces.createNamespace({ namespace: namespace(name) })
    }
    assert.deepEqual(await listAll(store, 2), [['alpha', 'bravo'], ['charlie', 'delta'], ['echo']])
    assert.deepEqual(await listAll(store, 5), [['alpha', 'bravo', 'charlie', 'delta', 'echo']])
    const { namespaces } = await store.namespaces.listNamespaces({ pageSize: 1 })
    assert.deepEqual(namespaces, [namespace('alpha')])
  })

  it('updateNamespace applies at the expected notificationVersion', async (store) => {
    await store.namespaces.createNamespace({ namespace: namespace('orders') })
    const v2 = namespace('orders', { notificationVersion: 2, data: '{"description":"v2"}' })
    await store.namespaces.updateNamespace({ namespace: v2, expectedNotificationVersion: 1 })
    assert.deepEqual(await store.namespaces.getNamespace({ id: v2.id }), { namespace: v2 })
  })

  it('updateNamespace at a stale notificationVersion fails with ConditionFailedError', async (store) => {
    await store.namespaces.createNamespace({ namespace: namespace('orders') })
    const v2 = namespace('orders', { notificationVersion: 2, data: '{"description":"v2"}' })
    await store.namespaces.updateNamespace({ namespace: v2, expectedNotificationVersion: 1 })
    const stale = namespace('orders', { notificationVersion: 2, data: '{"description":"lost"}' })
    await assert.rejects(
      store.namespaces.updateNamespace({ namespace: stale, expectedNotificationVersion: 1 }),
      ConditionFailedError,
    )
    const missing = namespace('missing', { notificationVersion: 2 })
    await assert.rejects(
      store.namespaces.updateNamespace({ namespace: missing, expectedNotificationVersion: 1 }),
      ConditionFailedError,
    )
    assert.deepEqual(await store.namespaces.getNamespace({ id: v2.id }), { namespace: v2 })
  })

  it('updateNamespace renames, refusing a taken name', async (store) => {
    await store.namespaces.createNamespace({ namespace: namespace('orders') })
    await store.namespaces.createNamespace({ namespace: namespace('billing') })
    const renamed = namespace('orders', { name: 'orders-deleted-id-or', notificationVersion: 2 })
    await store.namespaces.updateNamespace({ namespace: renamed, expectedNotificationVersion: 1 })
    assert.deepEqual(await store.namespaces.getNamespace({ name: 'orders' }), {
      namespace: undefined,
    })
    assert.deepEqual(await store.namespaces.getNamespace({ id: 'id-orders' }), {
      namespace: renamed,
    })
    const onto = namespace('orders', { name: 'billing', notificationVersion: 3 })
    await assert.rejects(
      store.namespaces.updateNamespace({ namespace: onto, expectedNotificationVersion: 2 }),
      NamespaceAlreadyExistsConflictError,
    )
  })

  it('deleteNamespace removes the namespace and its search attributes only', async (store) => {
    await store.namespaces.createNamespace({ namespace: namespace('orders') })
    await store.namespaces.createNamespace({ namespace: namespace('billing') })
    await store.visibility.addSearchAttributes({
      attributes: [
        { namespaceId: 'id-orders', name: 'Customer', type: 2 },
        { namespaceId: 'id-billing', name: 'Invoice', type: 2 },
      ],
    })
    await store.namespaces.deleteNamespace({ id: 'id-orders' })
    await store.namespaces.deleteNamespace({ id: 'id-unknown' })
    assert.deepEqual(await store.namespaces.getNamespace({ id: 'id-orders' }), {
      namespace: undefined,
    })
    assert.deepEqual(await listAll(store, 10), [['billing']])
    const { attributes } = await store.visibility.listSearchAttributes({})
    assert.deepEqual(attributes, [{ namespaceId: 'id-billing', name: 'Invoice', type: 2 }])
  })

  it('getOrInitMetadata stores the first value and returns it thereafter', async (store) => {
    const init = store.cluster.getOrInitMetadata.bind(store.cluster)
    assert.deepEqual(await init({ key: 'token-key', value: 'first' }), { value: 'first' })
    assert.deepEqual(await init({ key: 'token-key', value: 'second' }), { value: 'first' })
    assert.deepEqual(await init({ key: 'other-key', value: 'third' }), { value: 'third' })
  })

  it('acquireShard returns 1 at first, then one more on each call, per shard', async (store) => {
    const acquire = async (shardId: number) =>
      (await store.cluster.acquireShard({ shardId })).rangeId
    assert.equal(await acquire(1), 1)
    assert.equal(await acquire(1), 2)
    assert.equal(await acquire(2), 1)
    assert.equal(await acquire(1), 3)
  })
}
