/**
 * The HTTP side of a server: Temporal's HTTP/JSON API on its own port, and the Web UI (assets
 * plus the same API under `/api/`) on another. Both answer through one API handler built over
 * the gRPC handler maps, so the three ports behave alike. Like the gRPC port, both are bound
 * before the store is opened and answer UNAVAILABLE until `serve` gives them the handlers.
 * With TLS both serve HTTPS with the same material as the gRPC port.
 */
import type { Logger } from 'pino'
import { UnavailableError } from '../common/errors.js'
import { createHttpApi, type HttpApiDeps, type HttpApiHandler } from '../frontend/http/http-api.js'
import {
  startHttpServer,
  type HttpServer,
  type HttpServerTls,
} from '../frontend/http/http-server.js'
import { createUiAuth, type UiAuthOptions } from '../frontend/ui-auth/ui-auth.js'
import { createUiHandler } from '../frontend/ui-server.js'

export interface WebEndpointsOptions {
  /** Default interface for both. */
  host: string
  http?: { host?: string; port: number }
  ui?: { host?: string; port: number }
  logger: Logger
  /** HTTPS for both (the frontend's TLS material); plain HTTP when absent. */
  tls?: HttpServerTls
  /** An OIDC login in front of the Web UI and its `/api/`; none when absent. */
  uiAuth?: UiAuthOptions
}

export interface WebEndpoints {
  readonly httpPort?: number
  readonly uiPort?: number
  /** Starts answering API calls through these handlers. */
  serve(api: HttpApiDeps): void
  close(): Promise<void>
}

export async function bindWebEndpoints(opts: WebEndpointsOptions): Promise<WebEndpoints> {
  const starting = createHttpApi({
    workflowService: {},
    operatorService: {},
    logger: opts.logger,
    maxBodyBytes: 0,
    refusal: () => new UnavailableError('the server is starting, please retry'),
  })
  let api: HttpApiHandler = starting
  const viaApi: HttpApiHandler = (req, res, signal) => api(req, res, signal)
  const servers: HttpServer[] = []
  const close = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.close()))
  }
  try {
    const start = async (where: { host?: string; port: number }, name: string, handle = viaApi) => {
      const server = await startHttpServer({
        host: where.host ?? opts.host,
        port: where.port,
        logger: opts.logger,
        name,
        handle,
        tls: opts.tls,
      })
      servers.push(server)
      return server.port
    }
    const httpPort = opts.http && (await start(opts.http, 'HTTP API'))
    const uiAuth = opts.uiAuth && createUiAuth(opts.uiAuth, { logger: opts.logger })
    const uiPort =
      opts.ui && (await start(opts.ui, 'Web UI', createUiHandler(viaApi, undefined, uiAuth)))
    return {
      httpPort,
      uiPort,
      serve(deps) {
        api = createHttpApi(deps)
      },
      close,
    }
  } catch (e: unknown) {
    await close()
    throw e
  }
}
