/** Activities of ui-workflows.ts. */
import { Context } from '@temporalio/activity'

/** Fails every attempt, saying which attempt it was, after a heartbeat with its progress. */
export function alwaysFails(what: string): Promise<never> {
  const { attempt } = Context.current().info
  Context.current().heartbeat({ attempt, progress: 'checking disk' })
  return Promise.reject(new Error(`attempt ${attempt} failed: ${what}`))
}
