/**
 * Sundial behind the SDK's own test environments, started the way users start them:
 * `TestWorkflowEnvironment.createLocal` runs `sundial server start-dev ...` and
 * `createTimeSkipping` runs `sundial-test-server <port>`, both from an existing path, so the SDK
 * downloads nothing and every connection stays on 127.0.0.1.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common'
import { TestWorkflowEnvironment } from '@temporalio/testing'
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker'
import { packageVersion } from '../../src/frontend/handlers/system.js'
import * as activities from './env-activities.js'
import { greeting, sleeper, slowUpdate, updatable } from './env-workflows.js'

Runtime.install({ logger: new DefaultLogger('WARN') })

const sundial = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))
const testServer = fileURLToPath(new URL('../../src/cli/sundial-test-server.js', import.meta.url))
const DAY_MS = 86_400_000

let bundle: WorkflowBundleWithSourceMap
before(async () => {
  bundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./env-workflows.js', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  })
})

function worker(env: TestWorkflowEnvironment, taskQueue: string): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: bundle,
    activities,
  })
}

test('createLocal runs sundial start-dev from its path and a workflow end to end', async () => {
  const customerId = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD)
  const started = performance.now()
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: sundial },
      namespace: 'env-test',
      searchAttributes: [customerId],
    },
  })
  after(() => env.teardown())
  const startupMs = performance.now() - started
  assert.ok(startupMs < 5000, `the SDK gives a dev server 5 s; it took ${startupMs} ms`)
  assert.match(env.address, /^127\.0\.0\.1:\d+$/)
  const info = await env.connection.workflowService.getSystemInfo({})
  assert.equal(info.serverVersion, packageVersion(), 'the server is Sundial, not a download')

  const w = await worker(env, 'local')
  const handle = await env.client.workflow.start(greeting, {
    taskQueue: 'local',
    workflowId: 'local-greeting',
    args: ['Sundial'],
    typedSearchAttributes: [{ key: customerId, value: 'c-42' }],
  })
  assert.equal(await w.runUntil(handle.result()), 'Hello, Sundial!')
  const description = await handle.describe()
  assert.equal(description.typedSearchAttributes.get(customerId), 'c-42')
  assert.equal(env.supportsTimeSkipping, false)
})

test('createTimeSkipping: a 30-day sleep, env.sleep and an update that sleeps, in virtual time', async () => {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServer } },
  })
  after(() => env.teardown())
  assert.equal(env.supportsTimeSkipping, true)
  const w = await worker(env, 'skipping')
  await w.runUntil(async () => {
    // A workflow sleeping 30 days completes while the client waits on its result.
    const before = await env.currentTimeMs()
    const wall = performance.now()
    const wokeAt = await env.client.workflow.execute(sleeper, {
      taskQueue: 'skipping',
      workflowId: 'sleeper',
      args: [30],
    })
    const wallMs = performance.now() - wall
    assert.ok(wallMs < 2000, `30 days took ${wallMs} ms of wall time`)
    assert.ok(wokeAt - before >= 30 * DAY_MS, 'the workflow woke 30 days later in its own time')
    assert.ok((await env.currentTimeMs()) - before >= 30 * DAY_MS)

    // env.sleep advances time by what it is given (and skipping is locked again afterwards).
    const t0 = await env.currentTimeMs()
    await env.sleep('2 days')
    const t1 = await env.currentTimeMs()
    assert.ok(t1 - t0 >= 2 * DAY_MS, `env.sleep('2 days') moved time by ${t1 - t0} ms`)
    assert.ok(t1 - t0 < 2 * DAY_MS + 60_000, 'and not much further')

    // With skipping locked, a started workflow's timer waits; env.sleep lets it fire.
    const locked = await env.client.workflow.start(sleeper, {
      taskQueue: 'skipping',
      workflowId: 'sleeper-locked',
      args: [1],
    })
    await env.sleep('2 days')
    const { status } = await locked.describe()
    assert.equal(status.name, 'COMPLETED')

    // An update whose handler sleeps 30 days: the client waits on the update's outcome, which
    // the SDK does not unlock for; Sundial counts that wait as an unlock.
    const updWall = performance.now()
    const handle = await env.client.workflow.start(updatable, {
      taskQueue: 'skipping',
      workflowId: 'updatable',
    })
    assert.equal(await handle.executeUpdate(slowUpdate, { args: ['x'] }), 'updated x')
    const updMs = performance.now() - updWall
    assert.ok(updMs < 2000, `the update's 30 days took ${updMs} ms of wall time`)
    assert.equal(await handle.result(), 'done')
  })
})
