import assert from 'node:assert/strict'
import { test } from 'node:test'
import { payloadJsonValue } from './payload-value.js'

const bytes = (s: string) => new TextEncoder().encode(s)

test('payloadJsonValue reads JSON payloads whatever metadata sits beside the encoding', () => {
  const keyword = {
    metadata: { encoding: bytes('json/plain'), type: bytes('Keyword') },
    data: bytes('"Running"'),
  }
  assert.deepEqual(payloadJsonValue(keyword), { value: 'Running' })
  const proto = {
    metadata: { encoding: bytes('json/protobuf'), messageType: bytes('x.Y') },
    data: bytes('{"a":1}'),
  }
  assert.deepEqual(payloadJsonValue(proto), { value: { a: 1 } })
  assert.deepEqual(payloadJsonValue({ metadata: { encoding: bytes('binary/null') } }), {
    value: null,
  })
})

test('payloadJsonValue has no value for other encodings or data that is not JSON', () => {
  const raw = { metadata: { encoding: bytes('binary/plain') }, data: bytes('{}') }
  assert.equal(payloadJsonValue(raw), undefined)
  const broken = { metadata: { encoding: bytes('json/plain') }, data: bytes('{') }
  assert.equal(payloadJsonValue(broken), undefined)
  assert.equal(payloadJsonValue({}), undefined)
})
