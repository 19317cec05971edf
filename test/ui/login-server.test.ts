/**
 * The whole chain in Chromium: a Sundial server with JWT authorization and the Web UI's OIDC
 * login, an issuer (oidc-provider) whose access tokens carry each user's `permissions`. A user
 * with a read role in `default` logs in and sees its workflows; one whose role is in another
 * namespace logs in too and is told the server refused.
 */
import assert from 'node:assert/strict'
import { createServer as createNetServer } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { Client, Connection } from '@temporalio/client'
import type { Browser } from 'playwright-core'
import { pino } from 'pino'
import { createServer, type SundialServer } from '../../src/server/server.js'
import { JwksServer } from '../security/jwks-server.js'
import { signIn, startTestIssuer, type TestIssuer } from './oidc-test-provider.js'
import { launchChromium, skipReason, uid } from './ui-harness.js'

const AUDIENCE = 'urn:sundial:api'

/** A port free right now (the callback URL must be known before the UI server starts). */
async function freePort(): Promise<number> {
  const probe = createNetServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const address = probe.address()
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return typeof address === 'object' && address ? address.port : 0
}

describe('Web UI: login in front of an authorizing server', { skip: skipReason }, () => {
  let issuer: TestIssuer
  let idp: JwksServer
  let server: SundialServer
  let browser: Browser
  let base = ''
  const workflowId = uid('login-wf')

  before(async () => {
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    issuer = await startTestIssuer({
      accounts: {
        alice: { name: 'Alice Reader', email: 'alice@example.com', permissions: ['default:read'] },
        bob: { name: 'Bob Elsewhere', email: 'bob@example.com', permissions: ['orders:admin'] },
      },
      audience: AUDIENCE,
      clients: [
        {
          clientId: 'sundial-ui',
          clientSecret: 'ui-secret',
          redirectUri: `${base}/auth/callback`,
          postLogoutRedirectUri: `${base}/`,
        },
      ],
    })
    // The issuer signs the users' tokens; a second key set signs the test's own SDK client's.
    idp = await JwksServer.start()
    server = await createServer({
      port: 0,
      ui: { port },
      logger: pino({ level: 'warn' }),
      authorization: {
        keySourceUris: [`${issuer.issuer}/jwks`, idp.url],
        refreshIntervalMs: 60_000,
        permissionsClaimName: 'permissions',
        authorizer: 'default',
        claimMapper: 'default',
      },
      uiAuth: {
        issuerUrl: issuer.issuer,
        clientId: 'sundial-ui',
        clientSecret: 'ui-secret',
        callbackUrl: `${base}/auth/callback`,
        scopes: ['openid', 'profile', 'email'],
      },
    })
    const connection = await Connection.connect({
      address: server.address,
      apiKey: await idp.token(['default:write']),
      tls: false, // an API key turns TLS on unless told otherwise
    })
    await new Client({ connection }).workflow.start('waitsLong', {
      taskQueue: uid('idle'),
      workflowId,
    })
    await connection.close()
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await server?.stop()
    await idp?.close()
    await issuer?.close()
  })

  async function loggedIn(login: string) {
    const context = await browser.newContext()
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    await page.goto(`${base}/namespaces/default/workflows`)
    await signIn(page, issuer, login)
    await page.waitForURL(`${base}/namespaces/default/workflows`)
    return { context, page }
  }

  test('a reader of default sees its workflows, with its token checked by the server', async () => {
    const { context, page } = await loggedIn('alice')
    await page.getByRole('link', { name: workflowId, exact: true }).waitFor()
    assert.equal(await page.getByText('Alice Reader').count(), 1)
    await context.close()
  })

  test('a user without a role in default is told the server refused', async () => {
    const { context, page } = await loggedIn('bob')
    await page.getByText('Request unauthorized.').first().waitFor()
    assert.equal(await page.getByRole('link', { name: workflowId, exact: true }).count(), 0)
    await context.close()
  })
})
