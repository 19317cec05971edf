/**
 * The action of every client command: check what can be checked without the server (`prepare`:
 * confirmations, input files), connect, run, and turn any failure into `sundial: <message>` and
 * exit code 1. `@temporalio/client` is imported here on demand, so that loading the command tree
 * costs server commands nothing.
 */
import { reportFailure } from './cli-error.js'
import type { ClientFlags } from './options.js'
import type { ClientSession } from './session.js'

/** The commander action for a client command: `prepare`, then `run` on a connected session. */
export function clientAction<F extends ClientFlags>(
  run: (session: ClientSession, flags: F) => Promise<void>,
  prepare?: (flags: F) => Promise<void> | void,
): (flags: F) => Promise<void> {
  return async (flags) => {
    // A reader that stops early (`| head`) is not a failure of the command.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0)
      throw e
    })
    try {
      await prepare?.(flags)
      const { withSession } = await import('./session.js')
      await withSession(flags, (session) => run(session, flags))
    } catch (e: unknown) {
      reportFailure(e)
    }
  }
}
