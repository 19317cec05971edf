/** The SDK benchmark's workflow: one activity, then done. Bundled for the worker's sandbox. */
import { proxyActivities } from '@temporalio/workflow'
import type * as activities from './sdk-activities.js'

const { act } = proxyActivities<typeof activities>({ startToCloseTimeout: '10s' })

export async function oneActivity(name: string): Promise<string> {
  return act(name)
}
