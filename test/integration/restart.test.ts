/**
 * Durability across a restart: timers and activity timeouts are rows in the SQLite file, so a
 * workflow sleeping 3 s and one waiting on a 5 s activity timeout both finish after the server
 * is stopped and started again on the same file.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { Client, Connection } from '@temporalio/client'
import { NativeConnection, Worker } from '@temporalio/worker'
import { pino } from 'pino'
import { StoreInUseError } from '../../src/persistence/errors.js'
import { createServer, type SundialServer } from '../../src/server/server.js'
import * as activities from './activities.js'
import { testStoreConfig } from '../../src/testing/test-store.js'
import { eventually, uid, workflowBundle } from './harness.js'
import type * as wf from './workflows.js'

const dir = mkdtempSync(join(tmpdir(), 'sundial-restart-'))
const dbFilename = join(dir, 'sundial.db')
const cleanups: (() => Promise<void>)[] = []
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined)
  rmSync(dir, { recursive: true, force: true })
})

async function start(): Promise<{ server: SundialServer; client: Client; connection: Connection }> {
  const server = await createServer({
    port: 0,
    store: await testStoreConfig(dbFilename),
    logger: pino({ level: 'warn' }),
  })
  const connection = await Connection.connect({ address: server.address })
  const stop = async (): Promise<void> => {
    await connection.close()
    await server.stop()
  }
  cleanups.push(stop)
  return { server, connection, client: new Client({ connection }) }
}

async function worker(address: string, taskQueue: string): Promise<Worker> {
  return Worker.create({
    connection: await NativeConnection.connect({ address }),
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
    shutdownGraceTime: '100ms',
  })
}

test('a sleeping workflow and a pending activity timeout survive a restart', async () => {
  const taskQueue = uid('tq')
  const sleeperId = uid('sleeper')
  const timeoutId = uid('timeout')

  const first = await start()
  const w1 = await worker(first.server.address, taskQueue)
  const running = w1.run()
  const startedAt = Date.now()
  await first.client.workflow.start('sleeper', { taskQueue, workflowId: sleeperId, args: [3000] })
  await first.client.workflow.start('activityTimesOut', { taskQueue, workflowId: timeoutId })
  await eventually(async () => {
    const d = await first.client.workflow.getHandle(timeoutId).describe()
    assert.equal(d.raw.pendingActivities?.[0]?.state, 1, 'activity not scheduled yet')
    const h = await first.client.workflow.getHandle(sleeperId).fetchHistory()
    assert.ok(h.events!.some((e) => e.timerStartedEventAttributes))
  })
  w1.shutdown()
  await running
  await first.connection.close()
  await first.server.stop()

  const second = await start()
  const w2 = await worker(second.server.address, taskQueue)
  const results = await w2.runUntil(async () => {
    const a = await second.client.workflow.getHandle<typeof wf.sleeper>(sleeperId).result()
    const b = await second.client.workflow.getHandle<typeof wf.activityTimesOut>(timeoutId).result()
    return [a, b]
  })
  assert.equal(results[0], 'woke')
  assert.ok(Date.now() - startedAt >= 3000)
  assert.equal(results[1], 'failed: TimeoutFailure SCHEDULE_TO_CLOSE')
  assert.ok(Date.now() - startedAt >= 5000)
  const { events } = await second.client.workflow.getHandle(sleeperId).fetchHistory()
  assert.equal(events!.filter((e) => e.timerFiredEventAttributes).length, 1)
})

test('a second server on the same store: refused on a SQLite file, fenced out on PostgreSQL', async () => {
  const filename = join(dir, 'fenced.db')
  const logger = pino({ level: 'fatal' })
  const store = await testStoreConfig(filename)
  const first = await createServer({ port: 0, store, logger })
  // No retry interceptor: the first server's answer is the point.
  const toFirst = await Connection.connect({ address: first.address, interceptors: [] })
  cleanups.push(async () => {
    await toFirst.close()
    await first.stop()
  })
  const start = (connection: Connection, workflowId: string) =>
    connection.workflowService.startWorkflowExecution({
      namespace: 'default',
      workflowId,
      workflowType: { name: 'greeting' },
      taskQueue: { name: 'fenced' },
      requestId: workflowId,
    })
  if (store.kind === 'sqlite') {
    // One process at a time on a file (its lock), and one store at a time within a process.
    await assert.rejects(createServer({ port: 0, store, logger }), StoreInUseError)
    assert.ok((await start(toFirst, uid('still-in'))).runId)
    return
  }
  // PostgreSQL is shared by design; until several nodes share the work, the newest server takes
  // the shard and the first can no longer write.
  const second = await createServer({ port: 0, store, logger })
  const toSecond = await Connection.connect({ address: second.address, interceptors: [] })
  cleanups.push(async () => {
    await toSecond.close()
    await second.stop()
  })
  await assert.rejects(start(toFirst, uid('fenced-out')), (e: Error & { code?: number }) => {
    assert.equal(e.code, 14) // UNAVAILABLE
    assert.match(e.message, /shard ownership lost/)
    return true
  })
  const { runId } = await start(toSecond, uid('fenced-in'))
  assert.ok(runId)
})
