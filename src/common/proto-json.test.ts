import assert from 'node:assert/strict'
import { test } from 'node:test'
import { api } from './proto.js'
import { fromProtoJson, toProtoJson } from './proto-json.js'

const json = (s: string) => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(s),
})
const b64 = (s: string) => Buffer.from(s).toString('base64')
const DESCRIBE = 'temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse'

/** What the client hands over: a message decoded from the wire. */
function decodedDescribe(fields: object) {
  const T = api.workflowservice.v1.DescribeWorkflowExecutionResponse
  return T.decode(T.encode(T.fromObject(fields)).finish())
}

const describeFields = {
  workflowExecutionInfo: {
    execution: { workflowId: 'w', runId: 'r' },
    type: { name: 'greet' },
    startTime: { seconds: 1_700_000_000, nanos: 5_000_000 },
    status: api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED,
    historyLength: 12,
    memo: { fields: { note: json('"hi"') } },
  },
  executionConfig: { workflowRunTimeout: { seconds: 90, nanos: 500_000_000 } },
  pendingActivities: [{ activityId: 'a1', attempt: 2 }],
}

test('a decoded response maps to proto JSON: RFC 3339, "1.5s", int64 strings, enum names', () => {
  const out = toProtoJson(DESCRIBE, decodedDescribe(describeFields), { payloadShorthand: true })
  assert.deepEqual(out, {
    pendingActivities: [{ activityId: 'a1', attempt: 2 }],
    executionConfig: { workflowRunTimeout: '90.500s' },
    workflowExecutionInfo: {
      execution: { workflowId: 'w', runId: 'r' },
      type: { name: 'greet' },
      startTime: '2023-11-14T22:13:20.005Z',
      status: 'WORKFLOW_EXECUTION_STATUS_COMPLETED',
      historyLength: '12',
      memo: { fields: { note: 'hi' } },
    },
  })
})

test('without the shorthand a payload keeps metadata and data in base64', () => {
  const out = toProtoJson(DESCRIBE, decodedDescribe(describeFields)) as {
    workflowExecutionInfo: { memo: unknown }
  }
  assert.deepEqual(out.workflowExecutionInfo.memo, {
    fields: { note: { metadata: { encoding: b64('json/plain') }, data: b64('"hi"') } },
  })
})

test('JSON → message → JSON is the identity, in both payload forms', () => {
  const message = decodedDescribe(describeFields)
  for (const payloadShorthand of [true, false]) {
    const doc = toProtoJson(DESCRIBE, message, { payloadShorthand })
    const back = fromProtoJson(DESCRIBE, doc, { payloadShorthand })
    assert.deepEqual(toProtoJson(DESCRIBE, back, { payloadShorthand }), doc)
    const T = api.workflowservice.v1.DescribeWorkflowExecutionResponse
    assert.deepEqual(T.encode(back).finish(), T.encode(message).finish())
  }
})

test('Payloads print as an array only when every payload has a shorthand', () => {
  const type = 'temporal.api.common.v1.Payloads'
  const binary = { metadata: { encoding: Buffer.from('binary/plain') }, data: Buffer.from([1, 2]) }
  const nul = { metadata: { encoding: Buffer.from('binary/null') } }
  const proto = {
    metadata: { encoding: Buffer.from('json/protobuf'), messageType: Buffer.from('x.Y') },
    data: Buffer.from('{"a":1}'),
  }
  const opts = { payloadShorthand: true }
  assert.deepEqual(toProtoJson(type, { payloads: [json('1'), json('{"b":[true]}')] }, opts), [
    1,
    { b: [true] },
  ])
  assert.deepEqual(toProtoJson(type, { payloads: [json('"x"'), binary, nul] }, opts), {
    payloads: [
      'x',
      { metadata: { encoding: b64('binary/plain') }, data: 'AQI=' },
      { metadata: { encoding: b64('binary/null') } },
    ],
  })
  // binary/null has no shorthand value of its own but does not spoil the array.
  assert.deepEqual(toProtoJson(type, { payloads: [json('1'), nul] }, opts), [
    1,
    { metadata: { encoding: b64('binary/null') } },
  ])
  assert.deepEqual(toProtoJson(type, { payloads: [proto] }, opts), [
    { a: 1, _protoMessageType: 'x.Y' },
  ])
  // A json/plain payload with more metadata (a typed search attribute) is printed in full.
  const typed = {
    metadata: { ...json('1').metadata, type: Buffer.from('Int') },
    data: json('1').data,
  }
  assert.deepEqual(toProtoJson(type, { payloads: [typed] }, opts), {
    payloads: [{ metadata: { encoding: b64('json/plain'), type: b64('Int') }, data: b64('1') }],
  })
})

test('shorthand input is read back into payloads as api-go reads it', () => {
  const type = 'temporal.api.common.v1.Payloads'
  const opts = { payloadShorthand: true }
  const payloads = (doc: unknown) =>
    fromProtoJson<{ payloads: { metadata: Record<string, Uint8Array>; data: Uint8Array }[] }>(
      type,
      doc,
      opts,
    ).payloads.map((p) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v).toString()]),
      ),
      data: Buffer.from(p.data).toString(),
    }))
  assert.deepEqual(payloads(['a', { n: 1 }, null]), [
    { metadata: { encoding: 'json/plain' }, data: '"a"' },
    { metadata: { encoding: 'json/plain' }, data: '{"n":1}' },
    { metadata: { encoding: 'binary/null' }, data: '' },
  ])
  assert.deepEqual(
    payloads({ payloads: [{ metadata: { encoding: b64('raw') }, data: b64('x') }] }),
    [{ metadata: { encoding: 'raw' }, data: 'x' }],
  )
  assert.deepEqual(payloads([{ a: 1, _protoMessageType: 'x.Y' }]), [
    { metadata: { encoding: 'json/protobuf', messageType: 'x.Y' }, data: '{"a":1}' },
  ])
})

test('input may use proto field names, PascalCase enum names and numbers', () => {
  const req = fromProtoJson<{
    workflowId: string
    workflowIdReusePolicy: number
    workflowExecutionTimeout: { seconds: { toNumber(): number } }
  }>('temporal.api.workflowservice.v1.StartWorkflowExecutionRequest', {
    workflow_id: 'w',
    workflowIdReusePolicy: 'RejectDuplicate',
    workflow_execution_timeout: '3600s',
  })
  assert.equal(req.workflowId, 'w')
  assert.equal(
    req.workflowIdReusePolicy,
    api.enums.v1.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
  )
  assert.equal(req.workflowExecutionTimeout.seconds.toNumber(), 3600)
})

test('unknown fields and enum values are refused with their path, unless told to skip them', () => {
  const type = 'temporal.api.workflowservice.v1.StartWorkflowExecutionRequest'
  assert.throws(
    () => fromProtoJson(type, { workflowType: { nam: 'x' } }),
    /workflowType: unknown field "nam" in temporal.api.common.v1.WorkflowType/,
  )
  assert.throws(
    () => fromProtoJson(type, { workflowIdReusePolicy: 'Sometimes' }),
    /workflowIdReusePolicy: "Sometimes" is not a value of WorkflowIdReusePolicy/,
  )
  assert.throws(() => fromProtoJson(type, [1]), /expected a JSON object/)
  const req = fromProtoJson<{ workflowId: string }>(
    type,
    { workflowId: 'w', extra: 1 },
    { ignoreUnknownFields: true },
  )
  assert.equal(req.workflowId, 'w')
})

test('a history event prints its oneof attributes, and an Any its @type', () => {
  const event = toProtoJson(
    'temporal.api.history.v1.HistoryEvent',
    {
      eventId: 1,
      eventType: api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
      workflowExecutionStartedEventAttributes: {
        workflowType: { name: 'greet' },
        input: { payloads: [json('"World"')] },
        attempt: 1,
      },
    },
    { payloadShorthand: true },
  )
  assert.deepEqual(event, {
    eventId: '1',
    eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
    workflowExecutionStartedEventAttributes: {
      workflowType: { name: 'greet' },
      input: ['World'],
      attempt: 1,
    },
  })

  const NotFound = api.errordetails.v1.NotFoundFailure
  const status = {
    code: 5,
    message: 'gone',
    details: [
      {
        type_url: 'type.googleapis.com/temporal.api.errordetails.v1.NotFoundFailure',
        value: NotFound.encode({ currentCluster: 'active' }).finish(),
      },
    ],
  }
  const doc = toProtoJson('google.rpc.Status', status)
  assert.deepEqual(doc, {
    code: 5,
    message: 'gone',
    details: [
      {
        '@type': 'type.googleapis.com/temporal.api.errordetails.v1.NotFoundFailure',
        currentCluster: 'active',
      },
    ],
  })
  assert.deepEqual(toProtoJson('google.rpc.Status', fromProtoJson('google.rpc.Status', doc)), doc)
})

test('payload shorthand deep inside a request type is read on its first use', () => {
  // No other test here reads CreateScheduleRequest: this is the first lookup of its types.
  const req = fromProtoJson<{
    schedule: { action: { startWorkflow: { input: { payloads: unknown[] } } } }
  }>(
    'temporal.api.workflowservice.v1.CreateScheduleRequest',
    { schedule: { action: { startWorkflow: { workflowId: 'w', input: ['hello', { a: 1 }] } } } },
    { payloadShorthand: true },
  )
  const payloads = req.schedule.action.startWorkflow.input.payloads as {
    data: Uint8Array
  }[]
  assert.deepEqual(
    payloads.map((p) => Buffer.from(p.data).toString()),
    ['"hello"', '{"a":1}'],
  )
})
