#!/usr/bin/env node
/**
 * `sundial-test-server <port> [--enable-time-skipping]`: the time-skipping test server, started
 * the way the SDKs start Temporal's (`TestWorkflowEnvironment.createTimeSkipping` with
 * `server: { executable: { type: 'existing-path', path } }`). It serves the workflow API and
 * Temporal's TestService on virtual time, in memory, on 127.0.0.1 unless `--ip` says otherwise.
 */
import { Command, Option } from 'commander'
import { pino } from 'pino'
import { packageVersion } from '../frontend/handlers/system.js'
import { LOG_LEVELS } from '../server/log-levels.js'
import { createServer } from '../server/server.js'
import { parsePort } from './options.js'
import { stopOnSignals } from './stop-on-signals.js'

interface Flags {
  enableTimeSkipping?: boolean
  ip: string
  logLevel: string
}

const program = new Command()
  .name('sundial-test-server')
  .description(
    'Time-skipping test server: the workflow API plus Temporal TestService, in memory, on virtual time',
  )
  .version(packageVersion())
  .argument('<port>', 'gRPC port (0 picks a free one)', parsePort)
  .option(
    '--enable-time-skipping',
    'start with time skipping unlocked (by default it is locked until a client unlocks it)',
  )
  .option('--ip <address>', 'interface to bind', '127.0.0.1')
  .addOption(
    new Option('--log-level <level>', 'log level, on stderr').choices(LOG_LEVELS).default('warn'),
  )
  .action(async (port: number, flags: Flags) => {
    const logger = pino({ level: flags.logLevel }, pino.destination({ dest: 2, sync: true }))
    const server = await createServer({
      host: flags.ip,
      port,
      logger,
      timeSkipping: { startUnlocked: flags.enableTimeSkipping === true },
    })
    stopOnSignals(server)
    console.log(`Sundial test server listening on ${server.address} (time skipping)`)
  })

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`sundial-test-server: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
