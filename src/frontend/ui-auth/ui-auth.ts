/**
 * Login for the Web UI: the UI server is an OpenID Connect client (authorization code flow with
 * PKCE S256, state and nonce) and keeps each user's tokens in a server-side session; the browser
 * holds only a random session id in an httpOnly cookie. API calls through the UI server get the
 * user's token as `authorization: Bearer …` on their way to the HTTP API handler, and any
 * authorization header the browser sent is dropped, so the browser never sees or supplies a token.
 *
 * Routes: `/auth/login` (to the issuer), `/auth/callback` (back from it), `/auth/logout` (POST;
 * a GET gets a page with the button), `/auth/me` (who is logged in, for the UI's header).
 * Without a session, `/api/...` answers 401 JSON with `login: '/auth/login'` (the UI's cue to go
 * there) and page loads redirect to the login.
 *
 * Sessions live in this process's memory: a restart logs everyone out (the issuer's own session
 * usually logs them straight back in), and several UI servers behind one address need sticky
 * routing.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { parseCookies, serializeCookie } from './cookies.js'
import { ExpiringStore } from './expiring-store.js'
import { OpenidClientRelyingParty } from './openid-client-relying-party.js'
import type { LoginChecks, RelyingParty, TokenSet, UserInfo } from './relying-party.js'
import { redirect, sendJson, sendPage } from './responses.js'
import { safeReturnTo } from './return-to.js'

export interface UiAuthOptions {
  /** The issuer; discovery is at `<issuer>/.well-known/openid-configuration`. */
  issuerUrl: string
  clientId: string
  /** A confidential client's secret (sent as client_secret_basic); absent: public client. */
  clientSecret?: string
  /**
   * The UI's public callback URL, registered at the issuer, such as
   * `https://ui.example.com/auth/callback`. Its origin is the UI's public origin: cookies are
   * `Secure` when it is https, and state-changing requests must come from it.
   */
  callbackUrl: string
  /** Scopes asked for; default DEFAULT_UI_AUTH_SCOPES. `openid` is added when missing. */
  scopes?: string[]
  /**
   * Which token the API gets as `authorization: Bearer …`: the access token (default) or the ID
   * token (for issuers whose access tokens are opaque or lack the claims the API maps).
   */
  forwardToken?: 'access' | 'id'
  /**
   * Where the issuer sends the browser after logout (`post_logout_redirect_uri`, which must be
   * registered there); default the UI's public origin + `/`.
   */
  postLogoutRedirectUrl?: string
  /** How long a session lasts from login, refreshes included; default 8 hours. */
  sessionTtlSeconds?: number
}

export const DEFAULT_UI_AUTH_SCOPES = ['openid', 'profile', 'email']

export interface UiAuthDeps {
  logger: Logger
  /** Milliseconds since the epoch; injectable so tests can expire tokens without waiting. */
  now?: () => number
  /** Replaces the openid-client relying party (tests of the session logic). */
  relyingParty?: RelyingParty
}

export interface UiAuth {
  /**
   * Handles one request to the UI server ahead of its assets and API: answers `/auth/*`, 401s
   * and login redirects itself, and otherwise calls `next` (for `/api/`, with the user's token in
   * the request's authorization header).
   */
  handle(req: IncomingMessage, res: ServerResponse, next: () => Promise<void>): Promise<void>
  /** Loads the issuer's discovery document now; rejects while the issuer cannot be reached. */
  ready(): Promise<void>
}

/** What `/auth/me` answers. */
export type MeResponse =
  { loggedIn: false } | { loggedIn: true; sub: string; name?: string; email?: string }

interface Session {
  user: UserInfo
  tokens: TokenSet
  /** A refresh under way, shared by the calls that found the token expired. */
  refreshing?: Promise<boolean>
}

interface PendingLogin {
  checks: LoginChecks
  /** The login cookie's value when the login began: the callback must come from that browser. */
  binding: string
  returnTo: string
}

/** Refresh this long before the token expires, so it does not expire on the way to the API. */
const REFRESH_MARGIN_MS = 30_000
const LOGIN_TTL_SECONDS = 600
const DEFAULT_SESSION_TTL_SECONDS = 8 * 3600
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const ID = /^[A-Za-z0-9_-]{43}$/

export function createUiAuth(options: UiAuthOptions, deps: UiAuthDeps): UiAuth {
  return new SessionUiAuth(options, deps)
}

class SessionUiAuth implements UiAuth {
  readonly #rp: RelyingParty
  readonly #logger: Logger
  readonly #now: () => number
  readonly #callbackUrl: URL
  readonly #origin: string
  readonly #secure: boolean
  readonly #sessionCookie: string
  readonly #loginCookie: string
  readonly #sessionTtlSeconds: number
  readonly #forward: 'access' | 'id'
  readonly #sessions: ExpiringStore<Session>
  /** Logins in progress, by state. */
  readonly #logins: ExpiringStore<PendingLogin>

  constructor(options: UiAuthOptions, deps: UiAuthDeps) {
    const now = deps.now ?? Date.now
    this.#callbackUrl = new URL(options.callbackUrl)
    if (this.#callbackUrl.pathname !== '/auth/callback') {
      throw new TypeError(
        `the UI login's callbackUrl must end in /auth/callback: ${options.callbackUrl}`,
      )
    }
    this.#origin = this.#callbackUrl.origin
    // Browsers keep Secure cookies only from secure origins. Chromium and Firefox count
    // http://localhost and 127.0.0.1 as secure, but Safari does not, and a UI opened over plain
    // http on any other address would never get its session cookie back: a login loop. So
    // Secure follows the UI's public scheme (a TLS-terminating proxy in front still counts as
    // https, since callbackUrl says so), and over https the `__Host-` prefix also pins the
    // cookie to this host, Path=/ and Secure.
    this.#secure = this.#callbackUrl.protocol === 'https:'
    this.#sessionCookie = this.#secure ? '__Host-sundial-session' : 'sundial-session'
    this.#loginCookie = this.#secure ? '__Host-sundial-login' : 'sundial-login'
    this.#sessionTtlSeconds = options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS
    this.#forward = options.forwardToken ?? 'access'
    this.#logger = deps.logger
    const scopes = options.scopes ?? DEFAULT_UI_AUTH_SCOPES
    this.#rp =
      deps.relyingParty ??
      new OpenidClientRelyingParty({
        issuerUrl: options.issuerUrl,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        callbackUrl: this.#callbackUrl.href,
        scopes: scopes.includes('openid') ? scopes : ['openid', ...scopes],
        postLogoutRedirectUrl: options.postLogoutRedirectUrl ?? `${this.#origin}/`,
        logger: deps.logger,
        now,
      })
    this.#sessions = new ExpiringStore({
      ttlMs: this.#sessionTtlSeconds * 1000,
      maxEntries: 100_000,
      now,
    })
    this.#logins = new ExpiringStore({ ttlMs: LOGIN_TTL_SECONDS * 1000, maxEntries: 10_000, now })
    this.#now = now
  }

  ready(): Promise<void> {
    return this.#rp.ready()
  }

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    next: () => Promise<void>,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', this.#origin)
    const method = req.method ?? 'GET'
    // SameSite=Lax already keeps the cookie off cross-site POSTs; the Origin check also covers
    // same-site origins (another app on a sibling subdomain) and browsers without SameSite.
    if (!SAFE_METHODS.has(method) && req.headers.origin !== this.#origin) {
      sendJson(res, 403, { code: 7, message: 'cross-origin request refused', details: [] })
      return
    }
    // Sorted by the raw path's prefix, exactly as createUiHandler sorts it: a path that only
    // normalizes to a page (`/api/../x`) must still count as the API call it will be.
    const raw = req.url ?? '/'
    if (raw.startsWith('/auth/')) return this.#authRoute(req, res, url)
    // The built assets are public (they hold no data) and are cached immutable by URL.
    if (raw.startsWith('/assets/')) return next()
    const id = this.#sessionId(req)
    const session = id === undefined ? undefined : this.#liveSession(id)
    if (!raw.startsWith('/api/')) {
      if (session) return next()
      if (SAFE_METHODS.has(method)) {
        const back = url.pathname + url.search
        return redirect(res, 302, `/auth/login?returnTo=${encodeURIComponent(back)}`)
      }
    } else if (session && id !== undefined) {
      const token = await this.#forwardedToken(id, session)
      if (token !== undefined) {
        setRequestHeader(req, 'authorization', `Bearer ${token}`)
        // The session id is the browser's credential for this server, not the API's business.
        setRequestHeader(req, 'cookie', undefined)
        return next()
      }
    }
    sendJson(res, 401, {
      code: 16,
      message: 'not logged in, or the session has ended',
      details: [],
      login: '/auth/login',
    })
  }

  async #authRoute(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = `${req.method ?? 'GET'} ${url.pathname}`
    switch (route) {
      case 'GET /auth/login':
        return this.#login(req, res, url)
      case 'GET /auth/callback':
        return this.#callback(req, res, url)
      case 'POST /auth/logout':
        return this.#logout(req, res)
      case 'GET /auth/logout':
        return sendPage(res, 200, {
          title: 'Log out',
          text: 'Log out of the Sundial Web UI?',
          action: '/auth/logout',
        })
      case 'GET /auth/me': {
        const id = this.#sessionId(req)
        const session = id === undefined ? undefined : this.#liveSession(id)
        const me: MeResponse = session ? { loggedIn: true, ...session.user } : { loggedIn: false }
        return sendJson(res, 200, me)
      }
      default:
        return sendJson(res, 404, { code: 5, message: `no route ${route}`, details: [] })
    }
  }

  async #login(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let begun: { url: URL; checks: LoginChecks }
    try {
      begun = await this.#rp.beginLogin()
    } catch (e: unknown) {
      this.#logger.error({ err: e }, 'Web UI login: cannot reach the OIDC issuer')
      return sendPage(res, 502, {
        title: 'Login unavailable',
        text: 'The identity provider cannot be reached. Try again in a moment.',
        link: { href: url.pathname + url.search, label: 'Try again' },
      })
    }
    // One binding per browser, reused by logins begun in several tabs at once.
    const current = parseCookies(req.headers.cookie).get(this.#loginCookie)
    const binding = current !== undefined && ID.test(current) ? current : randomId()
    this.#logins.set(begun.checks.state, {
      checks: begun.checks,
      binding,
      returnTo: safeReturnTo(url.searchParams.get('returnTo')),
    })
    redirect(res, 302, begun.url.href, [
      serializeCookie(this.#loginCookie, binding, {
        secure: this.#secure,
        maxAgeSeconds: LOGIN_TTL_SECONDS,
      }),
    ])
  }

  async #callback(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const state = url.searchParams.get('state')
    const pending = state === null ? undefined : this.#logins.take(state)
    const cookies = parseCookies(req.headers.cookie)
    const binding = cookies.get(this.#loginCookie)
    // The state must be one this server issued, to this browser: otherwise someone could hand
    // a victim a callback URL carrying their own code and log the victim in as themselves.
    if (!pending || binding === undefined || !sameString(pending.binding, binding)) {
      this.#logger.warn('Web UI login: a callback with an unknown state, or from another browser')
      return sendPage(res, 400, {
        title: 'Login failed',
        text: 'This login is unknown, has expired, or was begun in another browser.',
        link: { href: '/auth/login', label: 'Log in again' },
      })
    }
    const callbackUrl = new URL(this.#callbackUrl.href)
    callbackUrl.search = url.search
    let tokens: TokenSet
    try {
      tokens = await this.#rp.completeLogin(callbackUrl, pending.checks)
      if (!tokens.user) throw new Error('the issuer sent no ID token')
    } catch (e: unknown) {
      this.#logger.warn({ err: e }, 'Web UI login: the code exchange failed')
      return sendPage(res, 400, {
        title: 'Login failed',
        text: `The identity provider did not log you in: ${e instanceof Error ? e.message : String(e)}`,
        link: {
          href: `/auth/login?returnTo=${encodeURIComponent(pending.returnTo)}`,
          label: 'Try again',
        },
      })
    }
    // A fresh id on every login, so an id known before it (session fixation) is worthless.
    const previous = cookies.get(this.#sessionCookie)
    if (previous !== undefined) this.#sessions.delete(previous)
    const id = randomId()
    this.#sessions.set(id, { user: tokens.user, tokens })
    this.#logger.info({ sub: tokens.user.sub }, 'Web UI login')
    redirect(res, 303, pending.returnTo, [
      serializeCookie(this.#sessionCookie, id, {
        secure: this.#secure,
        maxAgeSeconds: this.#sessionTtlSeconds,
      }),
    ])
  }

  async #logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = this.#sessionId(req)
    const session = id === undefined ? undefined : this.#sessions.get(id)
    if (id !== undefined) this.#sessions.delete(id)
    if (session) this.#logger.info({ sub: session.user.sub }, 'Web UI logout')
    // Also end the issuer's session where it can, or the next visit would log straight back in.
    const end = await this.#rp.endSessionUrl(session?.tokens.idToken)
    redirect(res, 303, end?.href ?? '/', [
      serializeCookie(this.#sessionCookie, '', { secure: this.#secure, maxAgeSeconds: 0 }),
    ])
  }

  #sessionId(req: IncomingMessage): string | undefined {
    const id = parseCookies(req.headers.cookie).get(this.#sessionCookie)
    return id !== undefined && ID.test(id) ? id : undefined
  }

  /** The session under `id`, unless it has expired or its token has and cannot be refreshed. */
  #liveSession(id: string): Session | undefined {
    const session = this.#sessions.get(id)
    if (!session) return undefined
    if (this.#expired(session.tokens) && session.tokens.refreshToken === undefined) {
      this.#sessions.delete(id)
      return undefined
    }
    return session
  }

  /** The token to forward, refreshed first when it has (nearly) expired; undefined ends it. */
  async #forwardedToken(id: string, session: Session): Promise<string | undefined> {
    if (this.#expired(session.tokens)) {
      session.refreshing ??= this.#refresh(session).finally(() => (session.refreshing = undefined))
      if (!(await session.refreshing)) {
        this.#sessions.delete(id)
        return undefined
      }
    }
    return this.#forward === 'id' ? session.tokens.idToken : session.tokens.accessToken
  }

  #expired(tokens: TokenSet): boolean {
    const at = this.#forward === 'id' ? tokens.idTokenExpiresAt : tokens.accessTokenExpiresAt
    if (this.#forward === 'id' && tokens.idToken === undefined) return true
    return at !== undefined && at - REFRESH_MARGIN_MS <= this.#now()
  }

  async #refresh(session: Session): Promise<boolean> {
    const refreshToken = session.tokens.refreshToken
    if (refreshToken === undefined) return false
    let fresh: TokenSet
    try {
      fresh = await this.#rp.refresh(refreshToken)
    } catch (e: unknown) {
      this.#logger.info({ err: e, sub: session.user.sub }, 'Web UI login: refresh refused')
      return false
    }
    // OIDC Core 12.2: a refreshed ID token is about the same subject.
    if (fresh.user && fresh.user.sub !== session.user.sub) {
      this.#logger.warn({ sub: session.user.sub }, 'Web UI login: refresh changed the subject')
      return false
    }
    const old = session.tokens
    session.tokens = {
      accessToken: fresh.accessToken,
      accessTokenExpiresAt: fresh.accessTokenExpiresAt,
      idToken: fresh.idToken ?? old.idToken,
      idTokenExpiresAt: fresh.idToken === undefined ? old.idTokenExpiresAt : fresh.idTokenExpiresAt,
      // Issuers that rotate refresh tokens send a new one; others let the old one stand.
      refreshToken: fresh.refreshToken ?? old.refreshToken,
      user: fresh.user ?? old.user,
    }
    if (fresh.user) {
      session.user = {
        sub: session.user.sub,
        name: fresh.user.name ?? session.user.name,
        email: fresh.user.email ?? session.user.email,
      }
    }
    return !this.#expired(session.tokens)
  }
}

/** A 256-bit random id, base64url (43 characters). */
function randomId(): string {
  return randomBytes(32).toString('base64url')
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Sets (or, with undefined, removes) a request header in both `headers` and `rawHeaders`. */
function setRequestHeader(req: IncomingMessage, name: string, value: string | undefined): void {
  delete req.headers[name]
  const raw: string[] = []
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() !== name)
      raw.push(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
  }
  if (value !== undefined) {
    req.headers[name] = value
    raw.push(name, value)
  }
  req.rawHeaders = raw
}
