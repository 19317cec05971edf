/**
 * The session logic of the UI's login, through createUiHandler on a real HTTP server, with a
 * scripted relying party standing in for the issuer (test/ui/login.test.ts runs the real flow
 * against oidc-provider in Chromium): cookies, the state and browser checks, the Origin check,
 * forwarding and refreshing tokens, logout.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request, type IncomingHttpHeaders } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { pino } from 'pino'
import type { HttpApiHandler } from '../http/http-api.js'
import { startHttpServer } from '../http/http-server.js'
import { createUiHandler } from '../ui-server.js'
import type { LoginChecks, RelyingParty, TokenSet } from './relying-party.js'
import { createUiAuth, type UiAuthOptions } from './ui-auth.js'

const assets = mkdtempSync(join(tmpdir(), 'sundial-ui-auth-'))
writeFileSync(join(assets, 'index.html'), '<!doctype html><title>Sundial</title>')
after(() => rmSync(assets, { recursive: true, force: true }))

/** An issuer in a script: codes `good` log in as alice; tokens numbered as they are issued. */
class ScriptedIssuer implements RelyingParty {
  issued = 0
  refreshes = 0
  refuseRefresh = false
  /** Lifetime of each access token, in ms. */
  tokenMs = 60_000
  giveRefreshToken = true
  endSession: string | undefined = 'https://issuer.test/end'
  constructor(readonly clock: { now: number }) {}

  ready() {
    return Promise.resolve()
  }
  beginLogin() {
    const checks: LoginChecks = {
      state: `state-${++this.issued}`,
      nonce: 'n',
      codeVerifier: 'v',
    }
    return Promise.resolve({
      url: new URL(`https://issuer.test/authorize?state=${checks.state}`),
      checks,
    })
  }
  completeLogin(callbackUrl: URL, checks: LoginChecks) {
    assert.equal(callbackUrl.origin + callbackUrl.pathname, 'http://127.0.0.1/auth/callback')
    assert.equal(callbackUrl.searchParams.get('state'), checks.state)
    if (callbackUrl.searchParams.get('code') !== 'good') {
      return Promise.reject(new Error('invalid_grant (grant request is invalid)'))
    }
    return Promise.resolve(this.#tokens())
  }
  refresh(refreshToken: string) {
    this.refreshes++
    assert.match(refreshToken, /^refresh-/)
    if (this.refuseRefresh) return Promise.reject(new Error('invalid_grant'))
    return Promise.resolve(this.#tokens())
  }
  endSessionUrl(idToken: string | undefined) {
    if (!this.endSession) return Promise.resolve(undefined)
    const url = new URL(this.endSession)
    if (idToken) url.searchParams.set('id_token_hint', idToken)
    return Promise.resolve(url)
  }
  #tokens(): TokenSet {
    const n = ++this.issued
    return {
      accessToken: `access-${n}`,
      accessTokenExpiresAt: this.clock.now + this.tokenMs,
      idToken: `id-${n}`,
      idTokenExpiresAt: this.clock.now + this.tokenMs,
      refreshToken: this.giveRefreshToken ? `refresh-${n}` : undefined,
      user: { sub: 'alice-1', name: 'Alice', email: 'alice@example.com' },
    }
  }
}

/** What reached the API handler. */
interface ApiCall {
  url: string
  headers: IncomingHttpHeaders
  rawHeaders: string[]
}

async function serve(opts: Partial<UiAuthOptions> = {}) {
  const clock = { now: 1_700_000_000_000 }
  const issuer = new ScriptedIssuer(clock)
  const calls: ApiCall[] = []
  const api: HttpApiHandler = (req, res) => {
    calls.push({ url: req.url ?? '', headers: { ...req.headers }, rawHeaders: req.rawHeaders })
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"namespaces":[]}')
    return Promise.resolve()
  }
  const auth = createUiAuth(
    {
      issuerUrl: 'https://issuer.test',
      clientId: 'ui',
      callbackUrl: 'http://127.0.0.1/auth/callback',
      ...opts,
    },
    { logger: pino({ level: 'silent' }), now: () => clock.now, relyingParty: issuer },
  )
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    name: 'Web UI',
    handle: createUiHandler(api, assets, auth),
  })
  after(() => server.close())
  return { base: `http://127.0.0.1:${server.port}`, issuer, clock, calls }
}

/** A browser's cookie jar over fetch: keeps what set-cookie says, follows no redirects. */
function browser(base: string) {
  const jar = new Map<string, string>()
  const setCookies: string[] = []
  return {
    jar,
    setCookies,
    async fetch(path: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers)
      if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
      const res = await fetch(base + path, { ...init, headers, redirect: 'manual' })
      for (const c of res.headers.getSetCookie()) {
        setCookies.push(c)
        const [pair = '', ...attrs] = c.split(';')
        const [name = '', value = ''] = pair.split('=')
        if (attrs.some((a) => a.trim() === 'Max-Age=0')) jar.delete(name)
        else jar.set(name, value)
      }
      return res
    },
    /** Logs in through the scripted issuer; returns where the callback sent the browser. */
    async login(returnTo = '/namespaces/default/workflows', code = 'good') {
      const start = await this.fetch(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`)
      assert.equal(start.status, 302)
      const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? ''
      return this.fetch(`/auth/callback?code=${code}&state=${state}`)
    },
  }
}

const ORIGIN = 'http://127.0.0.1'

test('without a session: /api answers 401 JSON naming the login, pages redirect to it', async () => {
  const { base, calls } = await serve()
  const b = browser(base)
  const api = await b.fetch('/api/v1/namespaces')
  assert.equal(api.status, 401)
  assert.deepEqual(await api.json(), {
    code: 16,
    message: 'not logged in, or the session has ended',
    details: [],
    login: '/auth/login',
  })
  const page = await b.fetch('/namespaces/default/workflows?id=x')
  assert.equal(page.status, 302)
  assert.equal(
    page.headers.get('location'),
    `/auth/login?returnTo=${encodeURIComponent('/namespaces/default/workflows?id=x')}`,
  )
  assert.deepEqual(await (await b.fetch('/auth/me')).json(), { loggedIn: false })
  // A token the browser brings does not get it in either.
  const bearer = await b.fetch('/api/v1/namespaces', { headers: { authorization: 'Bearer x' } })
  assert.equal(bearer.status, 401)
  assert.equal(calls.length, 0)
  assert.equal((await b.fetch('/auth/nothing')).status, 404)
  // Sorted by the raw path, as the UI server routes it (fetch would normalize this one).
  const status = await new Promise<number | undefined>((resolve, reject) => {
    const { hostname, port } = new URL(base)
    request({ hostname, port, path: '/api/../namespaces' }, (res) =>
      resolve(res.resume().statusCode),
    )
      .on('error', reject)
      .end()
  })
  assert.equal(status, 401)
})

test('a login sets an httpOnly Lax session cookie and the API gets the access token', async () => {
  const { base, calls } = await serve()
  const b = browser(base)
  const done = await b.login('/namespaces/default/workflows?id=x')
  assert.equal(done.status, 303)
  assert.equal(done.headers.get('location'), '/namespaces/default/workflows?id=x')
  const session = b.setCookies.find((c) => c.startsWith('sundial-session='))
  // Served over http: not Secure (see ui-auth.ts), and no __Host- prefix, which needs Secure.
  assert.match(
    session ?? '',
    /^sundial-session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=28800$/,
  )
  assert.match(
    b.setCookies.find((c) => c.startsWith('sundial-login=')) ?? '',
    /HttpOnly; SameSite=Lax/,
  )

  assert.deepEqual(await (await b.fetch('/auth/me')).json(), {
    loggedIn: true,
    sub: 'alice-1',
    name: 'Alice',
    email: 'alice@example.com',
  })
  const page = await b.fetch('/namespaces/default/workflows')
  assert.equal(page.status, 200)
  assert.match(await page.text(), /<title>Sundial/)

  const res = await b.fetch('/api/v1/namespaces', { headers: { authorization: 'Bearer forged' } })
  assert.equal(res.status, 200)
  assert.equal(calls.length, 1)
  assert.equal(calls[0]?.headers.authorization, 'Bearer access-2')
  assert.equal(calls[0]?.headers.cookie, undefined)
  const raw = calls[0]?.rawHeaders.filter((h, i) => i % 2 === 0).map((h) => h.toLowerCase())
  assert.equal(raw?.filter((h) => h === 'authorization').length, 1)
  assert.equal(raw?.includes('cookie'), false)
})

test('over https the cookies are Secure with the __Host- prefix', async () => {
  const { base } = await serve({ callbackUrl: 'https://ui.example.com/auth/callback' })
  const b = browser(base)
  const start = await b.fetch('/auth/login')
  assert.equal(start.status, 302)
  assert.match(
    b.setCookies[0] ?? '',
    /^__Host-sundial-login=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=600$/,
  )
})

test('a callback is refused with a wrong state, from another browser, or twice', async () => {
  const { base, issuer, calls } = await serve()
  const b = browser(base)
  await b.fetch('/auth/login')
  const wrong = await b.fetch('/auth/callback?code=good&state=forged')
  assert.equal(wrong.status, 400)
  assert.match(await wrong.text(), /Login failed/)

  // An attacker's own login, handed to a victim whose browser did not begin it.
  const attacker = browser(base)
  const start = await attacker.fetch('/auth/login')
  const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? ''
  const victim = browser(base)
  await victim.fetch('/auth/login')
  assert.equal((await victim.fetch(`/auth/callback?code=good&state=${state}`)).status, 400)
  // ... and that state is spent.
  assert.equal((await attacker.fetch(`/auth/callback?code=good&state=${state}`)).status, 400)

  const bad = await b.login('/', 'bad')
  assert.equal(bad.status, 400)
  assert.match(await bad.text(), /invalid_grant/)
  for (const who of [b, attacker, victim]) {
    assert.equal((await who.fetch('/api/v1/namespaces')).status, 401)
  }
  assert.equal(calls.length, 0)
  assert.equal(issuer.issued, 4) // four logins begun, no tokens issued
})

test('an unsafe returnTo returns to /', async () => {
  const { base } = await serve()
  const done = await browser(base).login('//evil.example/')
  assert.equal(done.headers.get('location'), '/')
})

test('an expired access token is refreshed once for concurrent calls', async () => {
  const { base, issuer, clock, calls } = await serve()
  const b = browser(base)
  await b.login()
  clock.now += 45_000 // within 30 s of expiry
  const answers = await Promise.all([1, 2, 3].map(() => b.fetch('/api/v1/namespaces')))
  assert.deepEqual(
    answers.map((r) => r.status),
    [200, 200, 200],
  )
  assert.equal(issuer.refreshes, 1)
  assert.deepEqual(
    calls.map((c) => c.headers.authorization),
    Array(3).fill('Bearer access-3'),
  )
})

test('a refused refresh ends the session', async () => {
  const { base, issuer, clock } = await serve()
  const b = browser(base)
  await b.login()
  issuer.refuseRefresh = true
  clock.now += 60_000
  assert.equal((await b.fetch('/api/v1/namespaces')).status, 401)
  issuer.refuseRefresh = false
  assert.equal((await b.fetch('/api/v1/namespaces')).status, 401)
  assert.equal(issuer.refreshes, 1)
})

test('without a refresh token, an expired token sends the page back to the login', async () => {
  const { base, issuer, clock } = await serve()
  issuer.giveRefreshToken = false
  const b = browser(base)
  await b.login()
  clock.now += 60_000
  assert.equal((await b.fetch('/')).status, 302)
  assert.equal((await b.fetch('/api/v1/namespaces')).status, 401)
  assert.equal(issuer.refreshes, 0)
})

test('the session ends after its ttl, refreshes or not', async () => {
  const { base, clock } = await serve({ sessionTtlSeconds: 3600 })
  const b = browser(base)
  await b.login()
  clock.now += 3600_000
  assert.equal((await b.fetch('/api/v1/namespaces')).status, 401)
})

test('forwardToken id forwards the ID token', async () => {
  const { base, calls } = await serve({ forwardToken: 'id' })
  const b = browser(base)
  await b.login()
  await b.fetch('/api/v1/namespaces')
  assert.equal(calls[0]?.headers.authorization, 'Bearer id-2')
})

test('state-changing requests must come from the UI origin', async () => {
  const { base, calls } = await serve()
  const b = browser(base)
  await b.login()
  const post = (path: string, origin?: string) =>
    b.fetch(path, { method: 'POST', headers: origin ? { origin } : {}, body: '{}' })
  assert.equal((await post('/api/v1/namespaces/x/workflows/y', 'https://evil.example')).status, 403)
  assert.equal((await post('/api/v1/namespaces/x/workflows/y')).status, 403)
  assert.equal((await post('/auth/logout', 'http://127.0.0.1:1')).status, 403)
  assert.equal(calls.length, 0)
  assert.equal((await post('/api/v1/namespaces/x/workflows/y', ORIGIN)).status, 200)
  assert.equal(calls.length, 1)
})

test('logout drops the session, clears the cookie and goes to the end-session endpoint', async () => {
  const { base, issuer } = await serve()
  const b = browser(base)
  await b.login()
  const session = b.jar.get('sundial-session')
  const out = await b.fetch('/auth/logout', { method: 'POST', headers: { origin: ORIGIN } })
  assert.equal(out.status, 303)
  assert.equal(out.headers.get('location'), 'https://issuer.test/end?id_token_hint=id-2')
  assert.match(b.setCookies.at(-1) ?? '', /^sundial-session=; .*Max-Age=0$/)
  assert.equal(b.jar.has('sundial-session'), false)
  // The old id is dead even if a browser kept it.
  const stale = await fetch(`${base}/api/v1/namespaces`, {
    headers: { cookie: `sundial-session=${session}` },
  })
  assert.equal(stale.status, 401)

  issuer.endSession = undefined
  await b.login()
  const local = await b.fetch('/auth/logout', { method: 'POST', headers: { origin: ORIGIN } })
  assert.equal(local.headers.get('location'), '/')
  // A GET offers the button instead of logging out.
  const confirm = await b.fetch('/auth/logout')
  assert.equal(confirm.status, 200)
  assert.match(await confirm.text(), /<form method="post" action="\/auth\/logout">/)
})

test('the callbackUrl must be /auth/callback', () => {
  assert.throws(
    () =>
      createUiAuth(
        { issuerUrl: 'https://issuer.test', clientId: 'ui', callbackUrl: 'https://ui/cb' },
        { logger: pino({ level: 'silent' }) },
      ),
    /must end in \/auth\/callback/,
  )
})
