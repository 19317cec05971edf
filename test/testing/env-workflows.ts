/**
 * Workflows for the SDK test-environment tests: a long sleep, an update whose handler sleeps,
 * and the hello-world activity call. Bundled for the workflow sandbox.
 */
import { condition, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow'
import type * as activities from './env-activities.js'

const { greet } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds' })

export async function greeting(name: string): Promise<string> {
  return await greet(name)
}

/** Sleeps `days` days of workflow time, then reports the workflow time it woke at. */
export async function sleeper(days: number): Promise<number> {
  await sleep(`${days} days`)
  return Date.now()
}

export const slowUpdate = defineUpdate<string, [string]>('slowUpdate')

/** Its update handler sleeps 30 days before answering; the workflow ends once it has. */
export async function updatable(): Promise<string> {
  let answered = false
  setHandler(slowUpdate, async (name) => {
    await sleep('30 days')
    answered = true
    return `updated ${name}`
  })
  await condition(() => answered)
  return 'done'
}
