import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { pino } from 'pino'
import type { HttpApiHandler } from './http/http-api.js'
import { startHttpServer } from './http/http-server.js'
import { createUiHandler } from './ui-server.js'

const dir = mkdtempSync(join(tmpdir(), 'sundial-ui-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** Stands in for the HTTP API: says which path reached it. */
const api: HttpApiHandler = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ api: req.url }))
  return Promise.resolve()
}

async function serve(assetsDir: string) {
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    name: 'Web UI',
    handle: createUiHandler(api, assetsDir),
  })
  after(() => server.close())
  return `http://127.0.0.1:${server.port}`
}

test('assets, index.html for deep links, and the API under /api/ on the same origin', async () => {
  mkdirSync(join(dir, 'assets'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Sundial</title>')
  writeFileSync(join(dir, 'assets', 'app-1a2b3c.js'), 'console.log(1)')
  const base = await serve(dir)

  const index = await fetch(`${base}/`)
  assert.equal(index.status, 200)
  assert.match(await index.text(), /<title>Sundial<\/title>/)
  // Deep links, including ones whose last segment looks like a file name.
  for (const path of [
    '/namespaces/default/workflows/order-42',
    '/namespaces/acme.prod',
    '/namespaces/default/task-queues/orders.v1',
    '/namespaces/default/workflows/x.js',
  ]) {
    const deep = await fetch(`${base}${path}`)
    assert.equal(deep.status, 200, path)
    assert.match(deep.headers.get('content-type') ?? '', /text\/html/, path)
    assert.match(await deep.text(), /<title>Sundial<\/title>/, path)
  }
  assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404)

  const asset = await fetch(`${base}/assets/app-1a2b3c.js`)
  assert.equal(asset.status, 200)
  assert.match(asset.headers.get('content-type') ?? '', /javascript/)
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/)

  const fromApi = await fetch(`${base}/api/v1/system-info`)
  assert.deepEqual(await fromApi.json(), { api: '/api/v1/system-info' })

  // Without a login, /auth/ is not the app's: the UI finds no /auth/me and shows no user.
  const me = await fetch(`${base}/auth/me`)
  assert.equal(me.status, 404)
  assert.doesNotMatch(me.headers.get('content-type') ?? '', /json|html/)
})

test('without a built UI, pages say how to build it and the API still answers', async () => {
  const base = await serve(join(dir, 'not-built'))
  const page = await fetch(`${base}/`)
  assert.equal(page.status, 503)
  assert.match(await page.text(), /npm run build/)
  assert.equal((await fetch(`${base}/api/v1/namespaces`)).status, 200)
})
