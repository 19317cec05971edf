/**
 * The HTTP side of a server: Temporal's HTTP/JSON API on its own port, and the Web UI (assets
 * plus the same API under `/api/`) on another. Both answer through one API handler built over
 * the gRPC handler maps, so the three ports behave alike.
 */
import type { Logger } from 'pino'
import { createHttpApi, type HttpApiDeps } from '../frontend/http/http-api.js'
import { startHttpServer, type HttpServer } from '../frontend/http/http-server.js'
import { createUiHandler } from '../frontend/ui-server.js'

export interface WebEndpointsOptions {
  /** Default interface for both. */
  host: string
  http?: { host?: string; port: number }
  ui?: { host?: string; port: number }
  logger: Logger
  api: HttpApiDeps
}

export interface WebEndpoints {
  readonly httpPort?: number
  readonly uiPort?: number
  close(): Promise<void>
}

export async function startWebEndpoints(opts: WebEndpointsOptions): Promise<WebEndpoints> {
  const api = createHttpApi(opts.api)
  const servers: HttpServer[] = []
  const close = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.close()))
  }
  try {
    const start = async (where: { host?: string; port: number }, name: string, handle = api) => {
      const server = await startHttpServer({
        host: where.host ?? opts.host,
        port: where.port,
        logger: opts.logger,
        name,
        handle,
      })
      servers.push(server)
      return server.port
    }
    const httpPort = opts.http && (await start(opts.http, 'HTTP API'))
    const uiPort = opts.ui && (await start(opts.ui, 'Web UI', createUiHandler(api)))
    return { httpPort, uiPort, close }
  } catch (e: unknown) {
    await close()
    throw e
  }
}
