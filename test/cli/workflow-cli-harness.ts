/**
 * What the client-command tests share: an in-process Sundial on a random port, the SDK client to
 * check what the CLI did, a worker running cli-workflows.ts (bundled once per test file), and the
 * built `sundial` run as a subprocess against that server.
 */
import { fileURLToPath } from 'node:url'
import { Client, Connection } from '@temporalio/client'
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
} from '@temporalio/worker'
import { pino } from 'pino'
import { createServer, type SundialServer } from '../../src/server/server.js'
import { testStoreConfig } from '../../src/testing/test-store.js'
import * as activities from './cli-activities.js'
import { spawnSundial, type Cli } from './cli-process.js'

// Core's own logs (a task completed after its run was terminated, connection retries) go to
// stderr unless filtered; only errors matter here.
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
})

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** A command line: arguments, or one string of arguments separated by spaces. */
export type Args = string | string[]

const argv = (args: Args) => (typeof args === 'string' ? args.trim().split(/\s+/) : args)

export interface CliHarness {
  server: SundialServer
  client: Client
  connection: Connection
  /** The task queue the worker (if started) polls. */
  taskQueue: string
  /**
   * Runs `sundial <args> --address <server>` to its end. A string is split at spaces, for
   * arguments that have none (`-i "x"` is the JSON string "x").
   */
  run(args: Args, env?: Record<string, string>): Promise<CliResult>
  /** Runs it with `-o json`, expects exit code 0, and parses stdout. */
  json<T = Record<string, unknown>>(args: Args): Promise<T>
  /** Starts `sundial <args> --address <server>` and returns the running process. */
  spawn(args: Args, env?: Record<string, string>): Cli
  /** Stops the worker and the server. */
  close(): Promise<void>
}

let counter = 0
/** A unique id in this test process. */
export function uid(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}`
}

/**
 * Starts the server (extra namespaces as given) and, with `worker`, a worker on a task queue of
 * its own.
 */
export async function startCliHarness(
  opts: { worker?: boolean; namespaces?: string[] } = {},
): Promise<CliHarness> {
  const server = await createServer({
    port: 0,
    logger: pino({ level: 'warn' }),
    store: await testStoreConfig(),
    namespaces: opts.namespaces,
  })
  const connection = await Connection.connect({ address: server.address })
  const taskQueue = uid('cli')
  let stopWorker = async () => {}
  if (opts.worker) {
    const workerConnection = await NativeConnection.connect({ address: server.address })
    const worker = await Worker.create({
      connection: workerConnection,
      taskQueue,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: fileURLToPath(new URL('./cli-workflows.js', import.meta.url)),
        logger: new DefaultLogger('WARN'),
      }),
      activities,
      shutdownGraceTime: '1s',
    })
    const running = worker.run()
    stopWorker = async () => {
      worker.shutdown()
      await running
      await workerConnection.close()
    }
  }

  const spawn = (args: Args, env?: Record<string, string>) =>
    spawnSundial([...argv(args), '--address', server.address], env)
  const run = async (args: Args, env?: Record<string, string>): Promise<CliResult> => {
    const cli = spawn(args, env)
    const code = await cli.exit
    return { code, ...cli.out }
  }
  return {
    server,
    connection,
    client: new Client({ connection }),
    taskQueue,
    run,
    spawn,
    async close() {
      await stopWorker()
      await connection.close()
      await server.stop()
    },
    async json<T>(args: Args) {
      const r = await run([...argv(args), '-o', 'json'])
      if (r.code !== 0)
        throw new Error(`sundial ${argv(args).join(' ')} exited ${r.code}: ${r.stderr}`)
      return JSON.parse(r.stdout) as T
    },
  }
}

/** The rows of a text table as arrays of cells (split on runs of two or more spaces). */
export function tableRows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('  ') && l.trim() !== '')
    .map((l) => l.trim().split(/\s{2,}/))
}

/** The `Label  value` lines of a text card as an object. */
export function cardFields(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .map((l) => /^ {2}(\S+) {2,}(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  )
}
