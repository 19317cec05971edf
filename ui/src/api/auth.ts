/**
 * The UI server's login, when it has one (`/auth/*`, outside the HTTP API): who is logged in,
 * and the way back to the login when the session has ended. A UI server without a login
 * answers 404 there, and the UI then shows no user and no Log out.
 */

/** `/auth/me`: who is logged in. */
export type Me =
  { loggedIn: false } | { loggedIn: true; sub: string; name?: string; email?: string }

/** Who is logged in; undefined when the UI server has no login. */
export async function loadMe(signal?: AbortSignal): Promise<Me | undefined> {
  const res = await fetch('/auth/me', { headers: { accept: 'application/json' }, signal })
  if (!res.ok || !(res.headers.get('content-type') ?? '').includes('application/json')) {
    return undefined
  }
  return (await res.json()) as Me
}

let leaving = false

/**
 * Leaves for the login, which brings the user back to this page. Once only: several calls fail
 * together when a session ends.
 */
export function goToLogin(loginPath = '/auth/login'): void {
  if (leaving) return
  leaving = true
  const back = location.pathname + location.search
  location.assign(`${loginPath}?returnTo=${encodeURIComponent(back)}`)
}
