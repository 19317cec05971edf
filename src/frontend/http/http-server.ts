/**
 * The HTTP server for the HTTP API and the Web UI, plain or HTTPS: binds, hands each request to
 * `handle` with a signal that server shutdown aborts (so long polls return), and on close waits
 * for the requests in flight before cutting what is left. With TLS, new certificate material
 * applies to new handshakes only; open connections keep theirs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type ServerOptions } from 'node:https'
import type { SecureContextOptions } from 'node:tls'
import type { Logger } from 'pino'

/** TLS for the port, as `server/tls/frontend-tls.ts` provides it. */
export interface HttpServerTls {
  /** Options for `https.createServer`: material, TLS versions, client-certificate policy. */
  serverOptions(): ServerOptions
  /**
   * Calls `apply` with the secure-context options of new material each time it changes;
   * returns a function that stops it.
   */
  onChange(apply: (options: SecureContextOptions) => void): () => void
}

export interface HttpServerOptions {
  host: string
  port: number
  logger: Logger
  /** What the server is, for logs (`HTTP API`, `Web UI`). */
  name: string
  handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void>
  /** How long `close()` waits for requests in flight; default 5000 ms. */
  shutdownGraceMs?: number
  /** Serve HTTPS; plain HTTP when absent. */
  tls?: HttpServerTls
}

export interface HttpServer {
  readonly port: number
  close(): Promise<void>
}

export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const shutdown = new AbortController()
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    opts.handle(req, res, shutdown.signal).catch((e: unknown) => {
      opts.logger.error({ err: e, url: req.url }, `${opts.name}: request failed`)
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  }
  let server: Server
  let stopReloading = (): void => {}
  if (opts.tls) {
    const https = createHttpsServer(opts.tls.serverOptions(), onRequest)
    stopReloading = opts.tls.onChange((options) => https.setSecureContext(options))
    https.on('tlsClientError', (err, socket) => {
      // A failed handshake (no or untrusted client certificate, old TLS version, plaintext).
      opts.logger.debug({ err, remote: socket.remoteAddress }, `${opts.name}: TLS handshake failed`)
      socket.destroy()
    })
    server = https
  } else {
    server = createServer(onRequest)
  }
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject)
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : opts.port)
    })
  }).catch((e: unknown) => {
    stopReloading()
    throw e
  })
  opts.logger.info({ host: opts.host, port, tls: opts.tls !== undefined }, `${opts.name} listening`)
  let closing: Promise<void> | undefined
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        stopReloading()
        const grace = setTimeout(() => server.closeAllConnections(), opts.shutdownGraceMs ?? 5000)
        server.close(() => {
          clearTimeout(grace)
          resolve()
        })
        shutdown.abort()
        server.closeIdleConnections()
      })
      return closing
    },
  }
}
