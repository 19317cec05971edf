/**
 * The two cookie operations the UI's login needs, after RFC 6265: reading the `cookie` request
 * header and writing one `set-cookie` value. Names and values here are our own (random base64url
 * ids), so no encoding beyond what RFC 6265's cookie-octet allows is needed.
 */

export interface CookieAttributes {
  /** Seconds until the browser drops it; 0 deletes it now; absent: until the browser closes. */
  maxAgeSeconds?: number
  /** Only over https (and, in Chromium and Firefox, on http://localhost and 127.0.0.1). */
  secure: boolean
}

/**
 * The cookies of a request by name. A name sent twice (a cookie for `/` and one for a deeper
 * path) keeps the first, which browsers send for the longest path.
 */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>()
  if (!header) return out
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const name = part.slice(0, eq).trim()
    let value = part.slice(eq + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1)
    if (name !== '' && !out.has(name)) out.set(name, value)
  }
  return out
}

/** A cookie-octet run: RFC 6265 section 4.1.1, without quotes. */
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * One `set-cookie` value. Always `HttpOnly` (page scripts never need the session id),
 * `SameSite=Lax` (sent on top-level navigations, such as the issuer's redirect back, but not on
 * cross-site POSTs or fetches) and `Path=/`.
 */
export function serializeCookie(name: string, value: string, attrs: CookieAttributes): string {
  if (!COOKIE_NAME.test(name)) throw new TypeError(`invalid cookie name: ${name}`)
  if (!COOKIE_VALUE.test(value)) throw new TypeError(`invalid cookie value for ${name}`)
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax']
  if (attrs.secure) parts.push('Secure')
  if (attrs.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.floor(attrs.maxAgeSeconds)}`)
  return parts.join('; ')
}
