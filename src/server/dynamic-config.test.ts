import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DynamicConfigError, parseDynamicConfig } from './dynamic-config.js'

test('honoured keys become settings; known no-ops pass quietly; others are returned', () => {
  const { settings, ignored } = parseDynamicConfig([
    'limit.blobSize.error=1048576',
    'matching.longPollExpirationInterval="10s"',
    'history.longPollExpirationInterval=5',
    'frontend.enableUpdateWorkflowExecution=true',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=false',
    'frontend.enableServerVersionCheck=false',
    'system.forceSearchAttributesCacheRefreshOnRead=true',
    'frontend.workerVersioningDataAPIs=true',
    'some.key=not json',
  ])
  assert.deepEqual(settings, {
    blobSizeLimitBytes: 1_048_576,
    longPollMs: 10_000,
    historyLongPollMs: 5_000,
    syncUpdate: true,
    asyncUpdate: false,
  })
  assert.deepEqual(ignored, ['frontend.workerVersioningDataAPIs', 'some.key'])
})

test('a bad value of an honoured key, or a pair without a key, is refused', () => {
  for (const bad of [
    'limit.blobSize.error=-1',
    'limit.blobSize.error="1MB"',
    'matching.longPollExpirationInterval="soon"',
    'frontend.enableUpdateWorkflowExecution="yes"',
    '=1',
    'noequals',
  ]) {
    assert.throws(() => parseDynamicConfig([bad]), DynamicConfigError, bad)
  }
})
