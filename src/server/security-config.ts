/**
 * The security settings of `sundial server start` (part of config.ts): TLS on the frontend's
 * ports, JWT authorization, the Web UI's OIDC login, CORS, and secrets read from files (what a
 * Kubernetes deployment mounts from its secret store).
 *
 * ```yaml
 * tls:                      # also accepted under `global:`, as Temporal nests it
 *   frontend:
 *     server:
 *       certFile: /etc/sundial/tls/tls.crt        # SUNDIAL_TLS_CERT_FILE, --tls-cert-file
 *       keyFile: /etc/sundial/tls/tls.key         # SUNDIAL_TLS_KEY_FILE, --tls-key-file
 *       clientCaFiles: [/etc/sundial/tls/ca.crt]  # or clientCAFiles; SUNDIAL_TLS_CLIENT_CA_FILES
 *       requireClientAuth: true                   # mTLS; SUNDIAL_TLS_REQUIRE_CLIENT_AUTH
 *       minVersion: "1.3"                         # default 1.2; SUNDIAL_TLS_MIN_VERSION
 *   refreshInterval: 5s     # how often the files are checked for a rotation
 *   internode: {}           # reserved for several nodes
 * authorization:            # also accepted under `global:`
 *   jwtKeyProvider:
 *     keySourceURIs: [https://sso.example.com/application/o/temporal/jwks.json]  # SUNDIAL_AUTH_KEY_SOURCE_URIS
 *     refreshInterval: 1m   # SUNDIAL_AUTH_REFRESH_INTERVAL
 *   permissionsClaimName: permissions   # SUNDIAL_AUTH_PERMISSIONS_CLAIM_NAME
 *   audience: temporal      # optional; SUNDIAL_AUTH_AUDIENCE
 *   authorizer: default     # '' (or no section): no authorization
 *   claimMapper: default
 * ui:
 *   auth:                   # OIDC login for the Web UI
 *     issuer: https://sso.example.com/application/o/temporal/   # SUNDIAL_UI_AUTH_ISSUER
 *     clientId: sundial-ui                                      # SUNDIAL_UI_AUTH_CLIENT_ID
 *     clientSecretFile: /etc/sundial/oidc/client-secret         # SUNDIAL_UI_AUTH_CLIENT_SECRET_FILE
 *     callbackUrl: https://sundial.example.com/auth/callback    # SUNDIAL_UI_AUTH_CALLBACK_URL
 *     scopes: [openid, profile, email]
 *     forwardToken: access  # or id: the token the API gets from the UI server
 * server:
 *   cors:
 *     allowOrigins: [https://ops.example.com]   # SUNDIAL_CORS_ALLOW_ORIGINS
 *   taskTokenKeyFile: /etc/sundial/task-token-key   # base64, 32 bytes or more; SUNDIAL_TASK_TOKEN_KEY_FILE
 * ```
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { parseDuration } from '../common/duration.js'

export type TlsMinVersion = '1.2' | '1.3'

export interface SecurityConfig {
  /** TLS on the gRPC, HTTP API and UI ports; plaintext when absent. */
  tls?: {
    certFile: string
    keyFile: string
    clientCaFiles: string[]
    requireClientAuth: boolean
    minVersion: TlsMinVersion
    /** How often the files are checked for changes; the TLS module's default when absent. */
    reloadIntervalMs?: number
  }
  /** JWT authorization with Temporal's default claim mapper and authorizer; none when absent. */
  authorization?: {
    keySourceUris: string[]
    refreshIntervalMs: number
    permissionsClaimName: string
    audience?: string
    authorizer: 'default'
    claimMapper: 'default'
  }
  /** The Web UI's OIDC login; none when absent. */
  uiAuth?: {
    issuerUrl: string
    clientId: string
    clientSecret?: string
    callbackUrl: string
    scopes: string[]
    /** The token the UI server sends the API: the access token (default) or the ID token. */
    forwardToken?: 'access' | 'id'
  }
  cors?: { allowOrigins: string[] }
  /** The task-token signing key, from a file. */
  taskTokenKey?: Buffer
}

/** Flags of `server start` for the common security settings. */
export interface SecurityFlags {
  tlsCertFile?: string
  tlsKeyFile?: string
  tlsClientCaFile?: string[]
  tlsRequireClientAuth?: boolean
  tlsMinVersion?: TlsMinVersion
  authKeySourceUri?: string[]
}

export class SecurityConfigError extends Error {}

const file = z.string().min(1)
const duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, 'not a duration (1m, 30s)')
const minVersion = z.enum(['1.2', '1.3'])
const reserved = (what: string) =>
  z
    .looseObject({})
    .refine((o) => Object.keys(o).length === 0, `${what} is not supported yet`)
    .optional()

export const tlsSchema = z
  .object({
    frontend: z
      .object({
        server: z
          .object({
            certFile: file,
            keyFile: file,
            clientCaFiles: z.array(file).optional(),
            clientCAFiles: z.array(file).optional(),
            requireClientAuth: z.boolean().optional(),
            minVersion: minVersion.optional(),
          })
          .strict(),
      })
      .strict()
      .optional(),
    minVersion: minVersion.optional(),
    refreshInterval: duration.optional(),
    internode: reserved('tls.internode (TLS between several nodes)'),
  })
  .strict()

export const authorizationSchema = z
  .object({
    jwtKeyProvider: z
      .object({
        keySourceURIs: z.array(z.url()).optional(),
        refreshInterval: duration.optional(),
      })
      .strict()
      .optional(),
    permissionsClaimName: z.string().min(1).optional(),
    audience: z.string().min(1).optional(),
    authorizer: z.enum(['default', '']).optional(),
    claimMapper: z.enum(['default', '']).optional(),
  })
  .strict()

export const uiSchema = z
  .object({
    auth: z
      .object({
        issuer: z.url().optional(),
        issuerUrl: z.url().optional(),
        clientId: z.string().min(1).optional(),
        clientSecret: z.string().min(1).optional(),
        clientSecretFile: file.optional(),
        callbackUrl: z.url().optional(),
        scopes: z.array(z.string().min(1)).optional(),
        forwardToken: z.enum(['access', 'id']).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()

export const corsSchema = z.object({ allowOrigins: z.array(z.string().min(1)) }).strict()

/** The sections of the config file this module reads (validated by config.ts's schema). */
export interface SecurityFileSections {
  tls?: z.infer<typeof tlsSchema>
  authorization?: z.infer<typeof authorizationSchema>
  global?: { tls?: z.infer<typeof tlsSchema>; authorization?: z.infer<typeof authorizationSchema> }
  ui?: z.infer<typeof uiSchema>
  cors?: z.infer<typeof corsSchema>
  taskTokenKeyFile?: string
}

const list = (s: string | undefined): string[] | undefined =>
  s === undefined
    ? undefined
    : s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '')

/** The settings in force: flags over SUNDIAL_* variables over the file. */
export function resolveSecurity(
  sections: SecurityFileSections,
  env: NodeJS.ProcessEnv,
  flags: SecurityFlags,
): SecurityConfig {
  const pick = <K extends 'tls' | 'authorization'>(key: K): SecurityFileSections[K] => {
    if (sections[key] && sections.global?.[key]) {
      throw new SecurityConfigError(`${key}: give it at the top level or under global, not both`)
    }
    return sections[key] ?? sections.global?.[key]
  }
  return {
    tls: resolveTls(pick('tls'), env, flags),
    authorization: resolveAuthorization(pick('authorization'), env, flags),
    uiAuth: resolveUiAuth(sections.ui?.auth, env),
    cors: resolveCors(sections.cors, env),
    taskTokenKey: resolveTaskTokenKey(sections.taskTokenKeyFile, env),
  }
}

function resolveTls(
  f: SecurityFileSections['tls'],
  env: NodeJS.ProcessEnv,
  flags: SecurityFlags,
): SecurityConfig['tls'] {
  const server = f?.frontend?.server
  const certFile = flags.tlsCertFile ?? env.SUNDIAL_TLS_CERT_FILE ?? server?.certFile
  const keyFile = flags.tlsKeyFile ?? env.SUNDIAL_TLS_KEY_FILE ?? server?.keyFile
  if (certFile === undefined && keyFile === undefined) return undefined
  if (!certFile || !keyFile) {
    throw new SecurityConfigError(
      'tls.frontend.server: certFile and keyFile go together (SUNDIAL_TLS_CERT_FILE, SUNDIAL_TLS_KEY_FILE)',
    )
  }
  const clientCaFiles = flags.tlsClientCaFile?.length
    ? flags.tlsClientCaFile
    : (list(env.SUNDIAL_TLS_CLIENT_CA_FILES) ?? [
        ...(server?.clientCaFiles ?? []),
        ...(server?.clientCAFiles ?? []),
      ])
  const requireClientAuth =
    flags.tlsRequireClientAuth ??
    envBoolean(env, 'SUNDIAL_TLS_REQUIRE_CLIENT_AUTH') ??
    server?.requireClientAuth ??
    false
  if (requireClientAuth && clientCaFiles.length === 0) {
    throw new SecurityConfigError(
      'tls.frontend.server.requireClientAuth: needs clientCaFiles, the CAs client certificates must chain to',
    )
  }
  const envMin = env.SUNDIAL_TLS_MIN_VERSION
  if (envMin !== undefined && !minVersion.safeParse(envMin).success) {
    throw new SecurityConfigError(`SUNDIAL_TLS_MIN_VERSION: "${envMin}" is not 1.2 or 1.3`)
  }
  return {
    certFile,
    keyFile,
    clientCaFiles,
    requireClientAuth,
    minVersion:
      flags.tlsMinVersion ??
      (envMin as TlsMinVersion | undefined) ??
      server?.minVersion ??
      f?.minVersion ??
      '1.2',
    reloadIntervalMs:
      f?.refreshInterval === undefined ? undefined : parseDuration(f.refreshInterval),
  }
}

function resolveAuthorization(
  f: SecurityFileSections['authorization'],
  env: NodeJS.ProcessEnv,
  flags: SecurityFlags,
): SecurityConfig['authorization'] {
  const uris = flags.authKeySourceUri?.length
    ? flags.authKeySourceUri
    : (list(env.SUNDIAL_AUTH_KEY_SOURCE_URIS) ?? f?.jwtKeyProvider?.keySourceURIs ?? [])
  const authorizer = env.SUNDIAL_AUTH_AUTHORIZER ?? f?.authorizer ?? (uris.length ? 'default' : '')
  if (authorizer === '') return undefined
  if (authorizer !== 'default') {
    throw new SecurityConfigError(`authorization.authorizer: "${authorizer}" is not default or ''`)
  }
  if (uris.length === 0) {
    throw new SecurityConfigError(
      'authorization.jwtKeyProvider.keySourceURIs: the default authorizer needs at least one JWKS URL (SUNDIAL_AUTH_KEY_SOURCE_URIS)',
    )
  }
  for (const uri of uris) {
    if (!/^https?:\/\//.test(uri)) {
      throw new SecurityConfigError(
        `authorization.jwtKeyProvider.keySourceURIs: ${uri} is not an http(s) URL`,
      )
    }
  }
  const refresh = env.SUNDIAL_AUTH_REFRESH_INTERVAL ?? f?.jwtKeyProvider?.refreshInterval ?? '1m'
  const refreshIntervalMs = parseDuration(refresh)
  if (refreshIntervalMs === undefined || refreshIntervalMs <= 0) {
    throw new SecurityConfigError(
      `authorization.jwtKeyProvider.refreshInterval: "${refresh}" is not a duration`,
    )
  }
  return {
    keySourceUris: uris,
    refreshIntervalMs,
    permissionsClaimName:
      env.SUNDIAL_AUTH_PERMISSIONS_CLAIM_NAME ?? f?.permissionsClaimName ?? 'permissions',
    audience: env.SUNDIAL_AUTH_AUDIENCE ?? f?.audience,
    authorizer: 'default',
    claimMapper: 'default',
  }
}

function resolveUiAuth(
  f: NonNullable<SecurityFileSections['ui']>['auth'],
  env: NodeJS.ProcessEnv,
): SecurityConfig['uiAuth'] {
  const issuerUrl = env.SUNDIAL_UI_AUTH_ISSUER ?? f?.issuer ?? f?.issuerUrl
  const clientId = env.SUNDIAL_UI_AUTH_CLIENT_ID ?? f?.clientId
  const callbackUrl = env.SUNDIAL_UI_AUTH_CALLBACK_URL ?? f?.callbackUrl
  if (issuerUrl === undefined && clientId === undefined && callbackUrl === undefined) {
    return undefined
  }
  if (!issuerUrl || !clientId || !callbackUrl) {
    throw new SecurityConfigError('ui.auth: issuer, clientId and callbackUrl are all needed')
  }
  const secretFile = env.SUNDIAL_UI_AUTH_CLIENT_SECRET_FILE ?? f?.clientSecretFile
  if (secretFile && f?.clientSecret) {
    throw new SecurityConfigError('ui.auth: give clientSecret or clientSecretFile, not both')
  }
  return {
    issuerUrl,
    clientId,
    clientSecret: secretFile ? secretFrom(secretFile, 'ui.auth.clientSecretFile') : f?.clientSecret,
    callbackUrl,
    scopes: list(env.SUNDIAL_UI_AUTH_SCOPES) ?? f?.scopes ?? ['openid', 'profile', 'email'],
    forwardToken: f?.forwardToken,
  }
}

function resolveCors(
  f: SecurityFileSections['cors'],
  env: NodeJS.ProcessEnv,
): SecurityConfig['cors'] {
  const origins = list(env.SUNDIAL_CORS_ALLOW_ORIGINS) ?? f?.allowOrigins
  if (!origins || origins.length === 0) return undefined
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/]+$/.test(origin)) {
      throw new SecurityConfigError(
        `server.cors.allowOrigins: "${origin}" is not an origin (scheme://host[:port], or *)`,
      )
    }
  }
  return { allowOrigins: origins }
}

function resolveTaskTokenKey(f: string | undefined, env: NodeJS.ProcessEnv): Buffer | undefined {
  const path = env.SUNDIAL_TASK_TOKEN_KEY_FILE ?? f
  if (path === undefined) return undefined
  const text = secretFrom(path, 'server.taskTokenKeyFile')
  const key = Buffer.from(text, 'base64')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length < 32) {
    throw new SecurityConfigError(
      `server.taskTokenKeyFile: ${path} must hold at least 32 bytes in base64 (openssl rand -base64 32)`,
    )
  }
  return key
}

/** A secret file's content without its final line break. */
export function secretFrom(path: string, key: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '')
  } catch (e: unknown) {
    throw new SecurityConfigError(`${key}: cannot read ${path}: ${(e as Error).message}`)
  }
}

function envBoolean(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const v = env[name]
  if (v === undefined) return undefined
  if (v !== 'true' && v !== 'false')
    throw new SecurityConfigError(`${name}: "${v}" is not true or false`)
  return v === 'true'
}
