/**
 * Namespace life cycle through the SDK: retention deletes closed runs once the (virtual) clock
 * passes it, DeprecateNamespace stops new starts, and OperatorService.DeleteNamespace renames
 * the namespace at once and then deletes its runs and the namespace itself, resuming after a
 * restart.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { Client, WorkflowNotFoundError } from '@temporalio/client'
import proto from '@temporalio/proto'
import Long from 'long'
import { VirtualClock } from '../../src/common/clock.js'
import { parseTimerTaskData } from '../../src/history/queues/timer-task.js'
import { eventually, startHarness, uid, type Harness } from './harness.js'

const NamespaceState = proto.temporal.api.enums.v1.NamespaceState
const HOUR = 3_600_000
const DAY = 24 * HOUR

const dir = mkdtempSync(join(tmpdir(), 'sundial-namespaces-'))
after(() => rmSync(dir, { recursive: true, force: true }))

async function register(h: Harness, namespace: string, retentionMs = DAY): Promise<string> {
  await h.connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(retentionMs / 1000) },
  })
  const described = await h.connection.workflowService.describeNamespace({ namespace })
  return described.namespaceInfo!.id!
}

/** The gRPC error under the SDK's wrapper, if any. */
function grpc(e: unknown): { code?: number; message: string } {
  const err = e as Error
  return (err.cause ?? err) as { code?: number; message: string }
}

describe('retention', () => {
  test('closed runs and their history go once retention passes; open ones stay', async () => {
    const clock = new VirtualClock()
    const h = await startHarness({ clock })
    try {
      const namespace = 'retention-1d'
      const namespaceId = await register(h, namespace, DAY)
      const client = new Client({ connection: h.connection, namespace })
      const closed: { workflowId: string; runId: string }[] = []
      const open: string[] = []
      await h.withWorker(
        'retention',
        async () => {
          for (let i = 0; i < 3; i++) {
            const handle = await client.workflow.start('greeting', {
              taskQueue: 'retention',
              workflowId: uid('kept-then-deleted'),
              args: ['x'],
            })
            await handle.result()
            closed.push({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId })
          }
          for (let i = 0; i < 3; i++) {
            const handle = await client.workflow.start('collector', {
              taskQueue: 'retention',
              workflowId: uid('open'),
            })
            if (i === 2) {
              await handle.terminate('closing one')
              closed.push({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId })
            } else open.push(handle.workflowId)
          }
        },
        namespace,
      )
      assert.equal((await client.workflow.count()).count, 6)

      // Each closed run armed its deletion for close time + 1 day; nothing else did.
      const { tasks } = await h.server.store.tasks.listTimerTasks({
        fireBefore: clock.now() + 2 * DAY,
        limit: 1000,
      })
      const deletions = tasks.filter(
        (t) => parseTimerTaskData(t.data).kind === 'delete-history-event',
      )
      assert.deepEqual(deletions.map((t) => t.runId).sort(), closed.map((c) => c.runId).sort())
      for (const t of deletions) {
        assert.ok(t.fireTime > clock.now() + DAY - HOUR && t.fireTime <= clock.now() + DAY)
      }

      clock.advance(DAY + HOUR)
      await eventually(async () => {
        assert.equal((await client.workflow.count()).count, 2)
      })
      const listed: string[] = []
      for await (const wf of client.workflow.list()) listed.push(wf.workflowId)
      assert.deepEqual(listed.sort(), [...open].sort())
      for (const c of closed) {
        await assert.rejects(
          client.workflow.getHandle(c.workflowId).describe(),
          WorkflowNotFoundError,
        )
        const key = { namespaceId, ...c }
        const { execution } = await h.server.store.executions.getWorkflowExecution({ key })
        assert.equal(execution, undefined)
        const { batches } = await h.server.store.executions.readHistory({
          runId: c.runId,
          minEventId: 1,
          maxEventId: 1_000_000,
          maxBatches: 10,
        })
        assert.deepEqual(batches, [])
      }
      for (const id of open) {
        const described = await client.workflow.getHandle(id).describe()
        assert.equal(described.status.name, 'RUNNING')
      }
    } finally {
      await h.close()
    }
  })
})

describe('namespace life cycle', () => {
  test('UpdateNamespace changes retention; DeprecateNamespace stops starts, not the rest', async () => {
    const h = await startHarness()
    try {
      const namespace = 'to-deprecate'
      await register(h, namespace)
      const updated = await h.connection.workflowService.updateNamespace({
        namespace,
        config: { workflowExecutionRetentionTtl: { seconds: Long.fromNumber(3 * 86_400) } },
      })
      assert.equal(Number(updated.config?.workflowExecutionRetentionTtl?.seconds), 3 * 86_400)
      const client = new Client({ connection: h.connection, namespace })
      const running = await client.workflow.start('collector', {
        taskQueue: 'deprecation',
        workflowId: uid('before-deprecation'),
      })

      await h.connection.workflowService.deprecateNamespace({ namespace })
      const described = await h.connection.workflowService.describeNamespace({ namespace })
      assert.equal(described.namespaceInfo?.state, NamespaceState.NAMESPACE_STATE_DEPRECATED)

      await assert.rejects(
        client.workflow.start('collector', { taskQueue: 'deprecation', workflowId: uid('after') }),
        (e: unknown) => {
          assert.equal(grpc(e).code, 9) // FAILED_PRECONDITION
          assert.match(
            grpc(e).message,
            /Namespace has invalid state: Deprecated\. Must be Registered\./,
          )
          return true
        },
      )
      // Runs already there carry on: signals, queries of state, listing.
      await running.signal('done')
      assert.equal((await client.workflow.count()).count, 1)
    } finally {
      await h.close()
    }
  })

  test('DeleteNamespace renames at once, then deletes runs and the namespace; resumes after restart', async () => {
    const filename = join(dir, 'delete.db')
    const clock = new VirtualClock()
    let h = await startHarness({ dbFilename: filename, clock })
    try {
      const namespace = 'doomed'
      const namespaceId = await register(h, namespace)
      await h.connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: {
          DoomedKey: proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        },
      })
      const client = new Client({ connection: h.connection, namespace })
      const runs: { workflowId: string; runId: string }[] = []
      await h.withWorker(
        'doomed',
        async () => {
          const done = await client.workflow.start('greeting', {
            taskQueue: 'doomed',
            workflowId: uid('doomed-done'),
            args: ['x'],
          })
          await done.result()
          runs.push({ workflowId: done.workflowId, runId: done.firstExecutionRunId })
        },
        namespace,
      )
      const running = await client.workflow.start('collector', {
        taskQueue: 'doomed',
        workflowId: uid('doomed-running'),
      })
      runs.push({ workflowId: running.workflowId, runId: running.firstExecutionRunId })

      await assert.rejects(
        h.connection.operatorService.deleteNamespace({ namespace, namespaceId }),
        /only one of namespace or namespace ID/,
      )
      await assert.rejects(
        h.connection.operatorService.deleteNamespace({ namespace: 'never-was' }),
        /namespace never-was is not found/,
      )
      // A delay keeps the renamed namespace around after its runs are gone.
      const { deletedNamespace } = await h.connection.operatorService.deleteNamespace({
        namespace,
        namespaceDeleteDelay: { seconds: Long.fromNumber(3600) },
      })
      assert.equal(deletedNamespace, `${namespace}-deleted-${namespaceId.slice(0, 5)}`)
      await assert.rejects(
        h.connection.workflowService.describeNamespace({ namespace }),
        /Namespace doomed is not found/,
      )
      const renamed = await h.connection.workflowService.describeNamespace({
        namespace: deletedNamespace,
      })
      assert.equal(renamed.namespaceInfo?.state, NamespaceState.NAMESPACE_STATE_DELETED)
      // The deleted namespace serves nothing but DeleteNamespace; its old name is free at once.
      await assert.rejects(
        new Client({ connection: h.connection, namespace: deletedNamespace }).workflow.count(),
        (e: unknown) => /Namespace has invalid state: Deleted/.test(grpc(e).message),
      )
      await register(h, namespace)

      await eventually(async () => {
        for (const r of runs) {
          const key = { namespaceId, ...r }
          const { execution } = await h.server.store.executions.getWorkflowExecution({ key })
          assert.equal(execution, undefined)
        }
      })
      assert.equal(
        (await h.server.store.namespaces.getNamespace({ id: namespaceId })).namespace?.name,
        deletedNamespace,
      )

      // Stopped during the delay: the next start finishes the job without waiting again.
      await h.close()
      h = await startHarness({ dbFilename: filename, clock })
      await eventually(async () => {
        const { namespace: row } = await h.server.store.namespaces.getNamespace({ id: namespaceId })
        assert.equal(row, undefined)
      })
      const { attributes } = await h.server.store.visibility.listSearchAttributes({
        namespaceId,
      })
      assert.deepEqual(attributes, [])
      await assert.rejects(
        h.connection.workflowService.describeNamespace({ namespace: deletedNamespace }),
        /is not found/,
      )
    } finally {
      await h.close()
    }
  })
})
