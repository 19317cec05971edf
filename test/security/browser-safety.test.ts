/**
 * The HTTP API against what a web page in the user's browser could send it: bodies that are not
 * JSON (a cross-site form, a "simple" fetch) get 415, a state change from another origin gets
 * 403 and changes nothing, the Web UI's own origin and configured CORS origins get through, and
 * reads carry no CORS headers unless the origin is configured.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { eventually, startHarness, uid, type Harness } from '../integration/harness.js'

let h: Harness
let base: string

before(async () => {
  h = await startHarness({
    http: { port: 0 },
    ui: { port: 0 },
    cors: { allowOrigins: ['https://ops.example.com'] },
  })
  base = `http://127.0.0.1:${h.server.httpPort}`
})
after(() => h.close())

/** Starts a workflow over HTTP with the given headers; the status and whether it now exists. */
async function startWith(
  headers: Record<string, string>,
  body: string,
  url = base,
): Promise<{ status: number; started: boolean; json: Record<string, unknown> }> {
  const workflowId = uid('csrf')
  const res = await fetch(`${url}/api/v1/namespaces/default/workflows/${workflowId}`, {
    method: 'POST',
    headers,
    body,
  })
  const json = (await res.json()) as Record<string, unknown>
  const started = await h.client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      () => false,
    )
  return { status: res.status, started, json }
}

const startBody = (taskQueue = uid('tq')) =>
  JSON.stringify({ workflowType: { name: 'greeting' }, taskQueue: { name: taskQueue } })

test('a body that is not JSON is refused with 415 and starts nothing', async () => {
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
    const r = await startWith({ 'content-type': type }, startBody())
    assert.equal(r.status, 415, type)
    assert.match(String(r.json.message), /must be application\/json/)
    assert.equal(r.started, false)
  }
  // A browser's fetch with a string body and no type says text/plain; without any type at all:
  const none = await fetch(`${base}/api/v1/namespaces/default/workflows/${uid('csrf')}`, {
    method: 'POST',
    body: new Blob([startBody()]),
  })
  assert.equal(none.status, 415)
})

test('a state change from another origin is refused with 403; the same origin and CORS pass', async () => {
  const json = { 'content-type': 'application/json' }
  const evil = await startWith({ ...json, origin: 'https://evil.example' }, startBody())
  assert.equal(evil.status, 403)
  assert.match(String(evil.json.message), /cross-origin request from https:\/\/evil\.example/)
  assert.equal(evil.started, false)
  const sandboxed = await startWith({ ...json, origin: 'null' }, startBody())
  assert.equal(sandboxed.status, 403)

  // The Web UI calls /api/ on its own origin.
  const ui = `http://127.0.0.1:${h.server.uiPort}`
  const own = await startWith({ ...json, origin: ui }, startBody(), ui)
  assert.equal(own.status, 200)
  assert.equal(own.started, true)

  const allowed = await startWith({ ...json, origin: 'https://ops.example.com' }, startBody())
  assert.equal(allowed.status, 200)
  assert.equal(allowed.started, true)
  // curl and the SDKs send no Origin.
  assert.equal((await startWith(json, startBody())).status, 200)
})

test('CORS only for configured origins: preflight, and the allow-origin header on answers', async () => {
  const preflight = (origin: string) =>
    fetch(`${base}/api/v1/namespaces/default/workflows/x`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    })
  const ok = await preflight('https://ops.example.com')
  assert.equal(ok.status, 204)
  assert.equal(ok.headers.get('access-control-allow-origin'), 'https://ops.example.com')
  assert.match(ok.headers.get('access-control-allow-headers') ?? '', /content-type/)
  const other = await preflight('https://evil.example')
  assert.notEqual(other.status, 204)
  assert.equal(other.headers.get('access-control-allow-origin'), null)

  const read = await fetch(`${base}/api/v1/namespaces`, {
    headers: { origin: 'https://evil.example' },
  })
  assert.equal(read.status, 200)
  assert.equal(read.headers.get('access-control-allow-origin'), null)
  const readAllowed = await fetch(`${base}/api/v1/namespaces`, {
    headers: { origin: 'https://ops.example.com' },
  })
  assert.equal(readAllowed.headers.get('access-control-allow-origin'), 'https://ops.example.com')
})

test('a POST without a body needs no content type, but still its own origin', async () => {
  const workflowId = uid('csrf-term')
  await h.client.workflow.start('waitsLong', { taskQueue: uid('idle'), workflowId })
  const terminate = (headers: Record<string, string>) =>
    fetch(`${base}/api/v1/namespaces/default/workflows/${workflowId}/terminate`, {
      method: 'POST',
      headers,
    })
  assert.equal((await terminate({ origin: 'https://evil.example' })).status, 403)
  assert.equal((await h.client.workflow.getHandle(workflowId).describe()).status.name, 'RUNNING')
  assert.equal((await terminate({})).status, 200)
  await eventually(async () => {
    const d = await h.client.workflow.getHandle(workflowId).describe()
    assert.equal(d.status.name, 'TERMINATED')
  })
})
