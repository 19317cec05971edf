/**
 * A server process stops cleanly on SIGINT or SIGTERM (in-flight calls end, the store closes)
 * and exits 0; a second signal exits at once, for when a clean stop hangs.
 */
export function stopOnSignals(server: { stop(): Promise<void> }): void {
  let stopping = false
  const stop = (): void => {
    if (stopping) {
      console.error('sundial: stopping without waiting for the server')
      process.exit(1)
    }
    stopping = true
    server.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(
          `sundial: error while stopping: ${e instanceof Error ? e.message : String(e)}`,
        )
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
