/**
 * The Web UI's OIDC login in Chromium against a real issuer (oidc-provider, oidc-test-provider.ts)
 * on another site (localhost) than the UI (127.0.0.1): the UI server (createUiHandler with a
 * UiAuth) in front of an API handler that records the authorization header it is handed.
 * Opening the UI goes through the issuer's login and back; the API gets the user's JWT; the
 * header shows the user; an expired token is refreshed; a session that ends sends the page back
 * through the login; Log out ends both sessions.
 */
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { pino } from 'pino'
import type { HttpApiHandler } from '../../src/frontend/http/http-api.js'
import { startHttpServer, type HttpServer } from '../../src/frontend/http/http-server.js'
import { createUiAuth, type UiAuthOptions } from '../../src/frontend/ui-auth/ui-auth.js'
import { createUiHandler } from '../../src/frontend/ui-server.js'
import {
  signIn as signInAt,
  startTestIssuer,
  type TestAccount,
  type TestIssuer,
} from './oidc-test-provider.js'
import { launchChromium, RESULTS_DIR, skipReason } from './ui-harness.js'

const AUDIENCE = 'urn:sundial:api'
const ALICE: TestAccount = {
  name: 'Alice Example',
  email: 'alice@example.com',
  permissions: ['default:admin', 'orders:reader'],
}

/** One UI server: its base URL, and the authorization header of each API call it forwarded. */
interface Ui {
  base: string
  seen: { path: string; authorization: string | undefined }[]
  /** Every request the UI server got (path and query), in order. */
  requests: string[]
}

describe('Web UI: OIDC login', { skip: skipReason }, () => {
  const servers: HttpServer[] = []
  let issuer: TestIssuer
  let browser: Browser
  /** What the UI servers' clock is ahead of real time, to expire tokens without waiting. */
  let skewMs = 0
  let confidential: Ui
  let publicClient: Ui
  const pageErrors: string[] = []

  /** A UI server whose handler is set once the issuer exists (it needs the UI's port first). */
  async function startUi(): Promise<Ui & { setAuth(opts: UiAuthOptions): void }> {
    const seen: Ui['seen'] = []
    const requests: string[] = []
    const api: HttpApiHandler = (req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname
      seen.push({ path, authorization: req.headers.authorization })
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(path)))
      return Promise.resolve()
    }
    let handle: HttpApiHandler = (_req, res) => Promise.resolve(void res.writeHead(503).end())
    const server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
      name: 'Web UI',
      handle: (req, res, signal) => {
        requests.push(req.url ?? '')
        return handle(req, res, signal)
      },
    })
    servers.push(server)
    return {
      base: `http://127.0.0.1:${server.port}`,
      seen,
      requests,
      setAuth(opts) {
        const auth = createUiAuth(opts, {
          logger: pino({ level: 'silent' }),
          now: () => Date.now() + skewMs,
        })
        handle = createUiHandler(api, undefined, auth)
      },
    }
  }

  before(async () => {
    const a = await startUi()
    const b = await startUi()
    issuer = await startTestIssuer({
      accounts: { alice: ALICE },
      audience: AUDIENCE,
      clients: [
        {
          clientId: 'sundial-ui',
          clientSecret: 'ui-secret',
          redirectUri: `${a.base}/auth/callback`,
          postLogoutRedirectUri: `${a.base}/`,
        },
        {
          clientId: 'sundial-ui-public',
          redirectUri: `${b.base}/auth/callback`,
          postLogoutRedirectUri: `${b.base}/`,
        },
      ],
    })
    a.setAuth({
      issuerUrl: issuer.issuer,
      clientId: 'sundial-ui',
      clientSecret: 'ui-secret',
      callbackUrl: `${a.base}/auth/callback`,
      scopes: ['openid', 'profile', 'email'],
    })
    b.setAuth({
      issuerUrl: issuer.issuer,
      clientId: 'sundial-ui-public',
      callbackUrl: `${b.base}/auth/callback`,
      forwardToken: 'id',
    })
    confidential = a
    publicClient = b
    browser = await launchChromium()
  })

  after(async () => {
    await browser?.close()
    for (const s of servers) await s.close()
    await issuer?.close()
    assert.deepEqual(pageErrors, [], 'errors thrown in the page')
  })

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`))
    return { context, page }
  }

  const signIn = (page: Page, login: string) => signInAt(page, issuer, login)

  const keys = () => createRemoteJWKSet(new URL(`${issuer.issuer}/jwks`))
  const lastBearer = (ui: Ui) => {
    const auth = ui.seen.at(-1)?.authorization ?? ''
    assert.match(auth, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
    return auth.slice('Bearer '.length)
  }

  /** The authorization of the first call to `path` the API saw from index `from` on, once seen. */
  async function seenCall(ui: Ui, from: number, path: string): Promise<string> {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      const call = ui.seen.slice(from).find((c) => c.path === path)
      if (call) return call.authorization ?? ''
      await new Promise((r) => setTimeout(r, 50))
    }
    assert.fail(`no call to ${path} reached the API`)
  }

  test('login at the issuer, the API gets the JWT, refresh, a lost session, Log out', async () => {
    const ui = confidential
    const { context, page } = await newPage()

    // Opening the UI goes to the issuer's login, then back to the page asked for.
    await page.goto(`${ui.base}/namespaces`)
    await signIn(page, 'alice')
    await page.waitForURL(`${ui.base}/namespaces`)
    await expectText(page.getByRole('table', { name: 'Namespaces' }), 'default')
    await expectText(page.locator('.user-menu'), 'Alice Example')
    assert.equal(await page.getByRole('button', { name: 'Log out' }).count(), 1)
    await mkdir(RESULTS_DIR, { recursive: true })
    await page.screenshot({ path: `${RESULTS_DIR}login-header.png` })

    // The API got the user's access token: a JWT from the issuer with the permissions claim.
    const token = lastBearer(ui)
    const { payload } = await jwtVerify(token, keys(), {
      issuer: issuer.issuer,
      audience: AUDIENCE,
    })
    assert.deepEqual(payload.permissions, ALICE.permissions)
    assert.equal(payload.sub, 'alice')

    // The session cookie: httpOnly, Lax, and over plain http not Secure (see ui-auth.ts).
    const cookie = (await context.cookies(ui.base)).find((c) => c.name === 'sundial-session')
    assert.ok(cookie, 'a session cookie')
    assert.deepEqual([cookie.httpOnly, cookie.sameSite, cookie.secure], [true, 'Lax', false])
    // Page scripts cannot read it (the test runs in Node, so the page's globals come by name).
    assert.equal(await page.evaluate('document.cookie.includes("sundial-session")'), false)

    // Past the access token's lifetime, the UI server refreshes it before forwarding.
    skewMs = 301_000
    const logins = ui.requests.filter((r) => r.startsWith('/auth/callback')).length
    await page.reload()
    await expectText(page.getByRole('table', { name: 'Namespaces' }), 'default')
    const refreshed = lastBearer(ui)
    assert.notEqual(refreshed, token)
    assert.deepEqual(decodeJwt(refreshed).permissions, ALICE.permissions)
    assert.equal(ui.requests.filter((r) => r.startsWith('/auth/callback')).length, logins)
    skewMs = 0

    // The session ends behind the page's back: its next API call (401) goes through the login,
    // which the issuer's own session answers at once, and back.
    const seenBeforeLogout = ui.seen.length
    const workflowsPath = '/api/v1/namespaces/default/workflows'
    const out = await context.request.post(`${ui.base}/auth/logout`, {
      headers: { origin: ui.base },
      maxRedirects: 0,
    })
    assert.equal(out.status(), 303)
    // The click routes in the page at once; the login follows its first API call's 401.
    const relogin = page.waitForRequest(
      `${ui.base}/auth/login?returnTo=%2Fnamespaces%2Fdefault%2Fworkflows`,
    )
    await page.getByRole('link', { name: 'default', exact: true }).click()
    await relogin
    await page.waitForURL(`${ui.base}/namespaces/default/workflows`)
    await expectText(page.locator('.user-menu'), 'Alice Example')
    // The workflows list is fetched after the header shows the user: wait for it to arrive.
    const again = await seenCall(ui, seenBeforeLogout, workflowsPath)
    assert.notEqual(again, `Bearer ${refreshed}`)
    assert.match(again, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)

    // Log out: the issuer asks to confirm, then the UI sends the page back to the login.
    const session = (await context.cookies(ui.base)).find((c) => c.name === 'sundial-session')
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.waitForURL(`${issuer.issuer}/session/end**`)
    await page.getByRole('button', { name: 'Yes, sign me out' }).click()
    await page.waitForURL(`${issuer.issuer}/interaction/**`)
    assert.equal(await page.locator('input[name=login]').count(), 1)
    const after = await context.request.get(`${ui.base}/api/v1/namespaces`)
    assert.equal(after.status(), 401)
    // Not just a cleared cookie: the session is gone on the server.
    const stale = await fetch(`${ui.base}/api/v1/namespaces`, {
      headers: { cookie: `sundial-session=${session?.value}` },
    })
    assert.equal(stale.status, 401)
    await context.close()
  })

  test('a public client logs in with PKCE alone and can forward the ID token', async () => {
    const ui = publicClient
    const { context, page } = await newPage()
    await page.goto(`${ui.base}/namespaces`)
    await signIn(page, 'alice')
    await page.waitForURL(`${ui.base}/namespaces`)
    await expectText(page.locator('.user-menu'), 'Alice Example')
    const { payload } = await jwtVerify(lastBearer(ui), keys(), {
      issuer: issuer.issuer,
      audience: 'sundial-ui-public',
    })
    assert.equal(payload.email, ALICE.email)
    assert.equal(typeof payload.nonce, 'string')
    await context.close()
  })

  test('a callback with a wrong state is refused; a cookie-less /api call gets 401', async () => {
    const ui = confidential
    const start = await fetch(`${ui.base}/auth/login`, { redirect: 'manual' })
    assert.equal(start.status, 302)
    const to = new URL(start.headers.get('location') ?? '')
    assert.equal(to.origin, issuer.issuer)
    assert.equal(to.searchParams.get('code_challenge_method'), 'S256')
    assert.ok(to.searchParams.get('state') && to.searchParams.get('nonce'))
    const loginCookie = start.headers.getSetCookie()[0]?.split(';')[0] ?? ''
    assert.match(loginCookie, /^sundial-login=/)

    const wrong = await fetch(`${ui.base}/auth/callback?code=abc&state=not-the-state`, {
      headers: { cookie: loginCookie },
      redirect: 'manual',
    })
    assert.equal(wrong.status, 400)
    assert.equal(wrong.headers.getSetCookie().length, 0)
    // The right state from another browser (without the login cookie) is refused too.
    const elsewhere = await fetch(
      `${ui.base}/auth/callback?code=abc&state=${to.searchParams.get('state')}`,
      { redirect: 'manual' },
    )
    assert.equal(elsewhere.status, 400)

    const api = await fetch(`${ui.base}/api/v1/namespaces`)
    assert.equal(api.status, 401)
    assert.equal(((await api.json()) as { login?: string }).login, '/auth/login')
    const page = await fetch(`${ui.base}/namespaces`, { redirect: 'manual' })
    assert.equal(page.status, 302)
    assert.equal(page.headers.get('location'), '/auth/login?returnTo=%2Fnamespaces')
    const crossSite = await fetch(`${ui.base}/auth/logout`, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    })
    assert.equal(crossSite.status, 403)
  })
})

/** Minimal answers for the calls the pages in these tests make. */
function answer(path: string): object {
  if (path === '/api/v1/namespaces') {
    return {
      namespaces: [
        {
          namespaceInfo: { name: 'default', state: 'NAMESPACE_STATE_REGISTERED', id: 'ns-1' },
          config: { workflowExecutionRetentionTtl: '259200s' },
        },
      ],
    }
  }
  if (path.endsWith('/workflow-count')) return { count: '0', groups: [] }
  if (path.endsWith('/workflows')) return { executions: [] }
  return {}
}

/** Waits until the text of `locator` contains `want`; fails with the last text seen. */
async function expectText(locator: Locator, want: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    last = await locator.innerText({ timeout: 1000 }).catch(() => last)
    if (last.includes(want)) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`expected ${want} in ${locator.toString()}, last saw: ${last}`)
}
