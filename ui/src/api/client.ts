/**
 * The HTTP side of the UI: every call goes to Temporal's HTTP API on the same origin
 * (`/api/v1/...`), so the UI needs no CORS and no configuration of where the server is.
 * With a login on the UI server, the session cookie goes along and the server adds the token.
 */
import { goToLogin } from './auth.js'

/** A failed call, as the server describes it: `{ code, message, details }` (gRPC code). */
export class ApiError extends Error {
  constructor(
    /** The HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** The gRPC status code from the body, when it had one. */
    readonly code: number | undefined,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** Query-string values; `undefined` and `''` are left out. */
export type Params = Record<string, string | number | boolean | undefined>

const API_PREFIX = '/api/v1'

/** One path segment, escaped: workflow ids may hold `/`, `?`, `#` or spaces. */
export const seg = (s: string) => encodeURIComponent(s)

/** Recorded as the identity of every change the UI makes, as Temporal's UI does. */
export const IDENTITY = 'sundial-ui'

function apiUrl(path: string, params: Params): string {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== '') qs.set(k, String(v))
  }
  const query = qs.size > 0 ? `?${qs.toString()}` : ''
  return `${API_PREFIX}${path}${query}`
}

export function apiGet<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  return call<T>(apiUrl(path, params), { signal })
}

/** A DELETE: its request fields go in the query string, as for a GET. */
export function apiDelete<T>(path: string, params: Params = {}): Promise<T> {
  return call<T>(apiUrl(path, params), { method: 'DELETE' })
}

export function apiPost<T>(path: string, body: object, signal?: AbortSignal): Promise<T> {
  return call<T>(`${API_PREFIX}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  })
}

async function call<T>(url: string, init: RequestInit): Promise<T> {
  let res: Response
  try {
    res = await fetch(url, { ...init, headers: { accept: 'application/json', ...init.headers } })
  } catch (e: unknown) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e
    throw new ApiError(0, undefined, `cannot reach the server: ${String(e)}`)
  }
  const text = await res.text()
  let body: unknown
  try {
    body = text === '' ? {} : JSON.parse(text)
  } catch {
    body = undefined
  }
  if (!res.ok) {
    const err = body as { code?: number; message?: string; login?: string } | undefined
    // The UI server's own 401 (its session ended) names the login; a 401 from the API behind it
    // (a token the API refuses) does not, and logging in again would not help there.
    if (res.status === 401 && typeof err?.login === 'string') goToLogin(err.login)
    throw new ApiError(res.status, err?.code, err?.message ?? (text || res.statusText))
  }
  if (body === undefined) throw new ApiError(res.status, undefined, 'the server sent no JSON')
  return body as T
}

/**
 * A version-4 UUID for request and update ids. `crypto.randomUUID` exists only in secure
 * contexts, and the UI may be opened over plain HTTP on a LAN address.
 */
export function randomId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
