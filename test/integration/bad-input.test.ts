import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { status } from '@grpc/grpc-js'
import { Client } from '@temporalio/client'
import { NamespaceNotFoundError } from '@temporalio/common'
import { startHarness, uid, type Harness } from './harness.js'

let h: Harness
before(async () => {
  h = await startHarness()
})
after(async () => {
  await h.close()
})

/** The gRPC code of an error, or of its cause (the client wraps some errors). */
function grpcCode(e: unknown): number | undefined {
  const err = e as { code?: number; cause?: { code?: number } }
  return err.code ?? err.cause?.code
}

async function stillServing(): Promise<void> {
  const res = await h.connection.workflowService.describeNamespace({ namespace: 'default' })
  assert.equal(res.namespaceInfo?.name, 'default')
}

test('an unknown namespace raises NamespaceNotFoundError', async () => {
  const client = new Client({ connection: h.connection, namespace: 'no-such-namespace' })
  await assert.rejects(
    client.workflow.start('waitsLong', { taskQueue: 'tq', workflowId: uid('ns') }),
    NamespaceNotFoundError,
  )
  await stillServing()
})

test('an empty workflow id is InvalidArgument', async () => {
  await assert.rejects(
    h.connection.workflowService.startWorkflowExecution({
      namespace: 'default',
      workflowId: '',
      workflowType: { name: 'waitsLong' },
      taskQueue: { name: 'tq' },
      requestId: uid('r'),
    }),
    (e: unknown) =>
      grpcCode(e) === status.INVALID_ARGUMENT && /WorkflowId is not set/.test(String(e)),
  )
  await stillServing()
})

// 3 MB: over the 2 MiB blob limit, under the 4 MiB a request may be (Temporal's gRPC default);
// a larger request is refused by the transport with ResourceExhausted, which the SDK retries.
test('a 3 MB payload is refused as too large', async () => {
  await assert.rejects(
    h.client.workflow.start('sleeper', {
      taskQueue: 'tq',
      workflowId: uid('big'),
      args: ['x'.repeat(3 * 1024 * 1024)],
    }),
    (e: unknown) =>
      grpcCode(e) === status.INVALID_ARGUMENT &&
      /size exceeds limit/.test(String((e as { cause?: unknown }).cause ?? e)),
  )
  await stillServing()
})

test('garbage, truncated and forged task tokens are InvalidArgument', async () => {
  const tokens = [
    new Uint8Array(),
    randomBytes(3),
    randomBytes(200),
    Buffer.concat([Buffer.from([1]), randomBytes(16), Buffer.from('{"namespaceId":"x"}')]),
  ]
  for (const taskToken of tokens) {
    await assert.rejects(
      h.connection.workflowService.respondActivityTaskCompleted({
        namespace: 'default',
        taskToken,
        identity: 'attacker',
      }),
      (e: unknown) => grpcCode(e) === status.INVALID_ARGUMENT,
    )
    await assert.rejects(
      h.connection.workflowService.respondWorkflowTaskCompleted({
        namespace: 'default',
        taskToken,
        identity: 'attacker',
      }),
      (e: unknown) => grpcCode(e) === status.INVALID_ARGUMENT,
    )
  }
  await stillServing()
})

test('history of an unknown workflow is NotFound', async () => {
  await assert.rejects(h.client.workflow.getHandle(uid('missing')).fetchHistory(), (e: unknown) =>
    /not found/i.test(String(e)),
  )
  await stillServing()
})
