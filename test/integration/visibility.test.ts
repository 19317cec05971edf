/**
 * Visibility through the SDK: custom search attributes registered with the OperatorService, set at
 * start and upserted from workflow code, then listed and counted with Temporal's query language.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { WorkflowFailedError, type WorkflowExecutionInfo } from '@temporalio/client'
import { defineSearchAttributeKey, type SearchAttributePair } from '@temporalio/common'
import proto from '@temporalio/proto'
import { startHarness, type Harness } from './harness.js'

const IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType
const Keyword = defineSearchAttributeKey('SdlKeyword', 'KEYWORD')
const Text = defineSearchAttributeKey('SdlText', 'TEXT')
const Int = defineSearchAttributeKey('SdlInt', 'INT')
const Double = defineSearchAttributeKey('SdlDouble', 'DOUBLE')
const Bool = defineSearchAttributeKey('SdlBool', 'BOOL')
const Datetime = defineSearchAttributeKey('SdlDatetime', 'DATETIME')
const KeywordList = defineSearchAttributeKey('SdlKeywordList', 'KEYWORD_LIST')
const Stage = defineSearchAttributeKey('SdlStage', 'KEYWORD')

/** What each test workflow was started with, to compute the expected answer of every query. */
interface Row {
  id: string
  type: 'greeting' | 'waitsLong' | 'failing'
  status: 'Completed' | 'Running' | 'Failed' | 'Terminated'
  keyword: string
  text: string
  int: number
  double: number
  bool: boolean
  datetime: Date
  list: string[]
}

const base = Date.parse('2026-01-01T00:00:00Z')
const colours = ['red', 'green', 'blue']

describe('visibility', () => {
  let h: Harness
  const rows: Row[] = []

  before(async () => {
    h = await startHarness()
    await h.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: {
        SdlKeyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        SdlText: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
        SdlInt: IndexedValueType.INDEXED_VALUE_TYPE_INT,
        SdlDouble: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
        SdlBool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
        SdlDatetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
        SdlKeywordList: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
        SdlStage: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        SdlScore: IndexedValueType.INDEXED_VALUE_TYPE_INT,
      },
    })
    for (let i = 0; i < 12; i++) {
      const type = i % 4 === 3 ? 'waitsLong' : i % 4 === 2 ? 'failing' : 'greeting'
      rows.push({
        id: `vis-${i}`,
        type,
        status:
          type === 'waitsLong'
            ? i === 11
              ? 'Terminated'
              : 'Running'
            : type === 'failing'
              ? 'Failed'
              : 'Completed',
        keyword: `${colours[i % 3]}-${i}`,
        text: `order ${i} for ${colours[i % 3]} customer`,
        int: i * 10,
        double: i / 4,
        bool: i % 2 === 0,
        datetime: new Date(base + i * 3_600_000),
        list: [colours[i % 3]!, i < 6 ? 'early' : 'late'],
      })
    }
    await h.withWorker('visibility', async () => {
      for (const r of rows) {
        const typedSearchAttributes: SearchAttributePair[] = [
          { key: Keyword, value: r.keyword },
          { key: Text, value: r.text },
          { key: Int, value: r.int },
          { key: Double, value: r.double },
          { key: Bool, value: r.bool },
          { key: Datetime, value: r.datetime },
          { key: KeywordList, value: r.list },
        ]
        const handle = await h.client.workflow.start(r.type, {
          taskQueue: 'visibility',
          workflowId: r.id,
          args: r.type === 'greeting' ? ['x'] : [],
          typedSearchAttributes,
        })
        if (r.type === 'greeting') await handle.result()
        if (r.type === 'failing') await assert.rejects(handle.result(), WorkflowFailedError)
        if (r.status === 'Terminated') await handle.terminate('test')
      }
    })
  })

  after(() => h.close())

  const listIds = async (query: string): Promise<string[]> => {
    const ids: string[] = []
    for await (const wf of h.client.workflow.list({ query })) ids.push(wf.workflowId)
    return ids.sort()
  }
  const expected = (pred: (r: Row) => boolean): string[] =>
    rows
      .filter(pred)
      .map((r) => r.id)
      .sort()

  const cases: [string, (r: Row) => boolean][] = [
    ['', () => true],
    [`WorkflowType = 'greeting'`, (r) => r.type === 'greeting'],
    [`WorkflowType != 'greeting'`, (r) => r.type !== 'greeting'],
    [`ExecutionStatus = 'Running'`, (r) => r.status === 'Running'],
    [`ExecutionStatus = 'Failed'`, (r) => r.status === 'Failed'],
    [`ExecutionStatus != 'Completed'`, (r) => r.status !== 'Completed'],
    [
      `ExecutionStatus IN ('Failed', 'Terminated')`,
      (r) => ['Failed', 'Terminated'].includes(r.status),
    ],
    [
      `ExecutionStatus NOT IN ('Running', 'Completed')`,
      (r) => !['Running', 'Completed'].includes(r.status),
    ],
    [`WorkflowId = 'vis-3'`, (r) => r.id === 'vis-3'],
    [`WorkflowId STARTS_WITH 'vis-1'`, (r) => r.id.startsWith('vis-1')],
    [`WorkflowId NOT STARTS_WITH 'vis-1'`, (r) => !r.id.startsWith('vis-1')],
    [`TaskQueue = 'visibility'`, () => true],
    [`CloseTime IS NULL`, (r) => r.status === 'Running'],
    [`CloseTime IS NOT NULL`, (r) => r.status !== 'Running'],
    [`SdlKeyword = 'red-0'`, (r) => r.keyword === 'red-0'],
    [`SdlKeyword IN ('red-0', 'blue-2', 'nope')`, (r) => ['red-0', 'blue-2'].includes(r.keyword)],
    [`SdlKeyword STARTS_WITH 'green'`, (r) => r.keyword.startsWith('green')],
    [`SdlKeyword NOT STARTS_WITH 'green'`, (r) => !r.keyword.startsWith('green')],
    [`SdlInt > 50`, (r) => r.int > 50],
    [`SdlInt >= 50`, (r) => r.int >= 50],
    [`SdlInt < 30`, (r) => r.int < 30],
    [`SdlInt <= 30`, (r) => r.int <= 30],
    [`SdlInt BETWEEN 20 AND 60`, (r) => r.int >= 20 && r.int <= 60],
    [`SdlInt NOT BETWEEN 20 AND 60`, (r) => r.int < 20 || r.int > 60],
    [`SdlDouble > 1.5`, (r) => r.double > 1.5],
    [`SdlDouble = 0.75`, (r) => r.double === 0.75],
    [`SdlBool = true`, (r) => r.bool],
    [`SdlBool = false`, (r) => !r.bool],
    [`SdlDatetime >= '2026-01-01T05:00:00Z'`, (r) => r.datetime.getTime() >= base + 5 * 3_600_000],
    [
      `SdlDatetime BETWEEN '2026-01-01T02:00:00Z' AND '2026-01-01T04:00:00.000+00:00'`,
      (r) =>
        r.datetime.getTime() >= base + 2 * 3_600_000 &&
        r.datetime.getTime() <= base + 4 * 3_600_000,
    ],
    [`SdlKeywordList = 'blue'`, (r) => r.list.includes('blue')],
    [
      `SdlKeywordList IN ('red', 'green')`,
      (r) => r.list.includes('red') || r.list.includes('green'),
    ],
    [
      `SdlKeywordList = 'early' AND SdlKeywordList = 'red'`,
      (r) => r.list.includes('early') && r.list.includes('red'),
    ],
    [`SdlText = 'customer'`, () => true],
    [`SdlText = 'green'`, (r) => r.text.includes('green')],
    [`SdlKeyword IS NULL`, () => false],
    [`SdlStage IS NULL`, () => true],
    [
      `(SdlInt < 20 OR SdlInt > 90) AND ExecutionStatus = 'Completed'`,
      (r) => (r.int < 20 || r.int > 90) && r.status === 'Completed',
    ],
    [
      `SdlInt < 20 OR SdlInt > 90 AND ExecutionStatus = 'Completed'`,
      (r) => r.int < 20 || (r.int > 90 && r.status === 'Completed'),
    ],
    [`StartTime > '2000-01-01T00:00:00Z' ORDER BY StartTime`, () => true],
  ]

  for (const [query, pred] of cases) {
    test(`list: ${query || '(empty)'}`, async () => {
      assert.deepEqual(await listIds(query), expected(pred))
      const { count } = await h.client.workflow.count(query.replace(/ ORDER BY .*/, ''))
      assert.equal(count, expected(pred).length)
    })
  }

  test('ORDER BY and the default order', async () => {
    const byInt: string[] = []
    for await (const wf of h.client.workflow.list({ query: 'ORDER BY SdlInt DESC' })) {
      byInt.push(wf.workflowId)
    }
    assert.deepEqual(
      byInt,
      [...rows].sort((a, b) => b.int - a.int).map((r) => r.id),
    )
    // Temporal's default: open runs first, then closed ones by close time, newest first.
    const all: WorkflowExecutionInfo[] = []
    for await (const wf of h.client.workflow.list()) all.push(wf)
    const firstClosed = all.findIndex((wf) => wf.closeTime !== undefined)
    assert.ok(all.slice(firstClosed).every((wf) => wf.closeTime !== undefined))
    const closeTimes = all.slice(firstClosed).map((wf) => wf.closeTime!.getTime())
    assert.deepEqual(
      closeTimes,
      [...closeTimes].sort((a, b) => b - a),
    )
  })

  test('legacy ListOpen/ListClosedWorkflowExecutions with their filters', async () => {
    const service = h.connection.workflowService
    const open = await service.listOpenWorkflowExecutions({
      namespace: 'default',
      maximumPageSize: 100,
      typeFilter: { name: 'waitsLong' },
    })
    assert.deepEqual(
      open.executions.map((e) => e.execution?.workflowId).sort(),
      expected((r) => r.status === 'Running'),
    )
    const failed = await service.listClosedWorkflowExecutions({
      namespace: 'default',
      maximumPageSize: 100,
      statusFilter: {
        status:
          proto.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED,
      },
    })
    assert.deepEqual(
      failed.executions.map((e) => e.execution?.workflowId).sort(),
      expected((r) => r.status === 'Failed'),
    )
    const one = await service.listClosedWorkflowExecutions({
      namespace: 'default',
      maximumPageSize: 100,
      executionFilter: { workflowId: `vis-0` },
    })
    assert.deepEqual(
      one.executions.map((e) => e.execution?.workflowId),
      ['vis-0'],
    )
  })

  test('count GROUP BY ExecutionStatus', async () => {
    const result = await h.client.workflow.count('GROUP BY ExecutionStatus')
    assert.equal(result.count, rows.length)
    const groups = Object.fromEntries(result.groups.map((g) => [String(g.groupValues[0]), g.count]))
    assert.deepEqual(groups, { Completed: 6, Failed: 3, Running: 2, Terminated: 1 })
    // So clients and UIs may rely on it, the server says so.
    const { capabilities } = await h.connection.workflowService.getSystemInfo({})
    assert.equal(capabilities?.countGroupByExecutionStatus, true)
  })

  test('list results carry typed search attributes and the run description', async () => {
    const [wf] = await collect(`WorkflowId = 'vis-4'`)
    assert.ok(wf)
    assert.equal(wf.type, 'greeting')
    assert.equal(wf.status.name, 'COMPLETED')
    assert.equal(wf.taskQueue, 'visibility')
    assert.equal(wf.typedSearchAttributes.get(Keyword), 'green-4')
    assert.equal(wf.typedSearchAttributes.get(Int), 40)
    assert.equal(wf.typedSearchAttributes.get(Datetime)?.getTime(), base + 4 * 3_600_000)
    assert.deepEqual(wf.typedSearchAttributes.get(KeywordList), ['green', 'early'])
    assert.ok(wf.historyLength > 0)
  })

  test('attributes upserted from workflow code are listed at once', async () => {
    await h.withWorker('visibility', () =>
      h.client.workflow.execute('attributeUpserter', {
        taskQueue: 'visibility',
        workflowId: 'vis-upsert',
        args: ['shipped'],
      }),
    )
    const found = await collect(`SdlStage = 'shipped' AND SdlScore = 42`)
    assert.deepEqual(
      found.map((wf) => wf.workflowId),
      ['vis-upsert'],
    )
    assert.equal(found[0]?.typedSearchAttributes.get(Stage), 'shipped')
    const described = await h.client.workflow.getHandle('vis-upsert').describe()
    assert.equal(described.typedSearchAttributes.get(Stage), 'shipped')
  })

  test('unregistered or mistyped attributes at start are refused', async () => {
    await assert.rejects(
      h.client.workflow.start('greeting', {
        taskQueue: 'visibility',
        workflowId: 'vis-bad',
        args: ['x'],
        typedSearchAttributes: [{ key: defineSearchAttributeKey('Nope', 'KEYWORD'), value: 'v' }],
      }),
      (e: Error) => /no mapping defined for search attribute Nope/.test(grpcCause(e).message),
    )
    await assert.rejects(
      h.client.workflow.start('greeting', {
        taskQueue: 'visibility',
        workflowId: 'vis-bad',
        args: ['x'],
        searchAttributes: { SdlInt: ['not a number'] },
      }),
      (e: Error) => /invalid value for search attribute SdlInt/.test(grpcCause(e).message),
    )
  })

  test('invalid queries are InvalidArgument naming the problem, and SQL never sees the text', async () => {
    for (const query of [
      `Nope = 'x'`,
      `SdlInt = 'abc'`,
      `SdlText STARTS_WITH 'a'`,
      `WorkflowId = 'x`,
      `WorkflowId = 'x' ; DROP TABLE executions_visibility; --`,
      `WorkflowId = 'x' /* comment */`,
      `ORDER BY SdlText`,
    ]) {
      await assert.rejects(collect(query), (e: Error) => {
        const grpc = grpcCause(e)
        assert.equal(grpc.code, 3, `${query}: ${grpc.message}`) // INVALID_ARGUMENT
        assert.match(grpc.message, /invalid query: .+ at position \d+/)
        return true
      })
    }
    // Quotes and unicode inside literals are data, not syntax.
    assert.deepEqual(await listIds(`WorkflowId = 'x'' OR ''1''=''1'`), [])
    assert.deepEqual(await listIds(`SdlKeyword = '🌞 ✓ ; -- '`), [])
    assert.equal((await listIds('')).length, rows.length + 1)
  })

  test('search attributes: list, add again, remove', async () => {
    const listed = await h.connection.operatorService.listSearchAttributes({ namespace: 'default' })
    assert.equal(listed.customAttributes.SdlKeyword, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
    assert.equal(listed.systemAttributes.WorkflowId, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
    // Adding an existing attribute with its type again is a no-op; another type is refused.
    await h.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: { SdlKeyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD },
    })
    await assert.rejects(
      h.connection.operatorService.addSearchAttributes({
        namespace: 'default',
        searchAttributes: { SdlKeyword: IndexedValueType.INDEXED_VALUE_TYPE_INT },
      }),
      /already exists/,
    )
    await assert.rejects(
      h.connection.operatorService.addSearchAttributes({
        namespace: 'default',
        searchAttributes: { WorkflowId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD },
      }),
      /reserved/,
    )
    await h.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: { SdlTemporary: IndexedValueType.INDEXED_VALUE_TYPE_BOOL },
    })
    await h.connection.operatorService.removeSearchAttributes({
      namespace: 'default',
      searchAttributes: ['SdlTemporary'],
    })
    await assert.rejects(
      h.connection.operatorService.removeSearchAttributes({
        namespace: 'default',
        searchAttributes: ['SdlTemporary'],
      }),
      /doesn't exist/,
    )
    const keys = (await h.connection.workflowService.getSearchAttributes({})).keys
    assert.equal(keys.SdlInt, IndexedValueType.INDEXED_VALUE_TYPE_INT)
    assert.equal(keys.ExecutionStatus, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
  })

  const collect = async (query: string): Promise<WorkflowExecutionInfo[]> => {
    const out: WorkflowExecutionInfo[] = []
    for await (const wf of h.client.workflow.list({ query })) out.push(wf)
    return out
  }
})

/** The gRPC error under the SDK's ServiceError wrapper. */
function grpcCause(e: Error): { code?: number; message: string } {
  return (e.cause ?? e) as { code?: number; message: string }
}
