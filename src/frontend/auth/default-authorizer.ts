/**
 * Temporal's default authorizer (`common/authorization/default_authorizer.go`): a pure decision
 * from the caller's claims and the method's metadata.
 */
import { WORKFLOW_SERVICE } from '../service-definitions.js'
import type { CallTarget } from './call-authorizer.js'
import { Role, type Claims } from './claims.js'
import { methodMetadata, WORKER_APIS, type Access } from './method-metadata.js'

/**
 * Read-only calls without sensitive information, allowed to everyone, with or without claims
 * (Temporal's `healthCheckAPI` in `frontend_api.go`). The gRPC health service does not reach the
 * authorizer here, but is listed so that a transport which does send it gets Temporal's answer.
 */
const HEALTH_CHECK_APIS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['grpc.health.v1.Health', new Set(['Check'])],
  ['temporal.api.workflowservice.v1.WorkflowService', new Set(['GetSystemInfo'])],
])

export function isHealthCheckApi(target: Pick<CallTarget, 'service' | 'rpc'>): boolean {
  return HEALTH_CHECK_APIS.get(target.service)?.has(target.rpc) === true
}

export interface Decision {
  readonly allow: boolean
  /**
   * Why. Allowed: `health check`, or the role that sufficed (`system:admin`, `namespace:write`).
   * Denied: `no claims`, `unknown method` or `missing role`.
   */
  readonly reason: string
  /** The access the method needs; undefined for a health check or an unknown method. */
  readonly access: Access | undefined
}

/** Temporal's `getRequiredRole`. */
function requiredRole(access: Access): Role {
  switch (access) {
    case 'readOnly':
      return Role.Reader
    case 'write':
      return Role.Writer
    case 'admin':
      return Role.Admin
  }
}

function roleName(role: Role): string {
  if (role >= Role.Admin) return 'admin'
  if (role >= Role.Writer) return 'write'
  return 'read'
}

/**
 * Health checks are allowed to everyone. Otherwise, with no claims, or for a method without
 * metadata, the call is denied. A cluster-scoped method needs a system role, a namespace-scoped
 * one a system role or a role in the request's namespace (compared exactly, so `Foo` is not
 * `foo`); either way the role mask must reach the role the access needs (read-only: reader,
 * write: writer, admin: admin). Beyond Temporal's rules, the worker role (in the namespace or
 * the system's) allows the calls a worker makes ({@link WORKER_APIS}), which Temporal's worker
 * role, ranked below reader, does not.
 */
export function authorizeClaims(claims: Claims | undefined, target: CallTarget): Decision {
  if (isHealthCheckApi(target)) return { allow: true, reason: 'health check', access: undefined }
  const metadata = methodMetadata(target.service, target.rpc)
  if (claims === undefined) {
    return { allow: false, reason: 'no claims', access: metadata?.access }
  }
  if (metadata === undefined) return { allow: false, reason: 'unknown method', access: undefined }
  const required = requiredRole(metadata.access)
  const { access } = metadata
  if (claims.system >= required) {
    return { allow: true, reason: `system:${roleName(claims.system)}`, access }
  }
  if (metadata.scope === 'namespace') {
    const role = claims.system | (claims.namespaces.get(target.namespace) ?? Role.Undefined)
    if (role >= required) return { allow: true, reason: `namespace:${roleName(role)}`, access }
    if (role & Role.Worker && target.service === WORKFLOW_SERVICE && WORKER_APIS.has(target.rpc)) {
      return { allow: true, reason: 'namespace:worker', access }
    }
  }
  return { allow: false, reason: 'missing role', access }
}
