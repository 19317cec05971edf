/**
 * The restart case of batch.test.ts, on a store file of its own: three paced jobs (a terminate
 * by query, a signal by list, a reset by list) are stopped with the server part-way, and the
 * stopped server's last commit is rewound to the worst moment a crash can leave: a chunk applied
 * but not committed (already-applied targets pending again, their counts not yet added). A new
 * server on the file finishes the jobs, and every run has exactly one termination, or exactly
 * one signal, and every reset workflow exactly one new run.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, Connection } from '@temporalio/client'
import { NativeConnection, Worker } from '@temporalio/worker'
import { pino } from 'pino'
import { openStore } from '../../src/persistence/open-store.js'
import type { Store } from '../../src/persistence/store.js'
import { createServer } from '../../src/server/server.js'
import { testStoreConfig } from '../../src/testing/test-store.js'
import type { BatchState as JobState, Target } from '../../src/worker/batch/batch-state.js'
import * as activities from './activities.js'
import {
  batchDone,
  BatchState,
  counts,
  countEvents,
  describeBatch,
  startIdle,
} from './batch-helpers.js'
import { eventually, uid, workflowBundle } from './harness.js'

const SIGNAL_NS = 'batch-restart-signal'
const RESET_NS = 'batch-restart-reset'
const TARGETS = 20
/** A chunk of 4 each second: the terminate and signal jobs take about 5 s. */
const RPS = 4
/** One reset a second. */
const RESETS = 5

export async function runRestartCase(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sundial-batch-restart-'))
  try {
    await run(join(dir, 'sundial.db'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function start(dbFilename: string) {
  const server = await createServer({
    port: 0,
    store: await testStoreConfig(dbFilename),
    logger: pino({ level: 'warn' }),
    namespaces: [SIGNAL_NS, RESET_NS],
  })
  const connection = await Connection.connect({ address: server.address })
  return {
    server,
    connection,
    terminates: new Client({ connection }),
    signals: new Client({ connection, namespace: SIGNAL_NS }),
    resets: new Client({ connection, namespace: RESET_NS }),
    async stop() {
      await connection.close()
      await server.stop()
    },
  }
}

type Server = Awaited<ReturnType<typeof start>>

/** Runs `n` greeting workflows to completion (the reset job's targets); their run ids. */
async function completedGreetings(s: Server, prefix: string, n: number): Promise<string[]> {
  const taskQueue = `${prefix}-tq`
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: s.server.address }),
    namespace: RESET_NS,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
    shutdownGraceTime: '100ms',
  })
  return worker.runUntil(async () => {
    const runIds: string[] = []
    for (let i = 0; i < n; i++) {
      const handle = await s.resets.workflow.start('greeting', {
        taskQueue,
        workflowId: `${prefix}-${i}`,
        args: ['again'],
      })
      await handle.result()
      runIds.push(handle.firstExecutionRunId)
    }
    return runIds
  })
}

async function run(dbFilename: string): Promise<void> {
  const first = await start(dbFilename)
  const termPrefix = uid('restart-term')
  const sigPrefix = uid('restart-sig')
  const resetPrefix = uid('restart-reset')
  const termRuns = await startIdle(first.terminates, termPrefix, TARGETS)
  const sigRuns = await startIdle(first.signals, sigPrefix, TARGETS)
  const resetRuns = await completedGreetings(first, resetPrefix, RESETS)
  const jobs = {
    term: { namespace: 'default', jobId: uid('job'), total: TARGETS },
    sig: { namespace: SIGNAL_NS, jobId: uid('job'), total: TARGETS },
    reset: { namespace: RESET_NS, jobId: uid('job'), total: RESETS },
  }
  const ws = first.connection.workflowService
  const common = { reason: 'restart', maxOperationsPerSecond: RPS }
  await ws.startBatchOperation({
    ...jobs.term,
    ...common,
    visibilityQuery: `WorkflowId STARTS_WITH '${termPrefix}-'`,
    terminationOperation: { identity: 'batch-test' },
  })
  await ws.startBatchOperation({
    ...jobs.sig,
    ...common,
    executions: sigRuns.map((_, i) => ({ workflowId: `${sigPrefix}-${i}` })),
    signalOperation: { signal: 'add', identity: 'batch-test' },
  })
  await ws.startBatchOperation({
    ...jobs.reset,
    ...common,
    maxOperationsPerSecond: 1,
    executions: resetRuns.map((runId, i) => ({ workflowId: `${resetPrefix}-${i}`, runId })),
    resetOperation: { identity: 'batch-test', options: { firstWorkflowTask: {} } },
  })
  await eventually(async () => {
    for (const job of Object.values(jobs)) {
      const d = await describeBatch(first.connection, job.namespace, job.jobId)
      const enough = job === jobs.reset ? 2 : 2 * RPS
      assert.ok(Number(d.completeOperationCount) >= enough, `${job.jobId}: not far enough yet`)
    }
  })
  await first.stop()

  await rewind(dbFilename, jobs.term, async (_s, store, namespaceId) => {
    // Runs it terminated, pending again: the second termination must find them closed.
    const { records } = await store.visibility.listWorkflowExecutions({
      namespaceId,
      query: `WorkflowId STARTS_WITH '${termPrefix}-' AND ExecutionStatus = 'Terminated'`,
      customAttributes: new Map(),
      pageSize: RPS,
    })
    assert.equal(records.length, RPS)
    return records.map((r) => [r.workflowId, r.runId])
  })
  // The list's last chunk taken, pending again: its runs must not see a second signal, and its
  // workflows not a second reset.
  await rewind(dbFilename, jobs.sig, (s) => lastTaken(s, sigPrefix, sigRuns, RPS))
  await rewind(dbFilename, jobs.reset, (s) => lastTaken(s, resetPrefix, resetRuns, 1))

  const second = await start(dbFilename)
  try {
    for (const job of Object.values(jobs)) {
      const d = await batchDone(second.connection, job.namespace, job.jobId)
      assert.equal(d.state, BatchState.BATCH_OPERATION_STATE_COMPLETED, job.jobId)
      assert.deepEqual(counts(d), [job.total, job.total, 0], job.jobId)
    }
    for (let i = 0; i < TARGETS; i++) {
      const terminated = await countEvents(
        second.terminates,
        `${termPrefix}-${i}`,
        termRuns[i]!,
        (e) => e.workflowExecutionTerminatedEventAttributes,
      )
      assert.equal(terminated, 1, `${termPrefix}-${i}`)
      const signalled = await countEvents(
        second.signals,
        `${sigPrefix}-${i}`,
        sigRuns[i]!,
        (e) => e.workflowExecutionSignaledEventAttributes,
      )
      assert.equal(signalled, 1, `${sigPrefix}-${i}`)
    }
    for (let i = 0; i < RESETS; i++) {
      const runs = await resetChain(second.resets, `${resetPrefix}-${i}`)
      assert.equal(runs.length, 2, `the base run and one reset run: ${runs.join('; ')}`)
    }
  } finally {
    await second.stop()
  }
}

/** Each run of the workflow, as `runId status [reset of baseRunId]`, to compare and to show. */
async function resetChain(client: Client, workflowId: string): Promise<string[]> {
  const runs: string[] = []
  for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const { events } = await client.workflow.getHandle(workflowId, w.runId).fetchHistory()
    const base = events?.find((e) => e.workflowTaskFailedEventAttributes?.baseRunId)
    const of = base ? ` reset of ${base.workflowTaskFailedEventAttributes!.baseRunId}` : ''
    runs.push(`${w.runId} ${w.status.name}${of}`)
  }
  return runs
}

/** The last `n` targets a list job took (already applied), with their run ids. */
function lastTaken(s: JobState, prefix: string, runIds: string[], n: number): Target[] {
  assert.equal(s.source.kind, 'executions')
  const next = s.source.kind === 'executions' ? s.source.next : 0
  return runIds.map((runId, i): Target => [`${prefix}-${i}`, runId]).slice(next - n, next)
}

/**
 * Rewrites a stopped server's job row as a crash right after applying `redo(...)` and before
 * committing it would have left it: those targets pending, their successes not yet counted. A
 * row that already has a chunk pending (the stop interrupted one) is that case already.
 */
async function rewind(
  dbFilename: string,
  job: { namespace: string; jobId: string },
  redo: (s: JobState, store: Store, namespaceId: string) => Target[] | Promise<Target[]>,
): Promise<void> {
  const store = await openStore(await testStoreConfig(dbFilename), false)
  try {
    const ns = await store.namespaces.getNamespace({ name: job.namespace })
    const namespaceId = ns.namespace?.id
    assert.ok(namespaceId)
    const key = { namespaceId, kind: 'batch' as const, jobId: job.jobId }
    const { job: row } = await store.jobs.getJob(key)
    assert.ok(row)
    const s = JSON.parse(row.data) as JobState
    assert.equal(s.state, 'running', `${job.jobId} finished before the restart`)
    if (s.pending.length > 0) return
    s.pending = await redo(s, store, namespaceId)
    s.complete -= s.pending.length
    const { rangeId } = await store.cluster.acquireShard({ shardId: 1 })
    await store.jobs.updateJob({
      shardId: 1,
      rangeId,
      job: { ...row, version: row.version + 1, data: JSON.stringify(s) },
      expectedVersion: row.version,
    })
  } finally {
    await store.close()
  }
}
