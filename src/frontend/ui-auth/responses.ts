/**
 * The UI server's own answers during login: JSON for the UI's calls, redirects, and a bare HTML
 * page for the few errors a person sees (a login that failed or expired). None may be cached:
 * they depend on the session.
 */
import type { ServerResponse } from 'node:http'

const NO_STORE = 'no-store'

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  cookies: string[] = [],
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': NO_STORE,
    ...(cookies.length > 0 ? { 'set-cookie': cookies } : {}),
  })
  res.end(JSON.stringify(body))
}

/** 302 after a GET, 303 after a POST (so the browser follows with a GET). */
export function redirect(
  res: ServerResponse,
  status: 302 | 303,
  location: string,
  cookies: string[] = [],
): void {
  res.writeHead(status, {
    location,
    'cache-control': NO_STORE,
    ...(cookies.length > 0 ? { 'set-cookie': cookies } : {}),
  })
  res.end()
}

/** A page with a heading, a line of text and, when given, a form posting to `action`. */
export function sendPage(
  res: ServerResponse,
  status: number,
  page: { title: string; text: string; link?: { href: string; label: string }; action?: string },
): void {
  const link = page.link
    ? `<p><a href="${escapeHtml(page.link.href)}">${escapeHtml(page.link.label)}</a></p>`
    : ''
  const form = page.action
    ? `<form method="post" action="${escapeHtml(page.action)}"><button>${escapeHtml(page.title)}</button></form>`
    : ''
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': NO_STORE,
    // No form-action: the logout form's answer redirects to the issuer, which form-action would
    // block in Chromium.
    'content-security-policy': "default-src 'none'",
  })
  res.end(
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escapeHtml(page.title)} · Sundial</title>` +
      `<h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.text)}</p>${form}${link}</html>`,
  )
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
