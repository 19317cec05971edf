/**
 * Where a login returns to: only a path on this server, never another site (an open redirect
 * would let a link through our login land the user on a look-alike page) and never the login
 * routes themselves (a loop).
 */
const BASE = 'http://return-to.invalid'

export function safeReturnTo(value: string | null | undefined): string {
  // `//host` and `/\host` are other hosts to a browser; the URL parser would silently drop tabs
  // and newlines, so control characters are refused before it sees them.
  if (!value || !value.startsWith('/') || /^\/[/\\]/.test(value) || hasControlCharacter(value)) {
    return '/'
  }
  let url: URL
  try {
    url = new URL(value, BASE)
  } catch {
    return '/'
  }
  if (url.origin !== BASE || url.pathname.startsWith('/auth/')) return '/'
  return url.pathname + url.search + url.hash
}

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) return true
  }
  return false
}
