/**
 * The one way a client command fails: `sundial: <message>` on stderr and exit code 1. Commands
 * throw it; `clientAction` (run.ts) prints it.
 */
export class CliError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CliError'
  }
}

/** Prints `e` as the command's failure and sets the exit code; stdout is left to drain. */
export function reportFailure(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e)
  process.stderr.write(`sundial: ${message}\n`)
  process.exitCode = 1
}
