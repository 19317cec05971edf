/**
 * Temporal's input limits and per-namespace rate limits, each set small through its dynamic
 * config key: at the limit a request is accepted, past it refused with Temporal's words (or, for
 * a workflow's own commands and history, the run is terminated as Temporal terminates it).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { status } from '@grpc/grpc-js'
import { Client, Connection } from '@temporalio/client'
import type { temporal } from '@temporalio/proto'
import { api, long, root } from '../../src/common/proto.js'
import { parseDynamicConfig } from '../../src/server/dynamic-config.js'
import { eventually, startHarness, uid, type Harness } from './harness.js'
import { TaskPoller } from './task-poller.js'

const {
  CommandType,
  EventType,
  IndexedValueType,
  WorkflowExecutionStatus,
  WorkflowTaskFailedCause,
} = api.enums.v1
type Payload = temporal.api.common.v1.IPayload

let h: Harness
let base: string
before(async () => {
  h = await startHarness({
    http: { port: 0 },
    namespaces: ['sa-caps'],
    dynamicConfig: parseDynamicConfig([
      'limit.blobSize.error=10000',
      'limit.blobSize.warn=5000',
      'limit.memoSize.error=2000',
      'limit.maxIDLength=100',
      'frontend.searchAttributesNumberOfKeysLimit=3',
      'frontend.searchAttributesSizeOfValueLimit=50',
      'frontend.searchAttributesTotalSizeLimit=250',
      'limit.historyCount.error=30',
      'limit.historyCount.warn=20',
      'limit.historySize.error=20000',
    ]).settings,
  })
  base = `http://127.0.0.1:${h.server.httpPort}`
  await h.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(
      ['KwA', 'KwB', 'KwC', 'KwD'].map((n) => [n, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  })
})
after(() => h.close())

const svc = () => h.connection.workflowService

/** Rejects with InvalidArgument whose message matches. */
async function refused(call: Promise<unknown>, message: string | RegExp): Promise<void> {
  await assert.rejects(call, (e: { code?: number; details?: string }) => {
    assert.equal(e.code, status.INVALID_ARGUMENT, String(e.details))
    if (typeof message === 'string') assert.equal(e.details, message)
    else assert.match(e.details ?? '', message)
    return true
  })
}

/** `Payloads` (or, with `wrap`, another message) whose encoded size is exactly `bytes`. */
function sized<T>(bytes: number, wrap: (p: Payload) => T, encode: (m: T) => Uint8Array): T {
  for (let n = Math.max(0, bytes - 40); n <= bytes; n++) {
    const m = wrap({
      metadata: { encoding: Buffer.from('binary/plain') },
      data: Buffer.alloc(n, 120),
    })
    if (encode(m).length === bytes) return m
  }
  throw new Error(`no message of ${bytes} bytes`)
}
const payloads = (bytes: number) =>
  sized(
    bytes,
    (p) => ({ payloads: [p] }),
    (m) => root.temporal.api.common.v1.Payloads.encode(m).finish(),
  )
const memo = (bytes: number) =>
  sized(
    bytes,
    (p) => ({ fields: { m: p } }),
    (m) => root.temporal.api.common.v1.Memo.encode(m).finish(),
  )

/** A Keyword search attribute value whose data is `bytes` long. */
function keyword(bytes: number): Payload {
  return {
    metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from('Keyword') },
    data: Buffer.from(JSON.stringify('k'.repeat(bytes - 2))),
  }
}

function start(extra: Partial<temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest>) {
  return svc().startWorkflowExecution({
    namespace: 'default',
    workflowId: uid('lim'),
    workflowType: { name: 'raw' },
    taskQueue: { name: uid('lim-tq') },
    requestId: uid('req'),
    ...extra,
  })
}

async function describe(workflowId: string) {
  const d = await svc().describeWorkflowExecution({
    namespace: 'default',
    execution: { workflowId },
  })
  return d.workflowExecutionInfo!
}

async function lastEvent(workflowId: string) {
  const res = await svc().getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId },
  })
  return res.history!.events!.at(-1)!
}

test('payloads up to limit.blobSize.error are accepted, a byte more is InvalidArgument', async () => {
  const workflowId = uid('blob')
  await start({ workflowId, input: payloads(10_000) })
  await refused(start({ input: payloads(10_001) }), 'Blob data size exceeds limit.')
  const signal = (input: temporal.api.common.v1.IPayloads) =>
    svc().signalWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId },
      signalName: 's',
      input,
    })
  await signal(payloads(10_000))
  await refused(signal(payloads(10_001)), 'Blob data size exceeds limit.')
})

test('a memo up to limit.memoSize.error is accepted, a larger one refused', async () => {
  await start({ memo: memo(2000) })
  await refused(start({ memo: memo(2001) }), 'Memo size exceeds limit.')
})

test('ids, names and identities past limit.maxIDLength are refused', async () => {
  const at = 'x'.repeat(100)
  const over = 'x'.repeat(101)
  await start({ workflowId: `${at.slice(0, 90)}${uid('').slice(-10)}`, identity: at })
  await refused(start({ workflowId: over }), 'WorkflowId exceeds maximum allowed length (101/100)')
  await refused(start({ workflowType: { name: over } }), 'WorkflowType length exceeds limit.')
  await refused(start({ taskQueue: { name: over } }), 'taskQueue length exceeds limit')
  await refused(start({ requestId: over }), 'RequestId length exceeds limit.')
  await refused(start({ identity: over }), 'Identity length exceeds limit.')
  await refused(
    svc().signalWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: 'any' },
      signalName: over,
    }),
    'SignalName length exceeds limit.',
  )
  await refused(
    svc().pollActivityTaskQueue({
      namespace: 'default',
      taskQueue: { name: 'tq' },
      identity: over,
    }),
    'Identity length exceeds limit.',
  )
})

test('search attributes: number of keys, size of a value, total size', async () => {
  const sa = (...values: [string, Payload][]) => ({ indexedFields: Object.fromEntries(values) })
  await start({
    searchAttributes: sa(['KwA', keyword(10)], ['KwB', keyword(10)], ['KwC', keyword(10)]),
  })
  await refused(
    start({
      searchAttributes: sa(
        ['KwA', keyword(10)],
        ['KwB', keyword(10)],
        ['KwC', keyword(10)],
        ['KwD', keyword(10)],
      ),
    }),
    'number of search attributes 4 exceeds limit 3',
  )
  await start({ searchAttributes: sa(['KwA', keyword(50)]) })
  await refused(
    start({ searchAttributes: sa(['KwA', keyword(51)]) }),
    'search attribute KwA value size 51 exceeds size limit 50',
  )
  await start({ searchAttributes: sa(['KwA', keyword(50)], ['KwB', keyword(50)]) })
  await refused(
    start({
      searchAttributes: sa(['KwA', keyword(50)], ['KwB', keyword(50)], ['KwC', keyword(50)]),
    }),
    /^total size of search attributes \d+ exceeds size limit 250$/,
  )
  // A schedule's workflow action is held to the same checks.
  await refused(
    svc().createSchedule({
      namespace: 'default',
      scheduleId: uid('sched'),
      requestId: uid('req'),
      schedule: {
        spec: { interval: [{ interval: { seconds: long(3600) } }] },
        action: {
          startWorkflow: {
            workflowId: uid('scheduled'),
            workflowType: { name: 'raw' },
            taskQueue: { name: 'tq' },
            searchAttributes: sa(['KwA', keyword(3000)]),
          },
        },
      },
    }),
    /^search attribute KwA value size 3000 exceeds size limit \d+$/,
  )
})

test('an upsert fails its task for too many attributes and terminates the run when too large', async () => {
  const poller = new TaskPoller(h.connection, uid('upsert-tq'))
  const workflowId = uid('upsert')
  await poller.startWorkflow(workflowId)
  const upsert = (fields: Record<string, Payload>) => ({
    commandType: CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    upsertWorkflowSearchAttributesCommandAttributes: {
      searchAttributes: { indexedFields: fields },
    },
  })
  const four = { KwA: keyword(5), KwB: keyword(5), KwC: keyword(5), KwD: keyword(5) }
  await refused(
    poller.complete(await poller.pollWorkflowTask(), [upsert(four)]),
    'number of search attributes 4 exceeds limit 3',
  )
  assert.equal(
    (await describe(workflowId)).status,
    WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
  )
  // Two values fit; the third would take the run's attributes past the total size.
  await poller.complete(await poller.pollWorkflowTask(), [
    upsert({ KwA: keyword(50), KwB: keyword(50) }),
  ])
  await svc().signalWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId },
    signalName: 'wake',
  })
  await refused(
    poller.complete(await poller.pollWorkflowTask(), [upsert({ KwC: keyword(50) })]),
    /^BadSearchAttributes: total size of search attributes \d+ exceeds size limit 250$/,
  )
  const info = await describe(workflowId)
  assert.equal(info.status, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED)
  const events = (await poller.history(workflowId)).slice(-2)
  assert.equal(
    events[0]!.workflowTaskFailedEventAttributes?.cause,
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
  )
  const terminated = events[1]!.workflowExecutionTerminatedEventAttributes!
  assert.match(terminated.reason ?? '', /^BadSearchAttributes: total size of search attributes/)
  assert.equal(terminated.identity, 'history-service')
})

test('continue-as-new with a memo over the limit terminates the run', async () => {
  const poller = new TaskPoller(h.connection, uid('can-tq'))
  const workflowId = uid('can')
  await poller.startWorkflow(workflowId)
  const reason =
    'BadContinueAsNewAttributes: ContinueAsNewWorkflowExecutionCommandAttributes. Memo exceeds size limit.'
  await refused(
    poller.complete(await poller.pollWorkflowTask(), [
      {
        commandType: CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
        continueAsNewWorkflowExecutionCommandAttributes: {
          workflowType: { name: 'raw' },
          taskQueue: { name: poller.taskQueue },
          memo: memo(2001),
        },
      },
    ]),
    reason,
  )
  assert.equal(
    (await describe(workflowId)).status,
    WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED,
  )
  assert.equal(
    (await lastEvent(workflowId)).workflowExecutionTerminatedEventAttributes?.reason,
    reason,
  )
})

test('an activity result over the blob limit fails the activity, as Temporal does', async () => {
  const poller = new TaskPoller(h.connection, uid('act-tq'))
  const workflowId = uid('act')
  await poller.startWorkflow(workflowId)
  await poller.complete(await poller.pollWorkflowTask(), [
    {
      commandType: CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
      scheduleActivityTaskCommandAttributes: {
        activityId: 'a1',
        activityType: { name: 'big' },
        taskQueue: { name: poller.taskQueue },
        startToCloseTimeout: { seconds: long(60) },
      },
    },
  ])
  const task = await svc().pollActivityTaskQueue({
    namespace: 'default',
    taskQueue: { name: poller.taskQueue },
    identity: 'raw-activity-worker',
  })
  await svc().respondActivityTaskCompleted({
    namespace: 'default',
    taskToken: task.taskToken,
    result: payloads(10_001),
  })
  const failed = await eventually(async () => {
    const events = await poller.history(workflowId)
    const e = events.find((ev) => ev.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED)
    assert.ok(e)
    return e.activityTaskFailedEventAttributes!.failure!
  })
  assert.equal(failed.message, 'Complete result exceeds size limit.')
  assert.equal(failed.serverFailureInfo?.nonRetryable, true)
})

test('a workflow past limit.historyCount.error is terminated by the history service', async () => {
  const workflowId = uid('count')
  await start({ workflowId })
  const signal = () =>
    svc().signalWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId },
      signalName: 's',
    })
  // Started and WorkflowTaskScheduled, then 29 signals. As in Temporal the check counts the
  // events written before the change (a signal's event is buffered until the change commits),
  // so the 29th takes the history to 31 events and the 30th finds it over the limit of 30.
  for (let i = 0; i < 29; i++) await signal()
  await refused(signal(), 'Workflow history count exceeds limit.')
  const info = await describe(workflowId)
  assert.equal(info.status, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED)
  assert.equal(Number(info.historyLength), 32)
  const terminated = (await lastEvent(workflowId)).workflowExecutionTerminatedEventAttributes
  assert.equal(terminated?.reason, 'Workflow history count exceeds limit.')
  assert.equal(terminated?.identity, 'history-service')
})

test('a workflow past limit.historySize.error is terminated by the history service', async () => {
  const workflowId = uid('size')
  await start({ workflowId })
  let refusedAt = 0
  for (let i = 1; i <= 20 && !refusedAt; i++) {
    try {
      await svc().signalWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId },
        signalName: 's',
        input: payloads(3000),
      })
    } catch (e: unknown) {
      assert.equal((e as { details?: string }).details, 'Workflow history size exceeds limit.')
      refusedAt = i
    }
  }
  // About 20,000 bytes of history take seven 3,000-byte signals; the eighth is refused.
  assert.equal(refusedAt, 8)
  const info = await describe(workflowId)
  assert.equal(info.status, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED)
  assert.equal(
    (await lastEvent(workflowId)).workflowExecutionTerminatedEventAttributes?.reason,
    'Workflow history size exceeds limit.',
  )
})

test('AddSearchAttributes allows as many of a type as SQL visibility has columns', async () => {
  const add = (searchAttributes: Record<string, number>) =>
    h.connection.operatorService.addSearchAttributes({ namespace: 'sa-caps', searchAttributes })
  const K = IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
  await add(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`Key${i}`, K])))
  await refused(
    add({ Key10: K }),
    'Unable to create search attributes: cannot have more than 10 search attribute of type Keyword.',
  )
  const I = IndexedValueType.INDEXED_VALUE_TYPE_INT
  await refused(
    add({ Int1: I, Int2: I, Int3: I, Int4: I }),
    'Unable to create search attributes: cannot have more than 3 search attribute of type Int.',
  )
  await refused(add({ TemporalMine: I }), 'Search attribute TemporalMine is reserved by system.')
  await refused(add({ 'has space': I }), /has space/)
  const { customAttributes } = await h.connection.operatorService.listSearchAttributes({
    namespace: 'sa-caps',
  })
  assert.equal(Object.keys(customAttributes ?? {}).length, 10)
})

test('deeply nested JSON in an HTTP body is InvalidArgument; a deep payload reads back', async () => {
  const post = async (path: string, body: string) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    return { status: res.status, json: (await res.json()) as Record<string, unknown> }
  }
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)
  const startBody = (input: string) =>
    `{"workflowType":{"name":"raw"},"taskQueue":{"name":"tq"},"input":${input}}`
  const deep = await post(
    `/api/v1/namespaces/default/workflows/${uid('deep')}`,
    startBody(`[${nested(1000)}]`),
  )
  assert.equal(deep.status, 400)
  assert.equal(deep.json.code, 3)
  assert.match(String(deep.json.message), /deeper than 1000 levels/)
  const ok = await post(
    `/api/v1/namespaces/default/workflows/${uid('deep')}`,
    startBody(`[${nested(900)}]`),
  )
  assert.equal(ok.status, 200)
  // Bytes nest as deep as they like; read back over HTTP they print in full, not as a shorthand.
  const workflowId = uid('deep-bytes')
  const b64 = (s: string) => Buffer.from(s).toString('base64')
  const full = `[{"metadata":{"encoding":"${b64('json/plain')}"},"data":"${b64(nested(4000))}"}]`
  assert.equal(
    (await post(`/api/v1/namespaces/default/workflows/${workflowId}`, startBody(full))).status,
    200,
  )
  const history = await fetch(`${base}/api/v1/namespaces/default/workflows/${workflowId}/history`)
  assert.equal(history.status, 200)
  type Started = { workflowExecutionStartedEventAttributes: { input: { payloads: Payload[] } } }
  const { history: body } = (await history.json()) as { history: { events: Started[] } }
  const input = body.events[0]!.workflowExecutionStartedEventAttributes.input
  const data = input.payloads[0]!.data as unknown as string
  assert.equal(Buffer.from(data, 'base64').toString(), nested(4000))
})

test('past frontend.namespaceRPS calls are refused with RPS_LIMIT; lower priorities starve nothing', async () => {
  const r = await startHarness({
    dynamicConfig: parseDynamicConfig(['frontend.namespaceRPS=5', 'frontend.namespaceBurstRatio=1'])
      .settings,
  })
  // Without the SDK's retries, to see the refusals.
  const raw = await Connection.connect({ address: r.server.address, interceptors: [] })
  try {
    const describeTaskQueue = () =>
      raw.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: 'tq' } })
    const results = await Promise.allSettled(Array.from({ length: 10 }, describeTaskQueue))
    const rejected = results.filter((x) => x.status === 'rejected')
    assert.equal(rejected.length, 5)
    const err = rejected[0]!.reason as {
      code: number
      details: string
      metadata: { get(k: string): unknown[] }
    }
    assert.equal(err.code, status.RESOURCE_EXHAUSTED)
    assert.equal(err.details, 'namespace rate limit exceeded')
    const detail = root.google.rpc.Status.decode(
      err.metadata.get('grpc-status-details-bin')[0] as Buffer,
    ).details[0]!
    assert.equal(
      detail.type_url,
      'type.googleapis.com/temporal.api.errordetails.v1.ResourceExhaustedFailure',
    )
    const failure = root.temporal.api.errordetails.v1.ResourceExhaustedFailure.decode(detail.value!)
    assert.equal(
      failure.cause,
      api.enums.v1.ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_RPS_LIMIT,
    )
    assert.equal(
      failure.scope,
      api.enums.v1.ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
    )

    // Low-priority calls took only their own tokens: a signal (priority 1) still goes through,
    // and the health check, which names no namespace, is never limited.
    await assert.rejects(
      raw.workflowService.signalWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId: 'nobody' },
        signalName: 's',
      }),
      { code: status.NOT_FOUND },
    )
    const health = await raw.healthService.check({})
    assert.equal(health.status, 1) // SERVING

    // The SDK backs off on RESOURCE_EXHAUSTED and gets through once tokens come back.
    const workflowId = uid('rps')
    await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        raw.workflowService.signalWorkflowExecution({
          namespace: 'default',
          workflowExecution: { workflowId: 'nobody' },
          signalName: 's',
        }),
      ),
    )
    const client = new Client({ connection: r.connection })
    const handle = await client.workflow.start('raw', { taskQueue: 'tq', workflowId })
    assert.equal((await handle.describe()).status.name, 'RUNNING')
  } finally {
    await raw.close()
    await r.close()
  }
})
