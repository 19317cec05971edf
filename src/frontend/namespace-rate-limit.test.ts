import assert from 'node:assert/strict'
import { test } from 'node:test'
import { status } from '@grpc/grpc-js'
import { api } from '../common/proto.js'
import {
  NamespaceRateLimitError,
  NamespaceRateLimiter,
  withNamespaceRateLimit,
} from './namespace-rate-limit.js'
import type { CallContext } from './rpc-types.js'

const limits = {
  execution: { rps: 2, burstRatio: 2 },
  visibility: { rps: 1, burstRatio: 1 },
  namespaceReplicationInducing: { rps: 1, burstRatio: 1 },
}

function limiter() {
  let now = 0
  const l = new NamespaceRateLimiter(limits, () => now)
  return { l, advance: (ms: number) => (now += ms) }
}

const times = (n: number, f: () => boolean) => Array.from({ length: n }, f)

test('a namespace gets its burst, then its rate; other namespaces have their own buckets', () => {
  const { l, advance } = limiter()
  assert.deepEqual(
    times(5, () => l.tryAcquire('a', 'startWorkflowExecution')),
    [true, true, true, true, false],
  )
  assert.equal(l.tryAcquire('b', 'startWorkflowExecution'), true)
  advance(500) // one token at 2 per second
  assert.equal(l.tryAcquire('a', 'startWorkflowExecution'), true)
  assert.equal(l.tryAcquire('a', 'startWorkflowExecution'), false)
})

test('polls cannot starve higher priorities; higher priorities do drain polls', () => {
  const { l } = limiter()
  assert.deepEqual(
    times(5, () => l.tryAcquire('a', 'pollWorkflowTaskQueue')),
    [true, true, true, true, false],
  )
  // Priority 1 has its own bucket, untouched by the polls.
  assert.equal(l.tryAcquire('a', 'respondWorkflowTaskCompleted'), true)
  const { l: l2 } = limiter()
  for (let i = 0; i < 4; i++) assert.equal(l2.tryAcquire('a', 'signalWorkflowExecution'), true)
  assert.equal(l2.tryAcquire('a', 'pollActivityTaskQueue'), false)
  // A history long poll is priority 5, below a plain history read (2).
  assert.equal(l2.tryAcquire('a', 'getWorkflowExecutionHistory', true), false)
})

test('visibility calls have a bucket of their own; RPCs outside every family are free', () => {
  const { l } = limiter()
  assert.equal(l.tryAcquire('a', 'listWorkflowExecutions'), true)
  assert.equal(l.tryAcquire('a', 'countWorkflowExecutions'), false)
  assert.equal(l.tryAcquire('a', 'startWorkflowExecution'), true)
  for (let i = 0; i < 100; i++) assert.equal(l.tryAcquire('a', 'someFutureRpc'), true)
})

test('the wrapper refuses with ResourceExhausted, RPS_LIMIT, and skips calls without a namespace', async () => {
  const { l } = limiter()
  type Handler = (request: unknown, ctx: CallContext) => Promise<unknown>
  const ok: Handler = () => Promise.resolve('ok')
  const handlers = withNamespaceRateLimit(l, { describeNamespace: ok, getSystemInfo: ok })
  const ctx = {} as CallContext
  for (let i = 0; i < 4; i++)
    assert.equal(await handlers.describeNamespace({ namespace: 'a' }, ctx), 'ok')
  const err = await handlers.describeNamespace({ namespace: 'a' }, ctx).catch((e: unknown) => e)
  assert.ok(err instanceof NamespaceRateLimitError)
  assert.equal(err.code, status.RESOURCE_EXHAUSTED)
  const detail = err.detail()
  assert.equal(detail.typeName, 'temporal.api.errordetails.v1.ResourceExhaustedFailure')
  const failure = api.errordetails.v1.ResourceExhaustedFailure.decode(detail.value)
  assert.equal(
    failure.cause,
    api.enums.v1.ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_RPS_LIMIT,
  )
  assert.equal(
    failure.scope,
    api.enums.v1.ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
  )
  assert.equal(await handlers.describeNamespace({ namespace: '' }, ctx), 'ok')
  for (let i = 0; i < 10; i++) assert.equal(await handlers.getSystemInfo({}, ctx), 'ok')
})
