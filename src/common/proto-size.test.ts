import assert from 'node:assert/strict'
import { test } from 'node:test'
import { payloadMapSize, payloadSize, payloadsSize } from './proto-size.js'
import { api, long, type pb } from './proto.js'

const { Payload, Payloads, Memo } = api.common.v1

const samples: pb.Payload[] = [
  {},
  { data: Buffer.alloc(0) },
  { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"x"') },
  {
    metadata: { encoding: Buffer.from('binary/plain'), é: Buffer.alloc(200) },
    data: Buffer.alloc(70_000),
  },
  { data: Buffer.alloc(3), externalPayloads: [{ sizeBytes: long(1234) }, { sizeBytes: long(0) }] },
]

test('sizes are the encoded protobuf sizes', () => {
  for (const p of samples) assert.equal(payloadSize(p), Payload.encode(p).finish().length)
  assert.equal(
    payloadsSize({ payloads: samples }),
    Payloads.encode({ payloads: samples }).finish().length,
  )
  const fields = Object.fromEntries(samples.map((p, i) => [`field-${i}`, p]))
  assert.equal(payloadMapSize(fields), Memo.encode({ fields }).finish().length)
  assert.equal(payloadsSize(undefined), 0)
  assert.equal(payloadMapSize(null), 0)
})
