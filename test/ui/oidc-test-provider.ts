/**
 * An OpenID Connect issuer for the login tests: oidc-provider in this process on a free port,
 * with its development login and consent pages (any password), accounts from a table, PKCE
 * required, refresh tokens, RP-initiated logout, and JWT access tokens for one API resource
 * (resource indicators with a default resource) carrying each account's `permissions`, the way
 * Temporal's default claim mapper reads them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { exportJWK, generateKeyPair } from 'jose'
import type { Page } from 'playwright-core'

export interface TestAccount {
  name: string
  email: string
  /** Temporal-style `namespace:role` entries, put in the access token's `permissions`. */
  permissions: string[]
}

export interface TestClient {
  clientId: string
  /** Absent: a public client (token_endpoint_auth_method none). */
  clientSecret?: string
  redirectUri: string
  postLogoutRedirectUri: string
}

export interface TestIssuerOptions {
  accounts: Record<string, TestAccount>
  clients: TestClient[]
  /** The `aud` of access tokens. */
  audience: string
  /** Access token lifetime; default 300 s. */
  accessTokenTtlSeconds?: number
}

export interface TestIssuer {
  /** `http://localhost:<port>`: another site than the UI on 127.0.0.1, as in a deployment. */
  issuer: string
  close(): Promise<void>
}

/** The slice of oidc-provider's API used here; the package ships no types. */
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void
}
type ProviderClass = new (issuer: string, configuration: object) => OidcProvider
interface Token {
  kind: string
  accountId?: string
}

export async function startTestIssuer(opts: TestIssuerOptions): Promise<TestIssuer> {
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end()
  }
  const server = createServer((req, res) => handle(req, res))
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : 0)
    })
  })
  const issuer = `http://localhost:${port}`
  // A specifier the compiler does not resolve: oidc-provider has no type declarations.
  const specifier = 'oidc-provider'
  const { default: Provider } = (await import(specifier)) as { default: ProviderClass }
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test', alg: 'RS256', use: 'sig' }
  const account = (id: string) => opts.accounts[id]
  const provider = new Provider(issuer, {
    clients: opts.clients.map((c) => ({
      client_id: c.clientId,
      ...(c.clientSecret === undefined
        ? { token_endpoint_auth_method: 'none' }
        : { client_secret: c.clientSecret, token_endpoint_auth_method: 'client_secret_basic' }),
      redirect_uris: [c.redirectUri],
      post_logout_redirect_uris: [c.postLogoutRedirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    })),
    jwks: { keys: [signingKey] },
    ttl: {
      AccessToken: opts.accessTokenTtlSeconds ?? 300,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86_400,
      Session: 3600,
    },
    cookies: { keys: ['sundial-login-test'] },
    findAccount: (_ctx: unknown, id: string) => {
      const a = account(id)
      return (
        a && {
          accountId: id,
          claims: () => ({ sub: id, name: a.name, email: a.email, email_verified: true }),
        }
      )
    },
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
    // Profile claims in the ID token too, as Authentik puts them (include_claims_in_id_token).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    issueRefreshToken: () => true,
    extraTokenClaims: (_ctx: unknown, token: Token) => {
      const a =
        token.kind === 'AccessToken' && token.accountId ? account(token.accountId) : undefined
      return a && { permissions: a.permissions }
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: { body: string }, form: string) => {
          ctx.body = `<!doctype html><title>Log out</title>${form}
            <button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>
            <button type="submit" form="op.logoutForm">No, stay signed in</button>`
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => opts.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'openid profile email',
          audience: opts.audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: opts.accessTokenTtlSeconds ?? 300,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  })
  handle = provider.callback()
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** On the issuer's login page: signs in as `login` (any password), and consents when asked. */
export async function signIn(page: Page, issuer: TestIssuer, login: string): Promise<void> {
  await page.waitForURL(`${issuer.issuer}/interaction/**`)
  await page.locator('input[name=login]').fill(login)
  await page.locator('input[name=password]').fill('any password')
  await page.getByRole('button', { name: 'Sign-in' }).click()
  // The consent page comes the first time this browser logs in to a client.
  const consent = page.getByRole('button', { name: 'Continue' })
  const asked = await Promise.race([
    consent.waitFor().then(() => true),
    page.waitForURL((url) => url.origin !== issuer.issuer).then(() => false),
  ])
  if (asked) await consent.click()
}
