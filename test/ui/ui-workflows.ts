/** Workflows the browser tests drive; bundled once per test file by ui-harness.ts. */
import {
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow'
import type * as activities from './ui-activities.js'

const { alwaysFails } = proxyActivities<typeof activities>({
  startToCloseTimeout: '10s',
  // Quick retries, so that a pending activity is seen on a later attempt within the test.
  retry: { initialInterval: '200ms', backoffCoefficient: 1, maximumInterval: '200ms' },
})

export const finish = defineSignal<[string]>('finish')
export const currentValue = defineQuery<string>('currentValue')
export const setValue = defineUpdate<string, [string]>('setValue')

/** Completes at once with a greeting. */
export function greet(name: string): Promise<string> {
  return Promise.resolve(`Hello, ${name}`)
}

/** Fails at once with an application failure. */
export function failsAtOnce(reason: string): Promise<never> {
  return Promise.reject(ApplicationFailure.nonRetryable(`cannot proceed: ${reason}`, 'BadInput'))
}

/**
 * Runs until signalled `finish`, then returns the signal's value. Answers the `currentValue`
 * query and accepts the `setValue` update meanwhile.
 */
export async function waitsForSignal(initial: string): Promise<string> {
  let value = initial
  let finished: string | undefined
  setHandler(finish, (v) => {
    finished = v
  })
  setHandler(currentValue, () => value)
  setHandler(setValue, (v) => {
    const old = value
    value = v
    return old
  })
  await condition(() => finished !== undefined)
  return finished!
}

/** Calls an activity that fails on every attempt and retries without end. */
export async function retriesForever(): Promise<void> {
  await alwaysFails('disk full')
}
