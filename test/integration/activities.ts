/** Activities for the integration tests; shared state is per test key. */
import { Context, CancelledFailure } from '@temporalio/activity'
import { ApplicationFailure } from '@temporalio/common'
import { CompleteAsyncError } from '@temporalio/activity'

export const attempts = new Map<string, number>()

export function greet(name: string): Promise<string> {
  return Promise.resolve(`Hello, ${name}!`)
}

/** Fails twice, then succeeds, reporting the attempt it succeeded on. */
export function flaky(key: string): Promise<string> {
  const n = (attempts.get(key) ?? 0) + 1
  attempts.set(key, n)
  if (Context.current().info.attempt < 3) throw new Error(`flaky failure ${n}`)
  return Promise.resolve(`succeeded on attempt ${Context.current().info.attempt}`)
}

export function failHard(): Promise<void> {
  throw ApplicationFailure.nonRetryable('bad input', 'BadInput')
}

export async function tooSlow(): Promise<void> {
  await Context.current().sleep(3000)
}

/**
 * First attempt heartbeats once with details then stops heartbeating (so it times out); the
 * second attempt returns the details it sees.
 */
export async function slowWithHeartbeat(key: string): Promise<string> {
  const ctx = Context.current()
  if (ctx.info.attempt === 1) {
    ctx.heartbeat(`progress-${key}`)
    await ctx.sleep(4000)
    return 'first attempt finished'
  }
  return `attempt ${ctx.info.attempt} saw ${String(ctx.info.heartbeatDetails)}`
}

/** Keys of waitForCancel activities that saw their cancellation. */
export const cancelled = new Set<string>()

export async function waitForCancel(key: string): Promise<string> {
  const ctx = Context.current()
  for (;;) {
    ctx.heartbeat()
    try {
      await ctx.sleep(100)
    } catch (e) {
      if (e instanceof CancelledFailure) cancelled.add(key)
      throw e
    }
  }
}

export function alwaysFails(): Promise<void> {
  return Promise.reject(new Error('always fails'))
}

/** Never finishes on its own; ends when the worker cancels it (e.g. at shutdown). */
export async function hangs(): Promise<void> {
  await Context.current().sleep(120_000)
}

/** Completes later, from outside the worker (async completion). */
export function completedElsewhere(): Promise<string> {
  throw new CompleteAsyncError()
}
