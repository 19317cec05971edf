/**
 * Namespace state checks for every call that names a namespace (Temporal's
 * NamespaceValidatorInterceptor.checkNamespaceState): a REGISTERED or DEPRECATED namespace serves
 * every call except that a DEPRECATED one starts no new workflows; a DELETED one serves only
 * DeleteNamespace (to resume a deletion). Other states get NamespaceInvalidState
 * (FailedPrecondition).
 */
import { NamespaceInvalidStateError } from '../common/errors.js'
import { NamespaceState } from '../common/proto.js'
import type { NamespaceEntry, NamespaceRegistry } from './namespace-registry.js'
import type { CallContext } from './rpc-types.js'

const REGISTERED = NamespaceState.NAMESPACE_STATE_REGISTERED
const DEPRECATED = NamespaceState.NAMESPACE_STATE_DEPRECATED
const DELETED = NamespaceState.NAMESPACE_STATE_DELETED

/** Calls whose allowed states differ from the default (REGISTERED or DEPRECATED). */
const ALLOWED_STATES: Readonly<Record<string, readonly number[]>> = {
  startWorkflowExecution: [REGISTERED],
  signalWithStartWorkflowExecution: [REGISTERED],
  deleteNamespace: [REGISTERED, DEPRECATED, DELETED],
}
const DEFAULT_ALLOWED_STATES = [REGISTERED, DEPRECATED]

/** The namespace APIs manage namespaces in any state; their handlers check what they need. */
const UNCHECKED = new Set([
  'registerNamespace',
  'describeNamespace',
  'listNamespaces',
  'updateNamespace',
  'deprecateNamespace',
])

type AnyHandler = (request: unknown, ctx: CallContext) => Promise<unknown>

/** Wraps each handler of a service with the state check of the namespace its request names. */
export function withNamespaceStateCheck<H extends object>(
  registry: NamespaceRegistry,
  handlers: H,
): H {
  const out: Record<string, AnyHandler> = {}
  for (const [rpc, handler] of Object.entries(handlers as Record<string, AnyHandler>)) {
    if (UNCHECKED.has(rpc)) {
      out[rpc] = handler
      continue
    }
    const allowed = ALLOWED_STATES[rpc] ?? DEFAULT_ALLOWED_STATES
    const check = (entry: NamespaceEntry): void => {
      if (!allowed.includes(entry.state)) {
        throw new NamespaceInvalidStateError(entry.name, entry.state, [...allowed])
      }
    }
    out[rpc] = async (request, ctx) => {
      const name = (request as { namespace?: unknown } | null)?.namespace
      if (typeof name === 'string' && name !== '') {
        // Not cached and not found: the handler's own lookup reports the unknown namespace.
        const entry =
          registry.cachedByName(name) ?? (await registry.getByName(name).catch(() => undefined))
        if (entry) check(entry)
      }
      return handler(request, ctx)
    }
  }
  return out as H
}
