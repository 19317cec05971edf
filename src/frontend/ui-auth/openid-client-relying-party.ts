/**
 * The RelyingParty on openid-client 6: discovery at `<issuer>/.well-known/openid-configuration`,
 * loaded on first use and retried after a failure (the UI server starts even while the issuer
 * is down), then the authorization code flow with PKCE S256, state and nonce.
 */
import * as oidc from 'openid-client'
import type { Logger } from 'pino'
import type { LoginChecks, RelyingParty, TokenSet, UserInfo } from './relying-party.js'

export interface OpenidClientRelyingPartyOptions {
  issuerUrl: string
  clientId: string
  /** Confidential client (client_secret_basic); absent: a public client, PKCE alone. */
  clientSecret?: string
  callbackUrl: string
  scopes: string[]
  /** Where the issuer sends the browser after logout; must be registered there. */
  postLogoutRedirectUrl: string
  logger: Logger
  /** Milliseconds since the epoch, for expiry times. */
  now: () => number
}

export class OpenidClientRelyingParty implements RelyingParty {
  readonly #opts: OpenidClientRelyingPartyOptions
  #config: Promise<oidc.Configuration> | undefined

  constructor(opts: OpenidClientRelyingPartyOptions) {
    this.#opts = opts
  }

  async ready(): Promise<void> {
    await this.#configuration()
  }

  async beginLogin(): Promise<{ url: URL; checks: LoginChecks }> {
    const config = await this.#configuration()
    const checks: LoginChecks = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
    }
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.#opts.callbackUrl,
      scope: this.#opts.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
    })
    return { url, checks }
  }

  async completeLogin(callbackUrl: URL, checks: LoginChecks): Promise<TokenSet> {
    const config = await this.#configuration()
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    })
    const set = this.#tokenSet(tokens)
    if (set.user && set.user.name === undefined && set.user.email === undefined) {
      set.user = await this.#withUserinfo(config, tokens.access_token, set.user)
    }
    return set
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    return this.#tokenSet(await oidc.refreshTokenGrant(await this.#configuration(), refreshToken))
  }

  async endSessionUrl(idToken: string | undefined): Promise<URL | undefined> {
    let config: oidc.Configuration
    try {
      config = await this.#configuration()
    } catch {
      return undefined
    }
    if (!config.serverMetadata().end_session_endpoint) return undefined
    const params: Record<string, string> = {
      post_logout_redirect_uri: this.#opts.postLogoutRedirectUrl,
    }
    if (idToken) params.id_token_hint = idToken
    return oidc.buildEndSessionUrl(config, params)
  }

  #configuration(): Promise<oidc.Configuration> {
    this.#config ??= this.#discover().catch((e: unknown) => {
      this.#config = undefined
      throw e
    })
    return this.#config
  }

  async #discover(): Promise<oidc.Configuration> {
    const { issuerUrl, clientId, clientSecret, logger } = this.#opts
    const issuer = new URL(issuerUrl)
    const insecure = issuer.protocol === 'http:'
    if (insecure) {
      logger.warn({ issuer: issuerUrl }, 'Web UI login: the OIDC issuer is reached over plain http')
    }
    const config = await oidc.discovery(
      issuer,
      clientId,
      { redirect_uris: [this.#opts.callbackUrl], response_types: ['code'] },
      clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(clientSecret),
      { execute: insecure ? [oidc.allowInsecureRequests] : [], timeout: 10 },
    )
    logger.info({ issuer: issuerUrl }, 'Web UI login: OIDC issuer discovered')
    return config
  }

  #tokenSet(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): TokenSet {
    const now = this.#opts.now()
    const expiresIn = tokens.expiresIn()
    const claims = tokens.claims()
    return {
      accessToken: tokens.access_token,
      accessTokenExpiresAt: expiresIn === undefined ? undefined : now + expiresIn * 1000,
      idToken: tokens.id_token,
      idTokenExpiresAt: claims ? claims.exp * 1000 : undefined,
      refreshToken: tokens.refresh_token,
      user: claims && userOf(claims),
    }
  }

  /**
   * Name and email from the userinfo endpoint, for issuers whose ID tokens carry only `sub`.
   * Best effort: an access token meant for another audience may be refused there.
   */
  async #withUserinfo(
    config: oidc.Configuration,
    accessToken: string,
    user: UserInfo,
  ): Promise<UserInfo> {
    try {
      return userOf(await oidc.fetchUserInfo(config, accessToken, user.sub))
    } catch (e: unknown) {
      this.#opts.logger.debug({ err: e }, 'Web UI login: no userinfo; showing the subject')
      return user
    }
  }
}

function userOf(claims: { sub: string; [claim: string]: unknown }): UserInfo {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined)
  return {
    sub: claims.sub,
    name: str(claims.name) ?? str(claims.preferred_username),
    email: str(claims.email),
  }
}
