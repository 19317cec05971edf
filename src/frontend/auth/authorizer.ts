/**
 * JWT authentication plus Temporal's default claim mapper and default authorizer, behind the
 * transports' {@link CallAuthorizer} seam (Temporal's `authorization.Interceptor`).
 *
 * Where Sundial differs from Temporal, on purpose: a missing or refused token is UNAUTHENTICATED
 * (Temporal answers PERMISSION_DENIED "Request unauthorized." for both), so that a client can
 * tell "get a token" from "get a role"; a valid token without the role is PERMISSION_DENIED with
 * Temporal's message. As in Temporal, a token that is present is checked even on a health-check
 * API, so a client with a bad token fails at `Connection.connect` (GetSystemInfo).
 */
import type { Metadata } from '@grpc/grpc-js'
import type { Logger } from 'pino'
import { PermissionDeniedError, UnauthenticatedError, ensureError } from '../../common/errors.js'
import type { CallAuthorizer, CallTarget } from './call-authorizer.js'
import type { Claims } from './claims.js'
import { authorizeClaims, isHealthCheckApi } from './default-authorizer.js'
import { JwksKeySource } from './jwks-key-source.js'
import { JwtVerifier } from './jwt-verifier.js'

export const DEFAULT_REFRESH_INTERVAL_MS = 60_000
export const DEFAULT_PERMISSIONS_CLAIM_NAME = 'permissions'
/** Temporal's `RequestUnauthorized`, the message of every PERMISSION_DENIED answer. */
export const REQUEST_UNAUTHORIZED = 'Request unauthorized.'

const DEFAULT_CACHE_MAX_ENTRIES = 4096
/** Upper bound of the unknown-key refetch cooldown (jose's remote key set uses 30 s). */
const MAX_REFETCH_COOLDOWN_MS = 5_000

/** Temporal's `global.authorization` settings that Sundial supports. */
export interface AuthorizationOptions {
  /** JWKS URIs (`jwtKeyProvider.keySourceURIs`): `https://`, `http://` or `file://`. */
  keySourceUris: string[]
  /** How often the key sets are read again (`jwtKeyProvider.refreshInterval`); must be > 0. */
  refreshIntervalMs: number
  /** The claim holding `<namespace>:<role>` entries (`permissionsClaimName`). */
  permissionsClaimName: string
  /** When set, tokens must carry this `aud`. */
  audience?: string
  /** Leeway for `exp` and `nbf`, in seconds; default 0 (none, as Temporal). */
  clockToleranceSeconds?: number
  /**
   * The least time between two key-set reads caused by tokens naming an unknown key; default
   * the refresh interval, capped at 5 s.
   */
  keyRefetchCooldownMs?: number
  /** Most tokens kept verified; default 4096. */
  tokenCacheMaxEntries?: number
  authorizer: 'default'
  claimMapper: 'default'
}

export interface AuthorizerDeps {
  logger: Logger
  /** Gets one line per denied call and per allowed admin-access call; default `logger`. */
  auditLogger?: Logger
  /** Epoch milliseconds; default `Date.now`. */
  now?: () => number
}

/** Counters, for tests and metrics. */
export interface AuthorizerStats {
  /** Signature checks run (tokens not found in the cache). */
  verifications: number
  /** Calls whose token was found verified in the cache. */
  cacheHits: number
  /** Completed reads of the key sets. */
  keySetFetches: number
}

export interface Authorizer {
  authorize: CallAuthorizer
  stats(): AuthorizerStats
  /** Stops the key-set refresh timer. */
  close(): void
}

/** One audit record: who called what, and the answer. */
interface AuditRecord {
  subject: string
  service: string
  rpc: string
  namespace: string
  decision: 'allow' | 'deny'
  reason: string
  peer: string
}

/**
 * Builds the authorizer. The first key-set read starts at once; calls that need a key wait for
 * it. Throws on options that cannot work (no key source, no refresh interval).
 */
export function createAuthorizer(options: AuthorizationOptions, deps: AuthorizerDeps): Authorizer {
  const uris = options.keySourceUris.filter((u) => u.trim() !== '')
  if (uris.length === 0) {
    throw new Error('JWT authorization needs at least one key source URI (keySourceURIs)')
  }
  if (!(options.refreshIntervalMs > 0)) {
    throw new Error('the JWT key refresh interval must be positive')
  }
  for (const uri of uris) new URL(uri) // throws on a malformed URI, at startup
  const { logger } = deps
  const audit = deps.auditLogger ?? logger
  const now = deps.now ?? Date.now
  const keys = new JwksKeySource({
    uris,
    refreshIntervalMs: options.refreshIntervalMs,
    refetchCooldownMs:
      options.keyRefetchCooldownMs ?? Math.min(options.refreshIntervalMs, MAX_REFETCH_COOLDOWN_MS),
    logger,
    now,
    // Tokens signed by a revoked key are not trusted a moment longer. Called only once a read
    // completes, so never before `tokens` below is initialized.
    onKeysRemoved: () => tokens.clear(),
  })
  const tokens = new JwtVerifier({
    keys,
    audience: options.audience?.trim() === '' ? undefined : options.audience,
    clockToleranceSeconds: options.clockToleranceSeconds ?? 0,
    permissionsClaimName: options.permissionsClaimName || DEFAULT_PERMISSIONS_CLAIM_NAME,
    cacheTtlMs: options.refreshIntervalMs,
    cacheMaxEntries: options.tokenCacheMaxEntries ?? DEFAULT_CACHE_MAX_ENTRIES,
    logger,
    now,
  })

  const record = (
    target: CallTarget,
    peer: string,
    fields: Omit<AuditRecord, keyof CallTarget | 'peer'>,
  ): void => {
    const line: AuditRecord = {
      ...fields,
      service: target.service,
      rpc: target.rpc,
      namespace: target.namespace,
      peer,
    }
    audit.info(line, 'authorization')
  }

  const refuse = (
    target: CallTarget,
    peer: string,
    error: UnauthenticatedError,
  ): Promise<never> => {
    record(target, peer, { subject: '', decision: 'deny', reason: error.message })
    return Promise.reject(error)
  }

  /** Allows (undefined) or denies (a rejected promise) a caller with verified claims. */
  const decide = (claims: Claims, target: CallTarget, peer: string): Promise<never> | undefined => {
    const decision = authorizeClaims(claims, target)
    if (decision.allow) {
      if (decision.access === 'admin') {
        record(target, peer, {
          subject: claims.subject,
          decision: 'allow',
          reason: decision.reason,
        })
      }
      return undefined
    }
    record(target, peer, { subject: claims.subject, decision: 'deny', reason: decision.reason })
    return Promise.reject(new PermissionDeniedError(REQUEST_UNAUTHORIZED))
  }

  const authorize: CallAuthorizer = (target: CallTarget, metadata: Metadata, peer: string) => {
    const header = metadata.get('authorization')[0]
    if (header === undefined || header === '') {
      if (isHealthCheckApi(target)) return undefined
      return refuse(
        target,
        peer,
        new UnauthenticatedError('Request unauthenticated: no bearer token.'),
      )
    }
    const token = bearerToken(typeof header === 'string' ? header : header.toString('utf8'))
    if (token === undefined) {
      return refuse(
        target,
        peer,
        new UnauthenticatedError(
          'Request unauthenticated: the authorization header is not "Bearer <token>".',
        ),
      )
    }
    // The common case answers synchronously: no promise, no await, on every call after the first.
    const claims = tokens.cached(token)
    if (claims !== undefined) return decide(claims, target, peer)
    return tokens.verify(token).then(
      (verified) => decide(verified, target, peer),
      (e: unknown) => {
        const error = ensureError(e)
        if (error instanceof UnauthenticatedError) return refuse(target, peer, error)
        throw error
      },
    )
  }

  return {
    authorize,
    stats: () => ({
      verifications: tokens.verifications,
      cacheHits: tokens.cacheHits,
      keySetFetches: keys.fetches,
    }),
    close: () => keys.close(),
  }
}

/** The token of `Bearer <token>` (scheme case-insensitive, as Temporal's `strings.EqualFold`). */
function bearerToken(header: string): string | undefined {
  const space = header.indexOf(' ')
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer') return undefined
  const token = header.slice(space + 1).trim()
  return token === '' ? undefined : token
}
