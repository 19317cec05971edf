/** Workflows for the query and sticky-queue tests (re-exported by workflows.ts for the bundle). */
import { condition, defineQuery, defineSignal, setHandler, sleep } from '@temporalio/workflow'

export const stateQuery = defineQuery<{ stage: string; count: number }>('state')
export const failingQuery = defineQuery<string>('failing')
export const bumpSignal = defineSignal('bump')
export const finishSignal = defineSignal('finish')

/** Counts `bump` signals until `finish`, answering `state` queries all along. */
export async function queryable(): Promise<number> {
  let count = 0
  let stage = 'waiting'
  let finished = false
  setHandler(stateQuery, () => ({ stage, count }))
  setHandler(failingQuery, () => {
    throw new Error('query handler failed')
  })
  setHandler(bumpSignal, () => {
    count++
  })
  setHandler(finishSignal, () => {
    finished = true
  })
  await condition(() => finished)
  stage = 'done'
  return count
}

/** Sleeps `n` times for `ms` each, answering `state` with how many sleeps are done. */
export async function sleepSteps(n: number, ms: number): Promise<number> {
  let count = 0
  setHandler(stateQuery, () => ({ stage: count < n ? 'sleeping' : 'done', count }))
  for (; count < n; count++) await sleep(ms)
  return count
}
