/**
 * Shared set-up for integration tests: an in-process Sundial on a random port, the SDK client,
 * and workers running the bundled test workflows. One bundle per test process.
 */
import { fileURLToPath } from 'node:url'
import { Client, Connection } from '@temporalio/client'
import {
  Runtime,
  DefaultLogger,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundle,
} from '@temporalio/worker'
import { pino } from 'pino'
import { createServer, type ServerOptions, type SundialServer } from '../../src/server/server.js'
import { testStoreConfig } from '../../src/testing/test-store.js'
import * as activities from './activities.js'

let bundle: Promise<WorkflowBundle> | undefined
let runtimeInstalled = false

export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./workflows.js', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  })
  return bundle
}

export interface Harness {
  server: SundialServer
  connection: Connection
  client: Client
  /** Runs a worker on `taskQueue` (of `namespace`, default `default`) while `fn` runs. */
  withWorker<T>(taskQueue: string, fn: () => Promise<T>, namespace?: string): Promise<T>
  close(): Promise<void>
}

/**
 * `dbFilename`: a store the test reopens across restarts (a SQLite file, or the PostgreSQL schema
 * named after it); otherwise a new empty one. SUNDIAL_TEST_STORE picks the kind.
 */
export async function startHarness(
  opts: ServerOptions & { dbFilename?: string } = {},
): Promise<Harness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') })
    runtimeInstalled = true
  }
  const { dbFilename, ...serverOptions } = opts
  const server = await createServer({
    port: 0,
    logger: pino({ level: 'warn' }),
    store: await testStoreConfig(dbFilename),
    ...serverOptions,
  })
  const connection = await Connection.connect({ address: server.address })
  const client = new Client({ connection })
  const workflowBundleCode = await workflowBundle()
  return {
    server,
    connection,
    client,
    async withWorker(taskQueue, fn, namespace) {
      const worker = await Worker.create({
        connection: await workerConnection(server.address),
        namespace,
        taskQueue,
        workflowBundle: workflowBundleCode,
        activities,
        shutdownGraceTime: '1s',
      })
      return worker.runUntil(fn)
    },
    async close() {
      await connection.close()
      await server.stop()
    },
  }
}

async function workerConnection(address: string) {
  const { NativeConnection } = await import('@temporalio/worker')
  return NativeConnection.connect({ address })
}

let counter = 0
/** A unique id for this test process. */
export function uid(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}`
}

/** Retries `fn` until it stops throwing (or `timeoutMs` passes, then throws its last error). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await fn()
    } catch (e) {
      if (Date.now() > deadline) throw e
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}
