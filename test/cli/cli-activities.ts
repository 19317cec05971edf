/** Activities of the client-command tests' workflows, run by the test's worker. */
import { Context } from '@temporalio/activity'

export function greet(name: string): Promise<string> {
  return Promise.resolve(`Hello, ${name}!`)
}

/** Never completes on its own: ends when the worker shuts down or the activity is cancelled. */
export async function blockUntilCancelled(): Promise<void> {
  await Context.current().cancelled
}
