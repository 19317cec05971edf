/**
 * The SDK's hello-world workflow. Bundled for the workflow sandbox, so it imports only from
 * @temporalio/workflow (activities by type only).
 */
import { proxyActivities } from '@temporalio/workflow'
import type * as activities from './hello-activities.js'

const { greet } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds' })

export async function helloWorld(name: string): Promise<string> {
  return await greet(name)
}
