/** `sundial server start-dev`: a single-node server, as `temporal server start-dev` starts one. */
import { resolve } from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
import { pino } from 'pino'
import { createServer } from '../../server/server.js'

interface StartDevOptions {
  ip: string
  port: number
  dbFilename?: string
  namespace: string[]
  headless?: boolean
  logLevel: string
  sqliteSynchronous: 'full' | 'normal'
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a port number (0-65535).`)
  }
  return port
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

export function serverCommand(): Command {
  const server = new Command('server').description('Run a Sundial server')
  server
    .command('start-dev')
    .description('Start a development server (embedded SQLite, in memory unless --db-filename)')
    .option('--ip <address>', 'interface to bind', '127.0.0.1')
    .option('-p, --port <port>', 'gRPC port (0 picks a free one)', parsePort, 7233)
    .option('-f, --db-filename <path>', 'SQLite file that keeps state across restarts')
    .option(
      '-n, --namespace <name>',
      'namespace to create besides "default" (repeatable)',
      collect,
      [],
    )
    .option(
      '--headless',
      'do not serve the Web UI (there is none yet; accepted for Temporal CLI compatibility)',
    )
    .option('--log-level <level>', 'server log level (trace, debug, info, warn, error)', 'warn')
    .addOption(
      new Option('--sqlite-synchronous <mode>', 'SQLite synchronous mode; full survives power loss')
        .choices(['full', 'normal'])
        .default('full'),
    )
    .action(startDev)
  return server
}

async function startDev(opts: StartDevOptions): Promise<void> {
  const logger = pino({ level: opts.logLevel })
  const dbFilename = opts.dbFilename ? resolve(opts.dbFilename) : undefined
  let running
  try {
    running = await createServer({
      host: opts.ip,
      port: opts.port,
      dbFilename,
      namespaces: opts.namespace,
      sqliteSynchronous: opts.sqliteSynchronous,
      logger,
    })
  } catch (e: unknown) {
    const err = e as NodeJS.ErrnoException & { details?: string }
    const reason = /EADDRINUSE|address already in use/i.test(`${err.message} ${err.details ?? ''}`)
      ? `port ${opts.port} on ${opts.ip} is already in use`
      : err.message
    console.error(`sundial: could not start the server: ${reason}`)
    process.exit(1)
  }
  const server = running
  console.log(`Sundial server listening on ${server.address}`)
  console.log(
    dbFilename ? `Store: SQLite file ${dbFilename}` : 'Store: in memory (state is lost on exit)',
  )
  console.log(
    `Namespaces: ${['default', ...opts.namespace.filter((n) => n !== 'default')].join(', ')}`,
  )
  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    server.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(`sundial: error while stopping: ${String(e)}`)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
