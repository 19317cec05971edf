import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { TaskTokenSigner } from './task-token.js'
import { InvalidArgumentError } from './errors.js'

const token = { namespaceId: 'ns', workflowId: 'w', runId: 'r', scheduledEventId: 5, attempt: 2 }

test('a signed token verifies to the same fields', () => {
  const signer = new TaskTokenSigner(randomBytes(32))
  assert.deepEqual(signer.verify(signer.sign(token)), token)
})

test('garbage, truncated, tampered and foreign tokens are rejected as InvalidArgument', () => {
  const signer = new TaskTokenSigner(randomBytes(32))
  const good = Buffer.from(signer.sign(token))
  const tampered = Buffer.from(good)
  tampered[tampered.length - 3] = (tampered[tampered.length - 3] ?? 0) ^ 1
  const foreign = new TaskTokenSigner(randomBytes(32)).sign(token)
  for (const bad of [
    Buffer.from('garbage'),
    Buffer.alloc(0),
    good.subarray(0, 10),
    tampered,
    foreign,
  ]) {
    assert.throws(() => signer.verify(bad), InvalidArgumentError)
  }
})
