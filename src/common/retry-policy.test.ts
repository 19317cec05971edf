import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RetryState } from './proto.js'
import { isRetryableFailure, nextBackoff, normalizeRetryPolicy } from './retry-policy.js'

const policy = normalizeRetryPolicy({ maximumAttempts: 4 })

test('defaults: 1s initial, coefficient 2, maximum 100x initial', () => {
  assert.deepEqual(normalizeRetryPolicy(undefined), {
    initialIntervalMs: 1000,
    backoffCoefficient: 2,
    maximumIntervalMs: 100_000,
    maximumAttempts: 0,
    nonRetryableErrorTypes: [],
  })
})

test('backoff grows exponentially and stops at maximum attempts', () => {
  const delays = [1, 2, 3].map((attempt) =>
    nextBackoff({ now: 0, attempt, policy, expirationTime: 0 }),
  )
  assert.deepEqual(
    delays.map((d) => d.delayMs),
    [1000, 2000, 4000],
  )
  assert.equal(
    nextBackoff({ now: 0, attempt: 4, policy, expirationTime: 0 }).state,
    RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED,
  )
})

test('backoff is capped by the maximum interval and by the expiration time', () => {
  const p = normalizeRetryPolicy({ maximumInterval: { seconds: 3 as never } })
  assert.equal(nextBackoff({ now: 0, attempt: 10, policy: p, expirationTime: 0 }).delayMs, 3000)
  assert.equal(
    nextBackoff({ now: 0, attempt: 1, policy: p, expirationTime: 500 }).state,
    RetryState.RETRY_STATE_TIMEOUT,
  )
})

test('non-retryable application failures and listed types are not retried', () => {
  assert.equal(isRetryableFailure({ applicationFailureInfo: { nonRetryable: true } }, []), false)
  assert.equal(isRetryableFailure({ applicationFailureInfo: { type: 'Bad' } }, ['Bad']), false)
  assert.equal(isRetryableFailure({ applicationFailureInfo: { type: 'Ok' } }, ['Bad']), true)
  assert.equal(isRetryableFailure({ timeoutFailureInfo: { timeoutType: 1 } }, []), true)
})
