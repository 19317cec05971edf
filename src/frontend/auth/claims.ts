/**
 * Roles, claims and Temporal's default claim mapper, which reads roles from a JWT's permissions
 * claim (`common/authorization/roles.go`, `default_jwt_claim_mapper.go`).
 */
import type { Logger } from 'pino'

/**
 * A role bitmask, as Temporal's `authorization.Role`. The default authorizer compares masks as
 * numbers (`hasRole >= required`), so a mask counts as its highest bit: `Worker` is below every
 * access level and on its own grants nothing.
 */
export const Role = {
  Undefined: 0,
  Worker: 1,
  Reader: 2,
  Writer: 4,
  Admin: 8,
} as const
export type Role = number

/** The namespace name whose permissions give system (cluster-wide) roles. */
export const SYSTEM_NAMESPACE = 'temporal-system'

/** The identity of a caller and its roles (Temporal's `authorization.Claims`). */
export interface Claims {
  /** The token's `sub`. */
  readonly subject: string
  /** Roles across the whole cluster and every namespace. */
  readonly system: Role
  /** Roles by namespace name; a Map so that no permission can name an Object prototype key. */
  readonly namespaces: ReadonlyMap<string, Role>
}

/** Roles by permission word, matched case-insensitively as Temporal's `permissionToRole`. */
function permissionToRole(permission: string): Role {
  switch (permission.toLowerCase()) {
    case 'read':
      return Role.Reader
    case 'write':
      return Role.Writer
    case 'worker':
      return Role.Worker
    case 'admin':
      return Role.Admin
    default:
      return Role.Undefined
  }
}

/**
 * Temporal's default JWT claim mapper: `subject` is the `sub` claim and each string
 * `<namespace>:<role>` in the permissions claim adds a role (`temporal-system:<role>` a system
 * one). The namespace is compared exactly, the role word case-insensitively; entries that are no
 * string or have no colon are skipped with a warning, as is a permissions claim that is no array.
 * Returns undefined when `sub` is not a string, which Temporal refuses.
 */
export function claimsFromPayload(
  payload: Readonly<Record<string, unknown>>,
  permissionsClaimName: string,
  logger: Logger,
): Claims | undefined {
  const subject = payload['sub']
  if (typeof subject !== 'string') return undefined
  let system: Role = Role.Undefined
  const namespaces = new Map<string, Role>()
  const permissions = payload[permissionsClaimName]
  if (Array.isArray(permissions)) {
    for (const permission of permissions as unknown[]) {
      if (typeof permission !== 'string') {
        logger.warn({ permission }, 'ignoring a JWT permission that is not a string')
        continue
      }
      const colon = permission.indexOf(':')
      if (colon < 0) {
        logger.warn({ permission }, 'ignoring a JWT permission not of the form namespace:role')
        continue
      }
      const namespace = permission.slice(0, colon)
      const role = permissionToRole(permission.slice(colon + 1))
      if (namespace === SYSTEM_NAMESPACE) system |= role
      else namespaces.set(namespace, (namespaces.get(namespace) ?? Role.Undefined) | role)
    }
  }
  return { subject, system, namespaces }
}
