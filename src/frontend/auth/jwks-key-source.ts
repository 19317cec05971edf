/**
 * The public keys tokens are verified with: the JSON Web Key Sets at the configured URIs, read at
 * start, again every refresh interval (as Temporal's `defaultTokenKeyProvider`), and early when a
 * token names a key no set has (a rotation published since the last read), at most once per
 * cooldown so that tokens with made-up key ids cannot make the server hammer the key source.
 */
import { readFile } from 'node:fs/promises'
import {
  createLocalJWKSet,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWK,
  type JWSHeaderParameters,
  type CryptoKey,
} from 'jose'
import type { Logger } from 'pino'
import { ensureError } from '../../common/errors.js'

/** A key set larger than this is refused (a misconfigured URI, not a key set). */
const MAX_KEY_SET_BYTES = 1024 * 1024
const FETCH_TIMEOUT_MS = 10_000

export interface JwksKeySourceOptions {
  /** `https://`, `http://` or `file://` URIs of JSON Web Key Sets; their keys are merged. */
  readonly uris: readonly string[]
  /** How often every set is read again. */
  readonly refreshIntervalMs: number
  /** The least time between two reads caused by a token with an unknown key id. */
  readonly refetchCooldownMs: number
  readonly logger: Logger
  readonly now: () => number
  /** Called after a read that dropped a key the previous read had (a revocation). */
  readonly onKeysRemoved?: () => void
}

export class JwksKeySource {
  /** Completed reads of all the sets (the first one included). */
  fetches = 0
  private keySet = createLocalJWKSet({ keys: [] })
  /** The last keys read from each URI; a URI that fails keeps its previous keys. */
  private readonly keysByUri = new Map<string, readonly JWK[]>()
  private readonly ready: Promise<void>
  private loading: Promise<void> | undefined
  private lastLoadStartedAt = -Infinity
  private readonly timer: NodeJS.Timeout

  constructor(private readonly options: JwksKeySourceOptions) {
    this.ready = this.reload()
    this.timer = setInterval(() => void this.reload(), options.refreshIntervalMs)
    this.timer.unref()
  }

  /**
   * jose's key resolver (`jwtVerify(token, source.getKey)`). Waits for the first read; on a
   * token whose key is in no set, reads the sets again if the cooldown allows, then retries.
   */
  readonly getKey = async (
    header: JWSHeaderParameters,
    token: FlattenedJWSInput,
  ): Promise<CryptoKey> => {
    await this.ready
    try {
      return await this.keySet(header, token)
    } catch (e: unknown) {
      const coolingDown =
        this.options.now() - this.lastLoadStartedAt < this.options.refetchCooldownMs
      if (!isNoMatchingKey(e) || coolingDown) throw e
      await this.reload()
      return await this.keySet(header, token)
    }
  }

  /** Stops the periodic refresh. */
  close(): void {
    clearInterval(this.timer)
  }

  /** Reads every set again; concurrent callers share one read. Never rejects. */
  private reload(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined
    })
    return this.loading
  }

  private async load(): Promise<void> {
    this.lastLoadStartedAt = this.options.now()
    const { uris, logger } = this.options
    const results = await Promise.allSettled(uris.map((uri) => readKeySet(uri)))
    const before = this.allKeys()
    results.forEach((result, i) => {
      const uri = uris[i] ?? ''
      if (result.status === 'fulfilled') this.keysByUri.set(uri, result.value)
      else logger.error({ err: ensureError(result.reason), uri }, 'cannot read the JWT key set')
    })
    const keys = this.allKeys()
    this.keySet = createLocalJWKSet({ keys: [...keys.values()] })
    this.fetches++
    if ([...before.keys()].some((k) => !keys.has(k))) this.options.onKeysRemoved?.()
  }

  /** Every key, by its JSON (to tell which keys a read dropped). */
  private allKeys(): Map<string, JWK> {
    const keys = new Map<string, JWK>()
    for (const list of this.keysByUri.values()) for (const k of list) keys.set(JSON.stringify(k), k)
    return keys
  }
}

function isNoMatchingKey(e: unknown): boolean {
  return e instanceof Error && 'code' in e && e.code === 'ERR_JWKS_NO_MATCHING_KEY'
}

async function readKeySet(uri: string): Promise<JWK[]> {
  const url = new URL(uri)
  let text: string
  if (url.protocol === 'file:') {
    text = await readFile(url, 'utf8')
  } else if (url.protocol === 'https:' || url.protocol === 'http:') {
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      redirect: 'follow',
    })
    if (!response.ok) throw new Error(`HTTP ${response.status} from ${url.origin}${url.pathname}`)
    text = await response.text()
  } else {
    throw new Error(`unsupported key set URI scheme ${url.protocol}`)
  }
  if (text.length > MAX_KEY_SET_BYTES) throw new Error('the key set is too large')
  const body = JSON.parse(text) as Partial<JSONWebKeySet> | null
  if (body === null || typeof body !== 'object' || !Array.isArray(body.keys)) {
    throw new Error('not a JSON Web Key Set (no "keys" array)')
  }
  // Public signing keys only: a symmetric or private key in a published set is a mistake, and
  // taking it would let whoever can read the set sign tokens.
  return body.keys.filter(
    (k): k is JWK =>
      k !== null &&
      typeof k === 'object' &&
      typeof k.kty === 'string' &&
      k.kty !== 'oct' &&
      k.d === undefined,
  )
}
