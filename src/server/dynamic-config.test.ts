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

test('the limit and rate keys map to their settings', () => {
  const { settings, ignored } = parseDynamicConfig([
    'limit.blobSize.warn=1024',
    'limit.memoSize.error=4096',
    'limit.memoSize.warn=512',
    'limit.maxIDLength=200',
    'frontend.searchAttributesNumberOfKeysLimit=5',
    'frontend.searchAttributesSizeOfValueLimit=100',
    'frontend.searchAttributesTotalSizeLimit=1000',
    'limit.historyCount.error=100',
    'limit.historyCount.warn=50',
    'limit.historySize.error=65536',
    'limit.historySize.warn=32768',
    'frontend.namespaceRPS=10',
    'frontend.globalNamespaceRPS=0',
    'frontend.namespaceBurstRatio=1.5',
    'frontend.namespaceRPS.visibility=3',
    'frontend.globalNamespaceRPS.visibility=4',
    'frontend.namespaceBurstRatio.visibility=2',
    'frontend.namespaceRPS.namespaceReplicationInducingAPIs=1',
    'frontend.globalNamespaceRPS.namespaceReplicationInducingAPIs=0',
    'frontend.namespaceBurstRatio.namespaceReplicationInducingAPIs=5',
  ])
  assert.deepEqual(ignored, [])
  assert.deepEqual(settings, {
    blobSizeWarnBytes: 1024,
    memoSizeLimitBytes: 4096,
    memoSizeWarnBytes: 512,
    maxIdLength: 200,
    searchAttributesNumberOfKeys: 5,
    searchAttributesSizeOfValue: 100,
    searchAttributesTotalSize: 1000,
    historyCountLimit: 100,
    historyCountWarn: 50,
    historySizeLimitBytes: 65536,
    historySizeWarnBytes: 32768,
    namespaceRps: 10,
    globalNamespaceRps: 0,
    namespaceBurstRatio: 1.5,
    namespaceVisibilityRps: 3,
    globalNamespaceVisibilityRps: 4,
    namespaceVisibilityBurstRatio: 2,
    namespaceReplicationInducingRps: 1,
    globalNamespaceReplicationInducingRps: 0,
    namespaceReplicationInducingBurstRatio: 5,
  })
})

test('a bad value of an honoured key, or a pair without a key, is refused', () => {
  for (const bad of [
    'limit.blobSize.error=-1',
    'limit.maxIDLength=0',
    'limit.historyCount.error=1.5',
    'frontend.namespaceRPS=-1',
    'frontend.namespaceBurstRatio=0',
    'limit.blobSize.error="1MB"',
    'matching.longPollExpirationInterval="soon"',
    'frontend.enableUpdateWorkflowExecution="yes"',
    '=1',
    'noequals',
  ]) {
    assert.throws(() => parseDynamicConfig([bad]), DynamicConfigError, bad)
  }
})
