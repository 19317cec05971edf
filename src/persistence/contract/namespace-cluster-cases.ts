/** Contract cases for the NamespaceStore and the ClusterStore. */
import assert from 'node:assert/strict'
import { ConditionFailedError, NamespaceAlreadyExistsConflictError } from '../errors.js'
import type { MemberRecord, NamespaceRecord, Store } from '../store.js'
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

/** A time past 2^32 ms, so BIGINT columns must come back whole and as numbers. */
const T = 1_700_000_000_000

function member(hostId: string, over: Partial<MemberRecord> = {}): MemberRecord {
  return {
    hostId,
    internalAddress: `${hostId}:7233`,
    rpcAddress: `${hostId}:7234`,
    roles: ['frontend', 'history', 'matching', 'worker'],
    sessionStart: T,
    lastHeartbeat: T + 100,
    recordExpiry: T + 1000,
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

  it('acquireShard gives range ids increasing across all shards, and listShards their owners', async (store) => {
    assert.deepEqual(await store.cluster.listShards(), { shards: [] })
    const acquire = async (shardId: number, owner?: string) =>
      (await store.cluster.acquireShard({ shardId, owner })).rangeId
    // Task ids are rangeId * 2^32 + n, so no two acquisitions of any shards may share one.
    const ids = [
      await acquire(1, 'host-a'),
      await acquire(2, 'host-a'),
      await acquire(1, 'host-b'),
      await acquire(3),
      await acquire(2, 'host-b'),
    ]
    ids.forEach((id, i) => assert.ok(i === 0 || id > ids[i - 1]!, `range ids ${ids.join(', ')}`))
    assert.ok(ids.every(Number.isSafeInteger))
    assert.deepEqual(await store.cluster.listShards(), {
      shards: [
        { shardId: 1, rangeId: ids[2], owner: 'host-b' },
        { shardId: 2, rangeId: ids[4], owner: 'host-b' },
        { shardId: 3, rangeId: ids[3], owner: '' },
      ],
    })
  })

  it('releaseShard clears the owner only while the range id and the owner still match', async (store) => {
    const shardOne = async () => (await store.cluster.listShards()).shards[0]
    const { rangeId } = await store.cluster.acquireShard({ shardId: 1, owner: 'host-a' })
    await store.cluster.releaseShard({ shardId: 1, rangeId, owner: 'host-b' })
    await store.cluster.releaseShard({ shardId: 1, rangeId: rangeId + 1, owner: 'host-a' })
    assert.deepEqual(await shardOne(), { shardId: 1, rangeId, owner: 'host-a' })
    await store.cluster.releaseShard({ shardId: 1, rangeId, owner: 'host-a' })
    // Releasing keeps the range id: only the next acquire moves it.
    assert.deepEqual(await shardOne(), { shardId: 1, rangeId, owner: '' })

    // A holder releasing after another node took the shard changes nothing.
    const first = await store.cluster.acquireShard({ shardId: 1, owner: 'host-a' })
    const second = await store.cluster.acquireShard({ shardId: 1, owner: 'host-b' })
    await store.cluster.releaseShard({ shardId: 1, rangeId: first.rangeId, owner: 'host-a' })
    assert.deepEqual(await shardOne(), { shardId: 1, rangeId: second.rangeId, owner: 'host-b' })

    // A shard never acquired stays absent.
    await store.cluster.releaseShard({ shardId: 9, rangeId: 1, owner: 'host-a' })
    assert.equal((await store.cluster.listShards()).shards.length, 1)
  })

  it('upsertMember inserts or replaces by hostId; listMembers returns the unexpired by hostId', async (store) => {
    const a = member('host-a', { roles: ['frontend', 'history'], recordExpiry: T + 3000 })
    const b = member('host-b', { roles: [], rpcAddress: '', recordExpiry: T + 2000 })
    const c = member('host-c', { roles: ['worker'], recordExpiry: T + 1000 })
    for (const m of [b, c, a]) await store.cluster.upsertMember({ member: m })
    const list = async (aliveAt: number) => (await store.cluster.listMembers({ aliveAt })).members
    assert.deepEqual(await list(T), [a, b, c])
    // A record expiring at aliveAt is gone by then.
    assert.deepEqual(await list(T + 1000), [a, b])

    const a2 = member('host-a', {
      internalAddress: '10.0.0.9:7233',
      rpcAddress: '10.0.0.9:7234',
      roles: ['matching'],
      sessionStart: T + 500,
      lastHeartbeat: T + 4000,
      recordExpiry: T + 9000,
    })
    await store.cluster.upsertMember({ member: a2 })
    assert.deepEqual(await list(T), [a2, b, c])
    assert.deepEqual(await list(T + 3000), [a2])
    assert.deepEqual(await list(T + 9000), [])
  })

  it('deleteMember removes one member; pruneMembers those expired before the given time', async (store) => {
    for (const [hostId, expiry] of [
      ['host-a', 1000],
      ['host-b', 2000],
      ['host-c', 3000],
    ] as const) {
      await store.cluster.upsertMember({ member: member(hostId, { recordExpiry: T + expiry }) })
    }
    const hosts = async () =>
      (await store.cluster.listMembers({ aliveAt: 0 })).members.map((m) => m.hostId)
    await store.cluster.deleteMember({ hostId: 'host-a' })
    await store.cluster.deleteMember({ hostId: 'host-unknown' })
    assert.deepEqual(await hosts(), ['host-b', 'host-c'])
    await store.cluster.pruneMembers({ expiredBefore: T + 2000 })
    assert.deepEqual(await hosts(), ['host-b', 'host-c'])
    await store.cluster.pruneMembers({ expiredBefore: T + 2001 })
    assert.deepEqual(await hosts(), ['host-c'])
  })
}
