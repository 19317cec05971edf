/**
 * Bearer-token checks of the JWT authorizer: the tokens an attacker would try, audience and clock
 * leeway, the verified-token cache, key sets from files, and key rotation.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { SignJWT } from 'jose'
import { pino } from 'pino'
import {
  JwksServer,
  generateSigningKey,
  hmacWithPublicKeyToken,
  metadataWith,
  options,
  outcome,
  refusal,
  signToken,
  unsignedToken,
} from '../../../test/security/jwks-server.js'
import { WORKFLOW_SERVICE } from '../service-definitions.js'
import { createAuthorizer, type Authorizer, type AuthorizerDeps } from './authorizer.js'

const NS = 'orders'
const deps = (more: Partial<AuthorizerDeps> = {}): AuthorizerDeps => ({
  logger: pino({ level: 'silent' }),
  auditLogger: pino({ level: 'silent' }),
  ...more,
})

/** Polls `fn` until it holds, failing after `timeoutMs`. */
async function eventually(fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await fn())) {
    if (Date.now() > deadline) assert.fail('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('JWT authorizer', () => {
  let idp: JwksServer
  let auth: Authorizer

  before(async () => {
    idp = await JwksServer.start('ES256')
    await idp.addKey('RS256')
    auth = createAuthorizer(options(idp), deps())
  })

  after(async () => {
    auth.close()
    await idp.close()
  })

  describe('tokens', () => {
    test('forged, expired, not yet valid, unknown key, alg none, HS256 with the public key', async () => {
      const [ecKey, rsaKey] = idp.keys
      assert.ok(ecKey && rsaKey)
      const claims = { permissions: ['temporal-system:admin'] }
      const impostor = await generateSigningKey('ES256', ecKey.kid)
      const stranger = await generateSigningKey('ES256')
      assert.match(await refusal(auth, await signToken(impostor, claims)), /invalid token/)
      const expired = await idp.sign(claims, { key: ecKey, expiresInSeconds: -60 })
      assert.match(await refusal(auth, expired), /token expired/)
      const early = await idp.sign(claims, { key: ecKey, notBeforeSeconds: 300 })
      assert.match(await refusal(auth, early), /not yet valid/)
      assert.match(await refusal(auth, await signToken(stranger, claims)), /unknown signing key/)
      const none = unsignedToken({ sub: 'x', ...claims, exp: Date.now() / 1000 + 60 }, ecKey.kid)
      assert.match(await refusal(auth, none), /invalid token/)
      assert.match(await refusal(auth, await hmacWithPublicKeyToken(rsaKey, claims)), /invalid/)
      assert.match(await refusal(auth, await hmacWithPublicKeyToken(ecKey, claims)), /invalid/)
      assert.match(await refusal(auth, 'not.a.jwt'), /invalid token/)
      // A signature taken from a valid token does not carry over to other claims.
      const good = await idp.sign({ permissions: [`${NS}:read`] }, { key: ecKey })
      const [, , signature] = good.split('.')
      const [header, payload] = (await idp.sign(claims, { key: ecKey })).split('.')
      assert.match(await refusal(auth, `${header}.${payload}.${signature}`), /invalid token/)
      // Refused tokens are not cached.
      assert.match(await refusal(auth, expired), /token expired/)
    })

    test('a present but bad token is refused even on GetSystemInfo; a missing one is not', async () => {
      const expired = await idp.sign({}, { expiresInSeconds: -60 })
      assert.match(await refusal(auth, expired, 'GetSystemInfo'), /expired/)
      const target = { service: WORKFLOW_SERVICE, rpc: 'GetSystemInfo', namespace: '' }
      assert.equal(await outcome(auth, target, metadataWith(undefined)), 'allow')
    })

    test('the header must be "Bearer <token>", scheme in any case; the token needs a sub', async () => {
      const token = await idp.token([`${NS}:read`])
      const target = { service: WORKFLOW_SERVICE, rpc: 'DescribeNamespace', namespace: NS }
      for (const header of [`Bearer ${token}`, `bearer ${token}`, `BEARER  ${token}`]) {
        assert.equal(await outcome(auth, target, metadataWith(header)), 'allow', header)
      }
      for (const header of [`Basic ${token}`, token, 'Bearer', 'Bearer ']) {
        assert.equal(await outcome(auth, target, metadataWith(header)), 'UNAUTHENTICATED', header)
      }
      const key = idp.keys[0]
      assert.ok(key)
      // An empty `sub` is still a string, which is all Temporal asks.
      const emptySub = await signToken(key, { permissions: [`${NS}:read`] }, { subject: '' })
      assert.equal(await outcome(auth, target, metadataWith(`Bearer ${emptySub}`)), 'allow')
      const anonymous = await new SignJWT({ permissions: [`${NS}:read`] })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid })
        .setExpirationTime('1h')
        .sign(key.privateKey)
      assert.match(await refusal(auth, anonymous), /no subject/)
    })

    test('audience and clock tolerance', async () => {
      const strict = createAuthorizer(
        options(idp, { audience: 'sundial', clockToleranceSeconds: 30 }),
        deps(),
      )
      try {
        const target = { service: WORKFLOW_SERVICE, rpc: 'DescribeNamespace', namespace: NS }
        const read = { permissions: [`${NS}:read`] }
        const ok = await idp.sign(read, { audience: ['other', 'sundial'] })
        assert.equal(await outcome(strict, target, metadataWith(`Bearer ${ok}`)), 'allow')
        assert.match(await refusal(strict, await idp.sign(read, { audience: 'other' })), /audience/)
        assert.match(await refusal(strict, await idp.sign(read)), /audience mismatch/)
        const justExpired = await idp.sign(read, { audience: 'sundial', expiresInSeconds: -5 })
        assert.equal(await outcome(strict, target, metadataWith(`Bearer ${justExpired}`)), 'allow')
        const longExpired = await idp.sign(read, { audience: 'sundial', expiresInSeconds: -120 })
        assert.match(await refusal(strict, longExpired), /expired/)
      } finally {
        strict.close()
      }
    })

    test('a token is verified once, however many calls and however concurrent', async () => {
      const token = await idp.token([`${NS}:write`])
      const md = metadataWith(`Bearer ${token}`)
      const target = { service: WORKFLOW_SERVICE, rpc: 'StartWorkflowExecution', namespace: NS }
      const before = auth.stats()
      await Promise.all(
        Array.from({ length: 50 }, () => Promise.resolve(auth.authorize(target, md, 'p'))),
      )
      for (let i = 0; i < 5000; i++) {
        // Cached: answered synchronously, no promise.
        assert.equal(auth.authorize(target, md, 'p'), undefined)
      }
      const stats = auth.stats()
      assert.equal(stats.verifications - before.verifications, 1)
      assert.equal(stats.cacheHits - before.cacheHits, 5000)
      assert.equal(stats.keySetFetches, before.keySetFetches)
    })

    test('a cached token still expires', async () => {
      let now = Date.now()
      const timed = createAuthorizer(options(idp), deps({ now: () => now }))
      try {
        const token = await idp.token([`${NS}:read`], { expiresInSeconds: 60 })
        const target = { service: WORKFLOW_SERVICE, rpc: 'DescribeNamespace', namespace: NS }
        assert.equal(await outcome(timed, target, metadataWith(`Bearer ${token}`)), 'allow')
        now += 61_000
        assert.match(await refusal(timed, token), /expired/)
        assert.equal(timed.stats().verifications, 2)
      } finally {
        timed.close()
      }
    })
  })

  test('reads file:// key sets, and refuses options that cannot work', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sundial-jwks-'))
    const key = await generateSigningKey('EdDSA')
    const file = join(dir, 'jwks.json')
    await writeFile(file, JSON.stringify({ keys: [key.publicJwk] }))
    const local = createAuthorizer(
      { ...options(idp), keySourceUris: [pathToFileURL(file).href] },
      deps(),
    )
    try {
      const token = await signToken(key, { permissions: [`${NS}:read`] })
      const target = { service: WORKFLOW_SERVICE, rpc: 'DescribeNamespace', namespace: NS }
      assert.equal(await outcome(local, target, metadataWith(`Bearer ${token}`)), 'allow')
    } finally {
      local.close()
      await rm(dir, { recursive: true })
    }
    assert.throws(() => createAuthorizer({ ...options(idp), keySourceUris: [' '] }, deps()))
    assert.throws(() => createAuthorizer({ ...options(idp), keySourceUris: ['nope'] }, deps()))
    assert.throws(() => createAuthorizer(options(idp, { refreshIntervalMs: 0 }), deps()))
  })

  describe('key rotation', () => {
    test('a new key is picked up within the refresh interval, and the old one dropped', async () => {
      const rotating = await JwksServer.start('ES256')
      const refreshIntervalMs = 300
      // No early refetch: only the periodic refresh can pick the new key up.
      const fast = createAuthorizer(
        options(rotating, { refreshIntervalMs, keyRefetchCooldownMs: 60_000 }),
        deps(),
      )
      try {
        const target = { service: WORKFLOW_SERVICE, rpc: 'DescribeNamespace', namespace: NS }
        const old = await rotating.token([`${NS}:read`])
        assert.equal(await outcome(fast, target, metadataWith(`Bearer ${old}`)), 'allow')
        const started = Date.now()
        const key = await rotating.rotate('ES256')
        const fresh = await rotating.token([`${NS}:read`], { key })
        await eventually(
          async () => (await outcome(fast, target, metadataWith(`Bearer ${fresh}`))) === 'allow',
          refreshIntervalMs * 5,
        )
        assert.ok(Date.now() - started < refreshIntervalMs * 3, 'picked up within the interval')
        // The withdrawn key's token, verified and cached before, is trusted no longer.
        assert.match(await refusal(fast, old), /unknown signing key/)
      } finally {
        fast.close()
        await rotating.close()
      }
    })

    test('an unknown key id triggers one early refetch per cooldown', async () => {
      const rotating = await JwksServer.start('ES256')
      const quick = createAuthorizer(
        options(rotating, { refreshIntervalMs: 60_000, keyRefetchCooldownMs: 0 }),
        deps(),
      )
      const slow = createAuthorizer(
        options(rotating, { refreshIntervalMs: 60_000, keyRefetchCooldownMs: 60_000 }),
        deps(),
      )
      try {
        const target = { service: WORKFLOW_SERVICE, rpc: 'DescribeNamespace', namespace: NS }
        const first = await rotating.token([`${NS}:read`])
        assert.equal(await outcome(quick, target, metadataWith(`Bearer ${first}`)), 'allow')
        assert.equal(await outcome(slow, target, metadataWith(`Bearer ${first}`)), 'allow')
        const added = await rotating.addKey('ES256')
        const next = await rotating.token([`${NS}:read`], { key: added })
        assert.equal(await outcome(quick, target, metadataWith(`Bearer ${next}`)), 'allow')
        assert.equal(quick.stats().keySetFetches, 2)
        // Within the cooldown, made-up key ids do not reach the key source.
        const fetches = rotating.fetches
        for (let i = 0; i < 20; i++) {
          const bogus = await signToken(await generateSigningKey('ES256'), { permissions: [] })
          assert.match(await refusal(slow, bogus), /unknown signing key/)
        }
        assert.match(await refusal(slow, next), /unknown signing key/)
        assert.equal(rotating.fetches, fetches)
      } finally {
        quick.close()
        slow.close()
        await rotating.close()
      }
    })
  })
})
