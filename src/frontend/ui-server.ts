/**
 * The Web UI's server: the built assets (`dist/ui`, produced by `npm run build` from `ui/`) with
 * index.html for every other path, so deep links work, and the HTTP API under `/api/` on the
 * same origin, answered by the same handler as the HTTP API port (no CORS, no second port for
 * the browser to know).
 *
 * With a `UiAuth` (ui-auth/ui-auth.ts), every request passes through the login first: `/auth/*`
 * is its routes, and API calls reach `api` with the logged-in user's token. Without one, `/auth/*`
 * answers 404, which is how the UI knows there is no login to show.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import sirv from 'sirv'
import type { HttpApiHandler } from './http/http-api.js'
import type { UiAuth } from './ui-auth/ui-auth.js'

/** Where the build puts the UI, relative to this module in dist/src/frontend. */
export const UI_ASSETS_DIR = fileURLToPath(new URL('../../ui', import.meta.url))

export function createUiHandler(
  api: HttpApiHandler,
  assetsDir = UI_ASSETS_DIR,
  auth?: UiAuth,
): HttpApiHandler {
  const built = existsSync(assetsDir)
  const assets = built
    ? sirv(assetsDir, {
        single: true,
        etag: true,
        // Vite names built assets by content hash: they never change under the same URL.
        setHeaders(res, path) {
          if (path.startsWith('/assets/')) {
            res.setHeader('cache-control', 'public, max-age=31536000, immutable')
          }
        },
      })
    : undefined
  const serve: HttpApiHandler = async (req, res, signal) => {
    if (req.url?.startsWith('/api/')) return api(req, res, signal)
    if (!assets) {
      res.writeHead(503, { 'content-type': 'text/plain' })
      res.end('The Web UI is not built: run `npm run build`.\n')
      return
    }
    await new Promise<void>((resolve) => {
      res.once('finish', resolve)
      res.once('close', resolve)
      assets(req, res, () => {
        // sirv's `single` mode does not fall back for paths whose last segment looks like a
        // file (`/namespaces/acme.prod`, a task queue `orders.v1`): outside /assets/, every page
        // path is the app's, so index.html answers it.
        if ((req.method === 'GET' || req.method === 'HEAD') && !req.url?.startsWith('/assets/')) {
          req.url = '/'
          assets(req, res, () => void res.writeHead(404).end())
        } else {
          res.writeHead(404).end()
        }
      })
    })
  }
  if (auth) return (req, res, signal) => auth.handle(req, res, () => serve(req, res, signal))
  return (req, res, signal) => {
    if (req.url?.startsWith('/auth/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('The Web UI has no login.\n')
      return Promise.resolve()
    }
    return serve(req, res, signal)
  }
}
