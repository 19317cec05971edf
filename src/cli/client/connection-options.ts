/**
 * What a client command connects with, from its flags and the TEMPORAL_* environment (commander
 * has already merged the two): address, TLS material read from its files, API key and headers.
 */
import { readFileSync } from 'node:fs'
import { CliError } from './cli-error.js'
import type { ClientFlags } from './options.js'

/** How to reach the server; `session.ts` turns it into a `Connection`. */
export interface ConnectionPlan {
  address: string
  /** Present when the connection uses TLS. */
  tls?: {
    serverNameOverride?: string
    serverRootCACertificate?: Buffer
    clientCertPair?: { crt: Buffer; key: Buffer }
    /** Accept a certificate issued for another host name (`--tls-disable-host-verification`). */
    skipHostVerification: boolean
  }
  apiKey?: string
  metadata: Record<string, string>
  connectTimeoutMs: number
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000

/** The plan for `flags`; TLS files are read here, so a bad path fails before connecting. */
export function connectionPlan(flags: ClientFlags): ConnectionPlan {
  const tlsFlagGiven = Boolean(
    flags.tlsCertPath ||
    flags.tlsKeyPath ||
    flags.tlsCaPath ||
    flags.tlsServerName ||
    flags.tlsDisableHostVerification,
  )
  // As in Temporal's CLI: TLS is on when asked for, or implied by TLS material or an API key.
  const useTls = flags.tls ?? (tlsFlagGiven || Boolean(flags.apiKey))
  if (flags.tls === false && tlsFlagGiven) {
    throw new CliError('--tls=false cannot be combined with other --tls-* flags')
  }
  if (Boolean(flags.tlsCertPath) !== Boolean(flags.tlsKeyPath)) {
    throw new CliError('--tls-cert-path and --tls-key-path must be given together')
  }
  const metadata: Record<string, string> = {}
  for (const [key, value] of flags.grpcMeta) metadata[key.toLowerCase()] = value
  return {
    address: flags.address,
    tls: useTls
      ? {
          serverNameOverride: flags.tlsServerName,
          serverRootCACertificate: flags.tlsCaPath
            ? readFlagFile('--tls-ca-path', flags.tlsCaPath)
            : undefined,
          clientCertPair:
            flags.tlsCertPath && flags.tlsKeyPath
              ? {
                  crt: readFlagFile('--tls-cert-path', flags.tlsCertPath),
                  key: readFlagFile('--tls-key-path', flags.tlsKeyPath),
                }
              : undefined,
          skipHostVerification: flags.tlsDisableHostVerification ?? false,
        }
      : undefined,
    apiKey: flags.apiKey || undefined,
    metadata,
    connectTimeoutMs: Math.min(
      flags.clientConnectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
      flags.commandTimeout ?? Infinity,
    ),
  }
}

/** A file a flag names, or an error that says which flag and why. */
export function readFlagFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path)
  } catch (e: unknown) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message
    throw new CliError(`cannot read the ${flag} file ${path}: ${describeFsError(reason)}`)
  }
}

function describeFsError(code: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file'
    case 'EACCES':
      return 'permission denied'
    case 'EISDIR':
      return 'it is a directory'
    default:
      return code
  }
}
