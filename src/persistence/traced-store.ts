/**
 * A `Store` decorator that gives each store call a span, `persistence.<group>.<method>`
 * (`persistence.executions.updateWorkflowExecutions`), as a child of the active span.
 *
 * Calls made with no span active (the timer queue's and the internal worker's polling loops) are
 * passed through untraced: they would otherwise be a stream of one-span traces with no request
 * behind them.
 */
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api'
import type { Store } from './store.js'

type StoreGroup = Exclude<keyof Store, 'close'>

const GROUPS: readonly StoreGroup[] = [
  'namespaces',
  'executions',
  'visibility',
  'tasks',
  'cluster',
  'jobs',
]

/** Wraps every group of `store`; `close()` is passed through. */
export function tracedStore(store: Store, tracer: Tracer): Store {
  const groups = Object.fromEntries(
    GROUPS.map((group) => [group, tracedGroup(group, store[group], tracer)]),
  ) as Pick<Store, StoreGroup>
  return { ...groups, close: () => store.close() }
}

type AnyMethod = (req: unknown) => Promise<unknown>

/**
 * A proxy rather than a copy of the methods: the groups are class instances whose methods live on
 * prototypes, and a proxy keeps any later-added method traced without a list to maintain.
 */
function tracedGroup<G extends object>(group: string, target: G, tracer: Tracer): G {
  const wrapped = new Map<PropertyKey, AnyMethod>()
  return new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop, t)
      if (typeof value !== 'function' || typeof prop !== 'string') return value
      let method = wrapped.get(prop)
      if (!method) {
        const original = value as AnyMethod
        const name = `persistence.${group}.${prop}`
        method = (req) => {
          const parent = context.active()
          if (!trace.getSpan(parent)) return original.call(t, req)
          return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL }, parent, async (span) => {
            try {
              return await original.call(t, req)
            } catch (e: unknown) {
              // Conflicts (ConditionFailedError and the like) are answers history handles, but
              // the span still shows which call failed and why.
              span.setStatus({
                code: SpanStatusCode.ERROR,
                message: e instanceof Error ? e.message : String(e),
              })
              if (e instanceof Error) span.recordException(e)
              throw e
            } finally {
              span.end()
            }
          })
        }
        wrapped.set(prop, method)
      }
      return method
    },
  })
}
