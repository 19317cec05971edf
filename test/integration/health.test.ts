/**
 * The probes Kubernetes and load balancers use: gRPC health checking, `GET /health` and
 * `GET /ready` on the HTTP API port, and the drain on stop (health failing while calls are still
 * served, for `frontend.shutdownFailHealthCheckDuration`).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import { Connection } from '@temporalio/client'
import { pino } from 'pino'
import { healthServiceDefinition } from '../../src/frontend/service-definitions.js'
import { createServer } from '../../src/server/server.js'

const Health = grpc.makeGenericClientConstructor(healthServiceDefinition().definition, 'Health')
const SERVING = 1
const NOT_SERVING = 2

function check(client: grpc.Client, service: string): Promise<number> {
  return new Promise((resolve, reject) =>
    (
      client as unknown as {
        Check(r: object, cb: (e: Error | null, res: { status: number }) => void): void
      }
    ).Check({ service }, (e, res) => (e ? reject(e) : resolve(res.status))),
  )
}

async function probe(port: number, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`)
  return { status: res.status, body: await res.json() }
}

test('health and readiness while serving, then failing during the drain while calls go on', async () => {
  const server = await createServer({
    port: 0,
    http: { port: 0 },
    logger: pino({ level: 'warn' }),
    dynamicConfig: { shutdownFailHealthCheckMs: 1500 },
  })
  const port = server.httpPort!
  const health = new Health(server.address, grpc.credentials.createInsecure())
  const connection = await Connection.connect({ address: server.address })
  try {
    assert.equal(await check(health, ''), SERVING)
    assert.equal(await check(health, 'temporal.api.workflowservice.v1.WorkflowService'), SERVING)
    assert.deepEqual(await probe(port, '/health'), { status: 200, body: { status: 'SERVING' } })
    assert.deepEqual(await probe(port, '/ready'), { status: 200, body: { status: 'SERVING' } })

    const stopped = server.stop()
    await new Promise((r) => setTimeout(r, 100))
    const ready = await probe(port, '/ready')
    assert.equal(ready.status, 503)
    assert.match(JSON.stringify(ready.body), /draining/)
    assert.equal((await probe(port, '/health')).status, 200)
    assert.equal(await check(health, ''), NOT_SERVING)
    // Calls are still answered while the probes send traffic elsewhere.
    const ns = await connection.workflowService.describeNamespace({ namespace: 'default' })
    assert.equal(ns.namespaceInfo?.name, 'default')
    await stopped
  } finally {
    health.close()
    await connection.close()
  }
})

test('a server without the drain setting stops at once', async () => {
  const server = await createServer({ port: 0, http: { port: 0 }, logger: pino({ level: 'warn' }) })
  assert.equal((await probe(server.httpPort!, '/ready')).status, 200)
  const t0 = performance.now()
  await server.stop()
  assert.ok(performance.now() - t0 < 1000, 'stop waited')
})
