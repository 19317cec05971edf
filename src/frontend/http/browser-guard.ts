/**
 * What keeps a web page the user happens to visit from acting on a Sundial it can reach (a
 * local server, say): the HTTP API takes JSON bodies only, so a cross-site form or a "simple"
 * fetch cannot send one without a CORS preflight, and a request that changes state from another
 * origin is refused unless that origin is configured. Reads stay open to scripts elsewhere only
 * through CORS, which is off unless origins are configured.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface CorsOptions {
  /** Origins (`https://app.example.com`) whose pages may call the API; `*` for any. */
  allowOrigins: string[]
}

/** A refusal: the HTTP status and the message of the error answered. */
export interface BrowserRefusal {
  status: 415 | 403
  message: string
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const ALLOWED_HEADERS =
  'authorization, content-type, temporal-namespace, client-name, client-version'
const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE'

/**
 * Why the request must not run, if it must not: a body that is not JSON (415), or a
 * state-changing request from a page of another origin that CORS does not allow (403).
 */
export function browserRefusal(
  req: IncomingMessage,
  cors: CorsOptions | undefined,
): BrowserRefusal | undefined {
  const method = req.method ?? 'GET'
  if (SAFE_METHODS.has(method)) return undefined
  const type = req.headers['content-type']
  if (hasBody(req) || type !== undefined) {
    if (!type || !/^application\/json\s*(;|$)/i.test(type)) {
      return {
        status: 415,
        message: `the request body must be application/json${type ? `, not ${type}` : ''}`,
      }
    }
  }
  const origin = req.headers.origin
  if (origin !== undefined && !sameOrigin(origin, req) && !allowed(origin, cors)) {
    return { status: 403, message: `cross-origin request from ${origin} refused` }
  }
  return undefined
}

/**
 * Adds the CORS headers for an allowed origin; answers a preflight (true: the response is
 * sent). Without configured origins nothing is added, so browsers keep other origins out.
 */
export function handleCors(
  req: IncomingMessage,
  res: ServerResponse,
  cors: CorsOptions | undefined,
): boolean {
  const origin = req.headers.origin
  if (origin === undefined || !allowed(origin, cors)) return false
  res.setHeader('access-control-allow-origin', origin)
  res.setHeader('vary', 'Origin')
  if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) return false
  res.writeHead(204, {
    'access-control-allow-methods': ALLOWED_METHODS,
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-max-age': '600',
  })
  res.end()
  return true
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined
}

/** The page's origin is the server's own (the Web UI calling its `/api/`). */
function sameOrigin(origin: string, req: IncomingMessage): boolean {
  if (origin === 'null') return false
  try {
    return new URL(origin).host === req.headers.host
  } catch {
    return false
  }
}

function allowed(origin: string, cors: CorsOptions | undefined): boolean {
  if (!cors || origin === 'null') return false
  return cors.allowOrigins.includes('*') || cors.allowOrigins.includes(origin)
}
