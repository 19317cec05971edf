/**
 * The logged-in user and Log out, at the end of the header; nothing when the UI server has no
 * login. Log out is a form POST, which the server checks comes from this origin: a GET link
 * could be followed by any page that embeds it.
 */
import { useEffect } from 'preact/hooks'
import { goToLogin, loadMe } from '../api/auth.js'
import { useLoad } from '../use-load.js'

export function UserMenu() {
  const { data: me } = useLoad((signal) => loadMe(signal), [])
  // The session ended after the page loaded: the login brings the user back here.
  useEffect(() => {
    if (me && !me.loggedIn) goToLogin()
  }, [me])
  if (!me?.loggedIn) return null
  return (
    <form class="user-menu" method="post" action="/auth/logout">
      <span class="user" title={me.email ?? me.sub}>
        {me.name ?? me.email ?? me.sub}
      </span>
      <button type="submit" class="link">
        Log out
      </button>
    </form>
  )
}
