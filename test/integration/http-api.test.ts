/**
 * Temporal's HTTP/JSON API, called with plain `fetch` as a browser or curl would, and compared
 * with what the same RPC answers over gRPC (as protobuf JSON, payload shorthand on).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { toProtoJson } from '../../src/common/proto-json.js'
import { eventually, startHarness, uid, type Harness } from './harness.js'

let h: Harness
let base: string

before(async () => {
  h = await startHarness({ http: { port: 0 } })
  base = `http://127.0.0.1:${h.server.httpPort}`
})
after(() => h.close())

const WS = 'temporal.api.workflowservice.v1'
const OS = 'temporal.api.operatorservice.v1'

/** JSON of a gRPC answer, as the HTTP API must print it. */
function asJson(type: string, message: object): unknown {
  return JSON.parse(JSON.stringify(toProtoJson(type, message, { payloadShorthand: true })))
}

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, json: JSON.parse(text) as Record<string, unknown>, text }
}

const get = (path: string) => call('GET', path)
const post = (path: string, body: unknown = {}) => call('POST', path, body)

test('system info, cluster info, namespaces and search attributes match gRPC', async () => {
  const svc = h.connection.workflowService
  assert.deepEqual(
    (await get('/api/v1/system-info')).json,
    asJson(`${WS}.GetSystemInfoResponse`, await svc.getSystemInfo({})),
  )
  const cluster = await get('/api/v1/cluster-info')
  assert.equal(cluster.status, 200)
  assert.equal(cluster.json.serverVersion, (await svc.getClusterInfo({})).serverVersion)
  // Both bindings: /api/v1/... and the older /cluster/... one.
  const namespaces = await get('/api/v1/namespaces')
  assert.deepEqual(namespaces.json, (await get('/cluster/namespaces')).json)
  assert.deepEqual(
    namespaces.json,
    asJson(`${WS}.ListNamespacesResponse`, await svc.listNamespaces({})),
  )
  assert.deepEqual(
    (await get('/api/v1/namespaces/default')).json,
    asJson(
      `${WS}.DescribeNamespaceResponse`,
      await svc.describeNamespace({ namespace: 'default' }),
    ),
  )
  assert.deepEqual(
    (await get('/api/v1/namespaces/default/search-attributes')).json,
    asJson(
      `${OS}.ListSearchAttributesResponse`,
      await h.connection.operatorService.listSearchAttributes({ namespace: 'default' }),
    ),
  )
})

test('start, describe, history, signal, query, list and count a workflow over HTTP', async () => {
  const taskQueue = uid('http-tq')
  const workflowId = uid('http wf/1') // a space and a slash: percent-encoded in the path
  const path = `/api/v1/namespaces/default/workflows/${encodeURIComponent(workflowId)}`
  await h.withWorker(taskQueue, async () => {
    const started = await post(path, {
      workflowType: { name: 'queryable' },
      taskQueue: { name: taskQueue },
      requestId: uid('req'),
    })
    assert.equal(started.status, 200, started.text)
    const runId = started.json.runId as string
    assert.ok(runId)

    const svc = h.connection.workflowService
    const execution = { workflowId, runId }
    // Query answers with the payload shorthand: the JSON value itself.
    const query = await eventually(async () => {
      const q = await post(`${path}/query/state`, {})
      assert.equal(q.status, 200, q.text)
      return q
    })
    assert.deepEqual(query.json.queryResult, [{ stage: 'waiting', count: 0 }])

    const signalled = await post(`${path}/signal/bump`, { input: [] })
    assert.equal(signalled.status, 200, signalled.text)
    assert.deepEqual(signalled.json, {})
    await eventually(async () => {
      const q = await post(`${path}/query/state`, {})
      assert.deepEqual(q.json.queryResult, [{ stage: 'waiting', count: 1 }])
    })

    const described = await get(`${path}?execution.runId=${runId}`)
    const grpcDescribed = await svc.describeWorkflowExecution({ namespace: 'default', execution })
    assert.deepEqual(
      described.json,
      asJson(`${WS}.DescribeWorkflowExecutionResponse`, grpcDescribed),
    )
    const history = await get(`${path}/history?execution.runId=${runId}`)
    assert.deepEqual(
      history.json,
      asJson(
        `${WS}.GetWorkflowExecutionHistoryResponse`,
        await svc.getWorkflowExecutionHistory({ namespace: 'default', execution }),
      ),
    )
    const events = (history.json.history as { events: { eventType: string }[] }).events
    assert.ok(events.some((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED'))

    const query2 = `WorkflowId = '${workflowId}'`
    const listed = await get(
      `/api/v1/namespaces/default/workflows?query=${encodeURIComponent(query2)}&pageSize=10`,
    )
    assert.deepEqual(
      listed.json,
      asJson(
        `${WS}.ListWorkflowExecutionsResponse`,
        await svc.listWorkflowExecutions({ namespace: 'default', query: query2, pageSize: 10 }),
      ),
    )
    assert.equal((listed.json.executions as unknown[]).length, 1)
    const counted = await get(
      `/api/v1/namespaces/default/workflow-count?query=${encodeURIComponent(query2)}`,
    )
    assert.deepEqual(counted.json, { count: '1' })

    const finished = await post(`${path}/signal/finish`, {})
    assert.equal(finished.status, 200)
    await eventually(async () => {
      const d = await get(path)
      const info = d.json.workflowExecutionInfo as { status: string }
      assert.equal(info.status, 'WORKFLOW_EXECUTION_STATUS_COMPLETED')
    })
    // The result event, with the shorthand on and off.
    const closeOf = async (query: string) => {
      const r = await get(`${path}/history?historyEventFilterType=${query}`)
      const events = (r.json.history as { events: Record<string, unknown>[] }).events
      return events[0]?.workflowExecutionCompletedEventAttributes as { result: unknown }
    }
    const filter = 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT'
    assert.deepEqual((await closeOf(filter)).result, [1])
    const raw = (await closeOf(`${filter}&noPayloadShorthand`)).result as {
      payloads: { metadata: { encoding: string }; data: string }[]
    }
    const [payload] = raw.payloads
    assert.equal(Buffer.from(payload!.metadata.encoding, 'base64').toString(), 'json/plain')
    assert.equal(Buffer.from(payload!.data, 'base64').toString(), '1')
  })
})

test('update, cancel and terminate over HTTP; describe a task queue', async () => {
  const taskQueue = uid('http-tq')
  const workflowId = uid('http-counter')
  const path = `/api/v1/namespaces/default/workflows/${workflowId}`
  await h.withWorker(taskQueue, async () => {
    const started = await post(path, {
      workflowType: { name: 'counter' },
      taskQueue: { name: taskQueue },
    })
    assert.equal(started.status, 200, started.text)
    const updated = await post(`${path}/update/addUpdate`, {
      waitPolicy: { lifecycleStage: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED' },
      request: { meta: { updateId: 'u1' }, input: { args: [5] } },
    })
    assert.equal(updated.status, 200, updated.text)
    assert.deepEqual((updated.json.outcome as { success: unknown }).success, [5])

    const tq = await get(
      `/api/v1/namespaces/default/task-queues/${taskQueue}?taskQueueType=TASK_QUEUE_TYPE_WORKFLOW`,
    )
    assert.equal(tq.status, 200, tq.text)
    const pollers = tq.json.pollers as { identity: string }[]
    assert.ok(pollers.length > 0, 'the worker polls this queue')

    const cancelled = await post(`${path}/cancel`, { reason: 'from HTTP' })
    assert.equal(cancelled.status, 200, cancelled.text)
    const terminated = await post(`${path}/terminate`, { reason: 'from HTTP' })
    assert.equal(terminated.status, 200, terminated.text)
    const d = await get(path)
    const info = d.json.workflowExecutionInfo as { status: string }
    assert.equal(info.status, 'WORKFLOW_EXECUTION_STATUS_TERMINATED')
  })
})

test('errors are JSON with the gRPC code, its HTTP status and typed details', async () => {
  const missingNs = await get('/api/v1/namespaces/no-such-namespace/workflows/x')
  assert.equal(missingNs.status, 404)
  assert.equal(missingNs.json.code, 5)
  assert.match(missingNs.json.message as string, /no-such-namespace/)
  const [detail] = missingNs.json.details as { '@type': string }[]
  assert.equal(
    detail!['@type'],
    'type.googleapis.com/temporal.api.errordetails.v1.NamespaceNotFoundFailure',
  )

  const missingWf = await get('/api/v1/namespaces/default/workflows/no-such-workflow')
  assert.equal(missingWf.status, 404)
  assert.equal(missingWf.json.code, 5)

  const badJson = await fetch(`${base}/api/v1/namespaces/default/workflows/x/signal/s`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{not json',
  })
  assert.equal(badJson.status, 400)
  assert.equal(((await badJson.json()) as { code: number }).code, 3)

  const unknownField = await post('/api/v1/namespaces/default/workflows/x/signal/s', { bogus: 1 })
  assert.equal(unknownField.status, 400)
  assert.match(unknownField.json.message as string, /unknown field "bogus"/)

  const badParam = await get('/api/v1/namespaces/default/workflows?pageSize=many')
  assert.equal(badParam.status, 400)
  assert.match(badParam.json.message as string, /"many" is not a number/)

  // Validation is the gRPC handler's: a start without a workflow type.
  const invalid = await post('/api/v1/namespaces/default/workflows/x', { taskQueue: { name: 'q' } })
  assert.equal(invalid.status, 400)
  assert.equal(invalid.json.code, 3)

  const exists = await post('/api/v1/namespaces', {
    namespace: 'default',
    workflowExecutionRetentionPeriod: '86400s',
  })
  assert.equal(exists.status, 409)

  assert.equal((await get('/api/v1/no-such-route')).status, 404)
  const wrongVerb = await call('DELETE', '/api/v1/system-info')
  assert.equal(wrongVerb.status, 405)

  // ?pretty indents; the server keeps serving after all of the above.
  const pretty = await get('/api/v1/system-info?pretty')
  assert.match(pretty.text, /^\{\n {2}"/)
})
