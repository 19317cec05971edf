/** Workflow code for the integration tests (bundled by the SDK's webpack step). */
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  startChild,
  upsertMemo,
  workflowInfo,
  defineSignal,
  defineUpdate,
  setHandler,
  isCancellation,
  patched,
  proxyLocalActivities,
  proxyActivities,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow'
import { defineSearchAttributeKey } from '@temporalio/common'
import type * as activities from './activities.js'

const { greet, flaky, failHard } = proxyActivities<typeof activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '50ms', backoffCoefficient: 1, maximumAttempts: 5 },
})

export async function greeting(name: string): Promise<string> {
  return await greet(name)
}

export async function threeActivities(name: string): Promise<string[]> {
  return [await greet(`${name}-1`), await greet(`${name}-2`), await greet(`${name}-3`)]
}

export async function retrying(key: string): Promise<string> {
  return await flaky(key)
}

export async function nonRetryable(): Promise<void> {
  await failHard()
}

export async function startToCloseTimeout(): Promise<void> {
  const { tooSlow: slow } = proxyActivities<typeof activities>({
    startToCloseTimeout: '300ms',
    retry: { maximumAttempts: 1 },
  })
  await slow()
}

export async function heartbeatTimeout(key: string): Promise<string> {
  const { slowWithHeartbeat: act } = proxyActivities<typeof activities>({
    startToCloseTimeout: '20s',
    heartbeatTimeout: '1s',
    retry: { initialInterval: '50ms', maximumAttempts: 2 },
  })
  return await act(key)
}

export async function sleeper(ms: number): Promise<string> {
  await sleep(ms)
  return 'woke'
}

export async function cancelledTimer(): Promise<string> {
  const scope = new CancellationScope()
  const timer = scope.run(() => sleep('1h'))
  await sleep(100)
  scope.cancel()
  try {
    await timer
  } catch (e) {
    if (!isCancellation(e)) throw e
  }
  await sleep(200)
  return 'done'
}

export async function cancellable(key: string): Promise<string> {
  const { waitForCancel } = proxyActivities<typeof activities>({
    startToCloseTimeout: '1m',
    heartbeatTimeout: '2s',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  })
  try {
    await waitForCancel(key)
    return 'not cancelled'
  } catch (e) {
    if (isCancellation(e)) throw e
    throw ApplicationFailure.nonRetryable(`unexpected ${String(e)}`)
  }
}

export async function waitsLong(): Promise<void> {
  await sleep('1h')
}

export function failing(): Promise<void> {
  return Promise.reject(ApplicationFailure.nonRetryable('workflow failed on purpose', 'Purpose'))
}

export async function heartbeatTimeoutFinal(key: string): Promise<string> {
  const { slowWithHeartbeat: act } = proxyActivities<typeof activities>({
    startToCloseTimeout: '20s',
    heartbeatTimeout: '1s',
    retry: { maximumAttempts: 1 },
  })
  return await act(key)
}

export async function retriesForever(): Promise<void> {
  const { alwaysFails } = proxyActivities<typeof activities>({
    startToCloseTimeout: '10s',
    retry: { initialInterval: '100ms', backoffCoefficient: 1 },
  })
  await alwaysFails()
}

/**
 * Waits on an activity on a task queue nobody polls until its 5 s schedule-to-close timeout;
 * reports how it ended.
 */
export async function activityTimesOut(): Promise<string> {
  const { hangs } = proxyActivities<typeof activities>({
    taskQueue: 'nobody-polls-this-queue',
    scheduleToCloseTimeout: '5s',
  })
  try {
    await hangs()
    return 'completed'
  } catch (e) {
    const cause = (e as { cause?: { timeoutType?: string; constructor: { name: string } } }).cause
    return `failed: ${cause?.constructor.name} ${cause?.timeoutType}`
  }
}

/** Grows a long history (three batches per iteration), so workflow tasks page their history. */
export async function manySleeps(n: number): Promise<number> {
  for (let i = 0; i < n; i++) await sleep(1)
  return n
}

export async function asyncCompletion(): Promise<string> {
  const { completedElsewhere } = proxyActivities<typeof activities>({ startToCloseTimeout: '30s' })
  return await completedElsewhere()
}

/** Local activities and patches both become MarkerRecorded events. */
export async function markers(name: string): Promise<string> {
  const { greet: localGreet } = proxyLocalActivities<typeof activities>({
    startToCloseTimeout: '10s',
  })
  const greeting = await localGreet(name)
  return patched('my-patch') ? `${greeting} (patched)` : greeting
}

export async function scheduleToStartTimeout(): Promise<string> {
  const { greet: unpolled } = proxyActivities<typeof activities>({
    taskQueue: 'nobody-polls-this-queue',
    scheduleToStartTimeout: '500ms',
    startToCloseTimeout: '10s',
  })
  try {
    return await unpolled('nobody')
  } catch (e) {
    const cause = (e as { cause?: { timeoutType?: string; constructor: { name: string } } }).cause
    return `failed: ${cause?.constructor.name} ${cause?.timeoutType}`
  }
}

export const addSignal = defineSignal<[number]>('add')
export const doneSignal = defineSignal('done')

/** Collects `add` signals until `done`; returns them in the order received. */
export async function collector(): Promise<number[]> {
  const got: number[] = []
  let done = false
  setHandler(addSignal, (n) => {
    got.push(n)
  })
  setHandler(doneSignal, () => {
    done = true
  })
  await condition(() => done)
  return got
}

/** Continues as new `times` times, then returns how many runs there were. */
export async function continuing(times: number, run = 1): Promise<number> {
  if (run <= times) await continueAsNew<typeof continuing>(times, run + 1)
  return run
}

/** Fails on its first two attempts; the workflow retry policy starts new runs. */
export function retriedWorkflow(): Promise<number> {
  const { attempt } = workflowInfo()
  if (attempt < 3) return Promise.reject(ApplicationFailure.retryable(`attempt ${attempt} fails`))
  return Promise.resolve(attempt)
}

export function cronJob(): Promise<string> {
  const info = workflowInfo()
  return Promise.resolve(`run after ${JSON.stringify(info.lastResult ?? 'nothing')}`)
}

export async function parentOfOne(name: string): Promise<string> {
  return await executeChild(greeting, {
    args: [name],
    workflowId: `${workflowInfo().workflowId}-child`,
  })
}

export async function parentOfFailing(): Promise<string> {
  try {
    await executeChild(failing, { workflowId: `${workflowInfo().workflowId}-child` })
    return 'child succeeded?'
  } catch (e) {
    const f = e as { constructor: { name: string }; cause?: { message?: string } }
    return `${f.constructor.name}: ${f.cause?.message ?? ''}`
  }
}

/** Starts a long-running child with the given parent-close policy, then completes. */
export async function parentThatLeaves(
  policy: 'TERMINATE' | 'REQUEST_CANCEL' | 'ABANDON',
): Promise<string> {
  const child = await startChild(waitsLong, {
    workflowId: `${workflowInfo().workflowId}-child`,
    parentClosePolicy: policy,
  })
  return child.workflowId
}

/** Waits on a long-running child (which the parent's close then terminates). */
export async function parentOfLongChild(): Promise<void> {
  await executeChild(waitsLong, { workflowId: `${workflowInfo().workflowId}-child` })
}

/** Starts a child whose id is taken by a running workflow. */
export async function parentWithTakenId(takenId: string): Promise<string> {
  try {
    await executeChild(waitsLong, { workflowId: takenId })
    return 'started?'
  } catch (e) {
    return (e as { constructor: { name: string } }).constructor.name
  }
}

/** Signals and cancels other workflows by id. */
export async function messenger(targetId: string): Promise<string> {
  await getExternalWorkflowHandle(targetId).signal(addSignal, 42)
  await getExternalWorkflowHandle(targetId).signal(doneSignal)
  try {
    await getExternalWorkflowHandle(`${targetId}-missing`).signal(doneSignal)
    return 'signalled a missing workflow?'
  } catch (e) {
    return `missing: ${(e as { constructor: { name: string } }).constructor.name}`
  }
}

export function memoUpdater(): Promise<string> {
  upsertMemo({ step: 'two', gone: null })
  return Promise.resolve('updated')
}

export * from './query-workflows.js'

export const addUpdate = defineUpdate<number, [number]>('addUpdate')
export const finishSignal = defineSignal('finish')

/** Keeps a total; updates add to it (negative amounts are rejected by the validator). */
export async function counter(): Promise<number> {
  let total = 0
  let finished = false
  setHandler(
    addUpdate,
    async (n) => {
      await sleep(1)
      total += n
      return total
    },
    {
      validator: (n) => {
        if (n < 0) throw new Error('negative amounts are not allowed')
      },
    },
  )
  setHandler(finishSignal, () => {
    finished = true
  })
  await condition(() => finished)
  return total
}

/** Upserts typed search attributes, then waits for a signal to finish (visibility tests). */
export async function attributeUpserter(stage: string): Promise<void> {
  upsertSearchAttributes([
    { key: defineSearchAttributeKey('SdlStage', 'KEYWORD'), value: stage },
    { key: defineSearchAttributeKey('SdlScore', 'INT'), value: 42 },
  ])
  await sleep(10)
}
