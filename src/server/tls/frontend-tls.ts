/**
 * TLS and mutual TLS for the frontend's listeners (gRPC, HTTP API, Web UI), with the files
 * watched and reloaded (`tls-file-watcher.ts`): a rotated certificate or client CA applies to
 * new handshakes, without a restart and without touching open connections.
 *
 * Options follow Temporal's `global.tls.frontend` (`certFile`, `keyFile`, `clientCaFiles`,
 * `requireClientAuth`). As in Temporal (`common/rpc/encryption/tls_config_helper.go`), client
 * certificates are asked for only with `requireClientAuth`, and then a handshake without one
 * that chains to `clientCaFiles` is refused: Node cannot "verify if given", and accepting an
 * unverified certificate would invite an authorizer to trust it.
 *
 * gRPC: grpc-js applies `ServerCredentials` context options to its http2 server once at bind
 * and again, through `setSecureContext`, on every `updateSecureContextOptions`; that is the hook
 * used here. HTTP: the same options go to `https.createServer` and `setSecureContext`.
 */
import type { SecureServerOptions } from 'node:http2'
import type { SecureContextOptions } from 'node:tls'
import * as grpc from '@grpc/grpc-js'
import type { Logger } from 'pino'
import type { HttpServerTls } from '../../frontend/http/http-server.js'
import { TlsFileWatcher } from './tls-file-watcher.js'
import type { TlsMaterial } from './tls-material.js'

/** The `tls` section of the configuration, like Temporal's `global.tls`. */
export interface TlsConfig {
  /** The listeners clients and workers use. */
  frontend?: FrontendTlsOptions
  // `internode` (node-to-node calls, server and client sides) comes with several nodes.
}

export interface FrontendTlsOptions {
  /** PEM certificate chain served to clients, leaf first. */
  certFile: string
  /** PEM private key of that certificate (unencrypted). */
  keyFile: string
  /** PEM bundles of the CAs client certificates must chain to; needed by `requireClientAuth`. */
  clientCaFiles?: string[]
  /** Mutual TLS: refuse a handshake without a client certificate from `clientCaFiles`. */
  requireClientAuth?: boolean
  /** Oldest TLS version accepted; default '1.2'. */
  minVersion?: '1.2' | '1.3'
  /** How often the files are read for changes, in ms; default 2000. */
  reloadIntervalMs?: number
}

export const DEFAULT_TLS_RELOAD_INTERVAL_MS = 2000

export interface FrontendTls {
  /** For `bindGrpcServer({ credentials })`: kept up to date, usable by any number of ports. */
  readonly grpcCredentials: grpc.ServerCredentials
  /** For `startHttpServer({ tls })` and `bindWebEndpoints({ tls })`. */
  readonly http: HttpServerTls
  /** The material new handshakes get. */
  readonly current: TlsMaterial
  /** Checks the files now instead of at the next interval (a SIGHUP handler, tests). */
  reload(): Promise<void>
  /** Stops watching the files; listeners keep the material they have. */
  close(): void
}

/**
 * Loads and checks the files (throwing `TlsFileError`, which names the file, when they are
 * unusable) and starts watching them.
 */
export async function openFrontendTls(
  opts: FrontendTlsOptions,
  logger: Logger,
): Promise<FrontendTls> {
  const clientCaFiles = opts.clientCaFiles ?? []
  if (opts.requireClientAuth && clientCaFiles.length === 0) {
    // Without CAs Node would accept any client certificate signed by a public CA.
    throw new Error('TLS: requireClientAuth needs clientCaFiles')
  }
  const intervalMs = opts.reloadIntervalMs ?? DEFAULT_TLS_RELOAD_INTERVAL_MS
  if (!(intervalMs > 0)) {
    throw new Error(`TLS: reloadIntervalMs must be positive, not ${intervalMs}`)
  }
  const watcher = await TlsFileWatcher.open({
    files: { certFile: opts.certFile, keyFile: opts.keyFile, caFiles: clientCaFiles },
    intervalMs,
    logger,
    name: 'frontend',
  })
  const requireClientAuth = opts.requireClientAuth ?? false
  const minVersion = opts.minVersion === '1.3' ? 'TLSv1.3' : 'TLSv1.2'
  const serverOptions: SecureServerOptions = {
    requestCert: requireClientAuth,
    rejectUnauthorized: requireClientAuth,
  }
  // All that belongs to the secure context, since `setSecureContext` resets what is left out.
  const contextOptions = (m: TlsMaterial): SecureContextOptions => ({
    cert: m.cert,
    key: m.key,
    ca: m.ca.length > 0 ? m.ca : undefined,
    minVersion,
  })
  const grpcCredentials = new ReloadingServerCredentials(
    serverOptions,
    contextOptions(watcher.current),
  )
  watcher.onChange((m) => grpcCredentials.update(contextOptions(m)))
  logger.info(
    {
      certFile: opts.certFile,
      serialNumber: watcher.current.leaf.serialNumber,
      validTo: watcher.current.leaf.validTo,
      requireClientAuth,
      minVersion,
    },
    'frontend TLS material loaded',
  )
  return {
    grpcCredentials,
    http: {
      serverOptions: () => ({ ...serverOptions, ...contextOptions(watcher.current) }),
      onChange: (apply) => watcher.onChange((m) => apply(contextOptions(m))),
    },
    get current() {
      return watcher.current
    },
    reload: () => watcher.check(),
    close: () => watcher.close(),
  }
}

/** grpc-js credentials whose context options are replaced on each reload. */
class ReloadingServerCredentials extends grpc.ServerCredentials {
  update(options: SecureContextOptions): void {
    this.updateSecureContextOptions(options)
  }

  /** grpc-js compares credentials when a port is bound twice; only this very object is equal. */
  override _equals(other: grpc.ServerCredentials): boolean {
    return other === this
  }
}
