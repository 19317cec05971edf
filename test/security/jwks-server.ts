/**
 * A local identity provider for authorization tests: an HTTP server publishing a JSON Web Key Set
 * built with jose, which signs tokens with its keys and can rotate them, plus helpers to make the
 * tokens an attacker would try (forged, unsigned, HMAC-signed with the public key), and helpers
 * that call an authorizer the way the transports do.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  SignJWT,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose'
import { Metadata, status } from '@grpc/grpc-js'
import { ServiceError } from '../../src/common/errors.js'
import type { AuthorizationOptions, Authorizer } from '../../src/frontend/auth/authorizer.js'
import type { CallTarget } from '../../src/frontend/auth/call-authorizer.js'
import { WORKFLOW_SERVICE } from '../../src/frontend/service-definitions.js'

export type SigningAlgorithm = 'ES256' | 'RS256' | 'EdDSA'

export interface SigningKey {
  readonly kid: string
  readonly alg: SigningAlgorithm
  readonly privateKey: CryptoKey
  readonly publicKey: CryptoKey
  /** The public JWK as published (with `kid`, `alg` and `use`). */
  readonly publicJwk: JWK
}

export interface SignOptions {
  /** The key to sign with; default the newest published one. */
  key?: SigningKey
  /** Seconds from now until `exp`; default 3600. `null` for no `exp`. */
  expiresInSeconds?: number | null
  /** Seconds from now until `nbf`; negative for the past. Absent: no `nbf`. */
  notBeforeSeconds?: number
  audience?: string | string[]
  /** The `kid` header; default the key's. */
  kid?: string
  subject?: string
}

let kidCounter = 0

/** A fresh key pair, not published anywhere (for forged tokens). */
export async function generateSigningKey(
  alg: SigningAlgorithm = 'ES256',
  kid = `key-${++kidCounter}`,
): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  return { kid, alg, privateKey, publicKey, publicJwk }
}

/** Signs `payload` with `key`, Sundial's permissions claim included by the caller. */
export async function signToken(
  key: SigningKey,
  payload: JWTPayload,
  opts: Omit<SignOptions, 'key'> = {},
): Promise<string> {
  const nowSeconds = Math.floor(Date.now() / 1000)
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: opts.kid ?? key.kid, typ: 'JWT' })
    .setIssuedAt(nowSeconds)
    .setSubject(opts.subject ?? 'tester')
  const expiresIn = opts.expiresInSeconds === undefined ? 3600 : opts.expiresInSeconds
  if (expiresIn !== null) jwt.setExpirationTime(nowSeconds + expiresIn)
  if (opts.notBeforeSeconds !== undefined) jwt.setNotBefore(nowSeconds + opts.notBeforeSeconds)
  if (opts.audience !== undefined) jwt.setAudience(opts.audience)
  return jwt.sign(key.privateKey)
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/** An `alg: none` token: no signature at all. */
export function unsignedToken(payload: JWTPayload, kid?: string): string {
  const header = { alg: 'none', typ: 'JWT', ...(kid === undefined ? {} : { kid }) }
  return `${base64url(header)}.${base64url(payload)}.`
}

/**
 * The classic algorithm-confusion forgery: HS256 with the victim's *public* key (PEM) as the
 * HMAC secret, which a verifier that trusts the header's `alg` would accept.
 */
export async function hmacWithPublicKeyToken(
  key: SigningKey,
  payload: JWTPayload,
): Promise<string> {
  const pem = await exportSPKI(key.publicKey)
  const nowSeconds = Math.floor(Date.now() / 1000)
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' })
    .setSubject('attacker')
    .setExpirationTime(nowSeconds + 3600)
    .sign(new TextEncoder().encode(pem))
}

export class JwksServer {
  /** JWKS requests served. */
  fetches = 0
  private published: SigningKey[] = []

  private readonly server: Server
  /** The JWKS URL, once started. */
  url = ''

  private constructor() {
    this.server = createServer((req, res) => {
      if (req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end()
        return
      }
      this.fetches++
      const body = JSON.stringify({ keys: this.published.map((k) => k.publicJwk) })
      res.writeHead(200, { 'content-type': 'application/json' }).end(body)
    })
  }

  /** Starts on a free localhost port with one published key of `alg`. */
  static async start(alg: SigningAlgorithm = 'ES256'): Promise<JwksServer> {
    const self = new JwksServer()
    self.server.listen(0, '127.0.0.1')
    await once(self.server, 'listening')
    const { port } = self.server.address() as AddressInfo
    self.url = `http://127.0.0.1:${port}/.well-known/jwks.json`
    await self.addKey(alg)
    return self
  }

  /** The published keys, oldest first. */
  get keys(): readonly SigningKey[] {
    return this.published
  }

  /** Generates a key and publishes it next to the others. */
  async addKey(alg: SigningAlgorithm = 'ES256'): Promise<SigningKey> {
    const key = await generateSigningKey(alg)
    this.published.push(key)
    return key
  }

  /** Publishes a new key and withdraws every older one; returns the new key. */
  async rotate(alg: SigningAlgorithm = 'ES256'): Promise<SigningKey> {
    const key = await generateSigningKey(alg)
    this.published = [key]
    return key
  }

  /** Signs with `opts.key`, default the newest published key. */
  sign(payload: JWTPayload, opts: SignOptions = {}): Promise<string> {
    const key = opts.key ?? this.published.at(-1)
    if (key === undefined) throw new Error('no published key')
    return signToken(key, payload, opts)
  }

  /** A token granting `permissions` (Temporal's default claim shape). */
  token(permissions: string[], opts: SignOptions = {}): Promise<string> {
    return this.sign({ permissions }, opts)
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve, reject) =>
      this.server.close((e) => (e ? reject(e) : resolve())),
    )
  }
}

// Calling an authorizer in tests.

export type Outcome = 'allow' | 'UNAUTHENTICATED' | 'PERMISSION_DENIED'

/** Metadata with an `authorization` header, or none. */
export function metadataWith(authorization: string | undefined): Metadata {
  const md = new Metadata()
  if (authorization !== undefined) md.set('authorization', authorization)
  return md
}

/** How `auth` answers the call: allowed, or the refusal's gRPC status name. */
export async function outcome(
  auth: Authorizer,
  target: CallTarget,
  md: Metadata,
): Promise<Outcome> {
  try {
    await auth.authorize(target, md, 'ipv4:127.0.0.1:1234')
    return 'allow'
  } catch (e: unknown) {
    assert.ok(e instanceof ServiceError, String(e))
    if (e.code === status.UNAUTHENTICATED) return 'UNAUTHENTICATED'
    assert.equal(e.code, status.PERMISSION_DENIED)
    assert.equal(e.message, 'Request unauthorized.')
    return 'PERMISSION_DENIED'
  }
}

/** The UNAUTHENTICATED message `auth` answers `token` with (DescribeNamespace on `orders`). */
export async function refusal(
  auth: Authorizer,
  token: string,
  rpc = 'DescribeNamespace',
): Promise<string> {
  const target = { service: WORKFLOW_SERVICE, rpc, namespace: 'orders' }
  try {
    await auth.authorize(target, metadataWith(`Bearer ${token}`), 'test')
  } catch (e: unknown) {
    assert.ok(e instanceof ServiceError)
    assert.equal(e.code, status.UNAUTHENTICATED, e.message)
    return e.message
  }
  assert.fail('the token was accepted')
}

/** Authorizer options for keys published by `idp`. */
export function options(
  idp: JwksServer,
  more: Partial<AuthorizationOptions> = {},
): AuthorizationOptions {
  return {
    keySourceUris: [idp.url],
    refreshIntervalMs: 60_000,
    permissionsClaimName: 'permissions',
    authorizer: 'default',
    claimMapper: 'default',
    ...more,
  }
}
