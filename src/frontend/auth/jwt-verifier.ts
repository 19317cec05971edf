/**
 * Verifies bearer tokens and maps them to claims, once per token: a verified token's claims are
 * kept (in a bounded LRU) until the token expires, and at most one key-set refresh interval, so
 * that a key removed from the set stops being trusted within that interval.
 */
import { jwtVerify, type JWSAlgorithm } from 'jose'
import type { Logger } from 'pino'
import { UnauthenticatedError } from '../../common/errors.js'
import { claimsFromPayload, type Claims } from './claims.js'
import type { JwksKeySource } from './jwks-key-source.js'

/**
 * Asymmetric algorithms only. An HMAC algorithm would let a token signed with a *public* key as
 * the shared secret verify; `none` is never accepted by jose's `jwtVerify`.
 */
export const JWT_ALGORITHMS: readonly JWSAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]

export interface JwtVerifierOptions {
  readonly keys: JwksKeySource
  /** Required `aud`, when set. */
  readonly audience: string | undefined
  readonly clockToleranceSeconds: number
  readonly permissionsClaimName: string
  /** The longest a verified token stays cached. */
  readonly cacheTtlMs: number
  readonly cacheMaxEntries: number
  readonly logger: Logger
  readonly now: () => number
}

interface CacheEntry {
  readonly claims: Claims
  /** Epoch ms after which the token is verified again (or refused as expired). */
  readonly validUntil: number
}

export class JwtVerifier {
  /** Signature checks run (cache misses), whatever their outcome. */
  verifications = 0
  /** Calls answered from the cache. */
  cacheHits = 0
  private readonly cache = new Map<string, CacheEntry>()
  /** Verifications in progress, so that concurrent first calls with one token verify it once. */
  private readonly pending = new Map<string, Promise<Claims>>()

  constructor(private readonly options: JwtVerifierOptions) {}

  /** The claims of a token verified before and still valid; undefined otherwise. */
  cached(token: string): Claims | undefined {
    const entry = this.cache.get(token)
    if (entry === undefined) return undefined
    this.cache.delete(token)
    if (this.options.now() >= entry.validUntil) return undefined
    // Re-inserted last: Map order is the LRU order.
    this.cache.set(token, entry)
    this.cacheHits++
    return entry.claims
  }

  /**
   * Verifies the token (signature, algorithm, `exp`, `nbf`, `aud`) and maps its claims. Rejects
   * with an UnauthenticatedError naming one of a few fixed reasons; the detail goes to the log.
   */
  verify(token: string): Promise<Claims> {
    let verification = this.pending.get(token)
    if (verification === undefined) {
      verification = this.verifyUncached(token).finally(() => this.pending.delete(token))
      this.pending.set(token, verification)
    }
    return verification
  }

  /** Forgets every verified token (after a key was revoked). */
  clear(): void {
    this.cache.clear()
  }

  private async verifyUncached(token: string): Promise<Claims> {
    const { keys, audience, clockToleranceSeconds, logger, now } = this.options
    this.verifications++
    let payload: Record<string, unknown>
    try {
      const result = await jwtVerify(token, keys.getKey, {
        algorithms: [...JWT_ALGORITHMS],
        clockTolerance: clockToleranceSeconds,
        currentDate: new Date(now()),
        ...(audience === undefined ? {} : { audience }),
      })
      payload = result.payload
    } catch (e: unknown) {
      const reason = refusalReason(e)
      logger.debug({ err: e, reason }, 'bearer token refused')
      throw new UnauthenticatedError(`Request unauthenticated: ${reason}.`)
    }
    const claims = claimsFromPayload(payload, this.options.permissionsClaimName, logger)
    if (claims === undefined) {
      throw new UnauthenticatedError('Request unauthenticated: the token has no subject.')
    }
    const exp = payload['exp']
    const expiresAt =
      typeof exp === 'number' ? (exp + clockToleranceSeconds) * 1000 : Number.POSITIVE_INFINITY
    this.remember(token, {
      claims,
      validUntil: Math.min(expiresAt, now() + this.options.cacheTtlMs),
    })
    return claims
  }

  private remember(token: string, entry: CacheEntry): void {
    if (this.cache.size >= this.options.cacheMaxEntries) {
      const oldest = this.cache.keys().next()
      if (oldest.done !== true) this.cache.delete(oldest.value)
    }
    this.cache.set(token, entry)
  }
}

/** A fixed, client-safe reason for a refused token. */
function refusalReason(e: unknown): string {
  const code = e instanceof Error && 'code' in e ? e.code : undefined
  const claim = e instanceof Error && 'claim' in e ? e.claim : undefined
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'token expired'
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'nbf') return 'token not yet valid'
      if (claim === 'aud') return 'token audience mismatch'
      return 'invalid token claims'
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'unknown signing key'
    default:
      return 'invalid token'
  }
}
