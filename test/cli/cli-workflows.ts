/**
 * Workflows the client-command tests drive through `sundial workflow ...` (bundled for the
 * workflow sandbox, so activities are imported by type only).
 */
import {
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow'
import type * as activities from './cli-activities.js'

const { greet } = proxyActivities<typeof activities>({ startToCloseTimeout: '10s' })
const { blockUntilCancelled } = proxyActivities<typeof activities>({
  startToCloseTimeout: '10m',
  retry: { maximumAttempts: 1 },
})

export const finishSignal = defineSignal<[string]>('finish')
export const stateQuery = defineQuery<string, [string?]>('state')
export const setStateUpdate = defineUpdate<string, [string]>('setState')

/** Greets through an activity. */
export async function greeting(name: string): Promise<string> {
  return await greet(name)
}

/** Fails with an application failure carrying `message`. */
export function failing(message: string): Promise<void> {
  return Promise.reject(ApplicationFailure.nonRetryable(message, 'CliTestFailure'))
}

/**
 * Runs until signalled `finish`, then returns the signal's argument. Its state can be queried
 * (`state`, with an optional prefix) and set by the `setState` update, which refuses ''.
 */
export async function awaitingFinish(initial: string): Promise<string> {
  let state = initial
  let finished: string | undefined
  setHandler(finishSignal, (value) => void (finished = value))
  setHandler(stateQuery, (prefix) => `${prefix ?? ''}${state}`)
  setHandler(
    setStateUpdate,
    (value) => {
      state = value
      return `state is ${state}`
    },
    {
      validator: (value) => {
        if (value === '') throw new Error('state must not be empty')
      },
    },
  )
  await condition(() => finished !== undefined)
  return finished!
}

/** Continues as new `runs` times, then returns how many runs there were. */
export async function countdown(runs: number, total = 1): Promise<number> {
  if (runs > 0) await continueAsNew<typeof countdown>(runs - 1, total + 1)
  return total
}

/** Leaves a pending activity and a pending child until it is terminated. */
export async function busy(): Promise<void> {
  await startChild(awaitingFinish, {
    args: ['child'],
    workflowId: `${workflowInfo().workflowId}-child`,
  })
  await blockUntilCancelled()
}
