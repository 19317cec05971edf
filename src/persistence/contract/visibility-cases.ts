/** Contract cases for the VisibilityStore: rows kept by run writes, list, count, paging. */
import assert from 'node:assert/strict'
import { InvalidArgumentError } from '../../common/errors.js'
import type { RunKey, Store, VisibilityRecord } from '../store.js'
import { createRun, newRunKey, remove, updateRun, write, type ContractTest } from './fixtures.js'

const RUNNING = 1
const COMPLETED = 2
const T0 = 1_700_000_000_000

function row(key: RunKey, over: Partial<VisibilityRecord> = {}): VisibilityRecord {
  return {
    namespaceId: key.namespaceId,
    runId: key.runId,
    workflowId: key.workflowId,
    workflowType: 'contract-type',
    taskQueue: 'tq-contract',
    status: RUNNING,
    startTime: T0,
    executionTime: T0,
    closeTime: 0,
    historyLength: 3,
    historySizeBytes: 100,
    stateTransitionCount: 1,
    rootWorkflowId: key.workflowId,
    rootRunId: key.runId,
    searchAttributes: '{}',
    ...over,
  }
}

const noCustom = new Map<string, number>()

async function listIds(store: Store, query: string, pageSize = 1000): Promise<string[][]> {
  const pages: string[][] = []
  let pageToken: Uint8Array | undefined
  do {
    const page = await store.visibility.listWorkflowExecutions({
      namespaceId: 'ns-contract',
      query,
      customAttributes: noCustom,
      pageSize,
      pageToken,
    })
    pages.push(page.records.map((r) => r.workflowId))
    pageToken = page.nextPageToken
    if (pages.length > 1000) throw new Error('listWorkflowExecutions does not terminate')
  } while (pageToken.length > 0)
  return pages
}

export function visibilityCases(it: ContractTest): void {
  it('a run write keeps its visibility row; delete removes it', async (store) => {
    const key = newRunKey('wf-visible')
    await write(store, createRun(key, { visibility: row(key, { searchAttributes: '{"Kw":"x"}' }) }))
    const [listed] = (
      await store.visibility.listWorkflowExecutions({
        namespaceId: 'ns-contract',
        query: '',
        customAttributes: noCustom,
        pageSize: 10,
      })
    ).records
    // The document's text is the store's (PostgreSQL's jsonb spaces it); its value is what was written.
    assert.ok(listed)
    assert.deepEqual(JSON.parse(listed.searchAttributes), { Kw: 'x' })
    assert.deepEqual(listed, row(key, { searchAttributes: listed.searchAttributes }))

    const closed = row(key, { status: COMPLETED, closeTime: T0 + 5000 })
    await write(store, updateRun(key, 1, { visibility: closed }))
    assert.deepEqual(await listIds(store, `ExecutionStatus = 'Completed'`), [['wf-visible']])
    assert.deepEqual(await listIds(store, `ExecutionDuration = '5s'`), [['wf-visible']])
    await remove(store, key, 2)
    assert.deepEqual(await listIds(store, ''), [[]])
  })

  it('default order: open runs first, newest start first, then closed by close time', async (store) => {
    const writes = [
      ['closed-early', T0, T0 + 10],
      ['open-old', T0, 0],
      ['closed-late', T0, T0 + 20],
      ['open-new', T0 + 5, 0],
    ].map(([id, start, close]) => {
      const key = newRunKey(id as string)
      const status = close ? COMPLETED : RUNNING
      return createRun(key, {
        visibility: row(key, { startTime: start as number, closeTime: close as number, status }),
      })
    })
    await write(store, ...writes)
    assert.deepEqual(await listIds(store, ''), [
      ['open-new', 'open-old', 'closed-late', 'closed-early'],
    ])
    assert.deepEqual(await listIds(store, 'ORDER BY WorkflowId'), [
      ['closed-early', 'closed-late', 'open-new', 'open-old'],
    ])
  })

  it('pages neither repeat nor skip rows, in either order, and count agrees', async (store) => {
    const writes = Array.from({ length: 25 }, (_, i) => {
      const key = newRunKey(`page-${String(i).padStart(2, '0')}`)
      // Ties on start and close time: the run id breaks them.
      const closeTime = i % 2 ? T0 + (i % 3) : 0
      const status = closeTime ? COMPLETED : RUNNING
      return createRun(key, {
        visibility: row(key, { startTime: T0 + (i % 4), closeTime, status }),
      })
    })
    await write(store, ...writes)
    for (const query of ['', 'ORDER BY StartTime DESC']) {
      const pages = await listIds(store, query, 7)
      assert.deepEqual(
        pages.map((p) => p.length),
        [7, 7, 7, 4],
      )
      assert.equal(new Set(pages.flat()).size, 25)
    }
    const { count } = await store.visibility.countWorkflowExecutions({
      namespaceId: 'ns-contract',
      query: '',
      customAttributes: noCustom,
    })
    assert.equal(count, 25)
    const grouped = await store.visibility.countWorkflowExecutions({
      namespaceId: 'ns-contract',
      query: 'GROUP BY ExecutionStatus',
      customAttributes: noCustom,
    })
    assert.deepEqual(grouped, {
      count: 25,
      groups: [
        { status: RUNNING, count: 13 },
        { status: COMPLETED, count: 12 },
      ],
    })
  })

  it('custom attributes are queried by their registered type', async (store) => {
    const a = newRunKey('typed-a')
    const b = newRunKey('typed-b')
    await write(
      store,
      createRun(a, { visibility: row(a, { searchAttributes: '{"Num":5,"Tags":["x","y"]}' }) }),
      createRun(b, { visibility: row(b, { searchAttributes: '{"Num":50,"Tags":["y"]}' }) }),
    )
    const customAttributes = new Map([
      ['Num', 3],
      ['Tags', 7],
    ])
    const ids = async (query: string) =>
      (
        await store.visibility.listWorkflowExecutions({
          namespaceId: 'ns-contract',
          query,
          customAttributes,
          pageSize: 10,
        })
      ).records
        .map((r) => r.workflowId)
        .sort()
    assert.deepEqual(await ids('Num > 10'), ['typed-b'])
    assert.deepEqual(await ids(`Tags = 'x'`), ['typed-a'])
    assert.deepEqual(await ids(`Tags = 'y' ORDER BY Num DESC`), ['typed-a', 'typed-b'])
  })

  it('invalid queries and page tokens are InvalidArgument', async (store) => {
    const list = (query: string, pageToken?: Uint8Array) =>
      store.visibility.listWorkflowExecutions({
        namespaceId: 'ns-contract',
        query,
        customAttributes: noCustom,
        pageSize: 10,
        pageToken,
      })
    await assert.rejects(list(`Nope = 1`), InvalidArgumentError)
    await assert.rejects(list(`WorkflowId = 'x'; DELETE FROM x`), InvalidArgumentError)
    await assert.rejects(list('', new TextEncoder().encode('garbage')), InvalidArgumentError)
  })

  it('search attributes: add, list per namespace and all, remove', async (store) => {
    await store.visibility.addSearchAttributes({
      attributes: [
        { namespaceId: 'ns-a', name: 'Customer', type: 2 },
        { namespaceId: 'ns-a', name: 'Amount', type: 4 },
        { namespaceId: 'ns-b', name: 'Customer', type: 1 },
      ],
    })
    // Adding an existing name again keeps its type.
    await store.visibility.addSearchAttributes({
      attributes: [{ namespaceId: 'ns-a', name: 'Customer', type: 3 }],
    })
    assert.deepEqual(
      (await store.visibility.listSearchAttributes({ namespaceId: 'ns-a' })).attributes,
      [
        { namespaceId: 'ns-a', name: 'Amount', type: 4 },
        { namespaceId: 'ns-a', name: 'Customer', type: 2 },
      ],
    )
    await store.visibility.removeSearchAttributes({ namespaceId: 'ns-a', names: ['Customer'] })
    assert.deepEqual((await store.visibility.listSearchAttributes({})).attributes, [
      { namespaceId: 'ns-a', name: 'Amount', type: 4 },
      { namespaceId: 'ns-b', name: 'Customer', type: 1 },
    ])
  })
}
