/**
 * The UI server as an OpenID Connect relying party: what it asks of the issuer, behind an
 * interface so that the session logic (ui-auth.ts) can be tested without one. The implementation
 * is openid-client-relying-party.ts.
 */

/** What a login must check when the browser comes back: kept server-side between the two. */
export interface LoginChecks {
  state: string
  nonce: string
  /** The PKCE verifier whose S256 challenge went in the authorization request. */
  codeVerifier: string
}

/** Who logged in, from the ID token (and the userinfo endpoint when the ID token is bare). */
export interface UserInfo {
  sub: string
  name?: string
  email?: string
}

/** The tokens of a login or of a refresh, with their expiry times in ms since the epoch. */
export interface TokenSet {
  accessToken: string
  /** When the access token expires; undefined when the issuer did not say (`expires_in`). */
  accessTokenExpiresAt: number | undefined
  /** Absent from a refresh answer that did not issue a new one. */
  idToken: string | undefined
  /** The ID token's `exp`. */
  idTokenExpiresAt: number | undefined
  /** Absent when the issuer gave none (Authentik: unless `offline_access` is asked for). */
  refreshToken: string | undefined
  /** Absent from a refresh answer without an ID token. */
  user: UserInfo | undefined
}

export interface RelyingParty {
  /** Resolves once the issuer's discovery document is loaded; rejects while it cannot be. */
  ready(): Promise<void>
  /** Where to send the browser to log in, and what to check when it comes back. */
  beginLogin(): Promise<{ url: URL; checks: LoginChecks }>
  /**
   * Exchanges the code in `callbackUrl` (the issuer's redirect, with its query) for tokens,
   * checking state, nonce and PKCE; rejects on any mismatch or an error answer.
   */
  completeLogin(callbackUrl: URL, checks: LoginChecks): Promise<TokenSet>
  /** New tokens for a refresh token; rejects when the issuer refuses it. */
  refresh(refreshToken: string): Promise<TokenSet>
  /**
   * The issuer's end_session_endpoint with the logout parameters, or undefined when the issuer
   * has none (or cannot be reached: logging out locally must still work).
   */
  endSessionUrl(idToken: string | undefined): Promise<URL | undefined>
}
