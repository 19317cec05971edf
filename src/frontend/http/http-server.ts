/**
 * A plain HTTP server for the HTTP API and the Web UI: binds, hands each request to `handle`
 * with a signal that server shutdown aborts (so long polls return), and on close waits for the
 * requests in flight before cutting what is left.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Logger } from 'pino'

export interface HttpServerOptions {
  host: string
  port: number
  logger: Logger
  /** What the server is, for logs (`HTTP API`, `Web UI`). */
  name: string
  handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void>
  /** How long `close()` waits for requests in flight; default 5000 ms. */
  shutdownGraceMs?: number
}

export interface HttpServer {
  readonly port: number
  close(): Promise<void>
}

export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const shutdown = new AbortController()
  const server = createServer((req, res) => {
    opts.handle(req, res, shutdown.signal).catch((e: unknown) => {
      opts.logger.error({ err: e, url: req.url }, `${opts.name}: request failed`)
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject)
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : opts.port)
    })
  })
  opts.logger.info({ host: opts.host, port }, `${opts.name} listening`)
  let closing: Promise<void> | undefined
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
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
