/**
 * The HTTP routes of Temporal's HTTP API, read from the `google.api.http` annotations of the
 * WorkflowService and OperatorService descriptors in `@temporalio/proto` — the same source
 * Temporal's grpc-gateway is generated from, so every annotated RPC has its route, under both
 * bindings (`/namespaces/...` and `/api/v1/namespaces/...`), and a proto upgrade brings new ones.
 */
import { root } from '../../common/proto.js'
import {
  OPERATOR_SERVICE,
  WORKFLOW_SERVICE,
  reflectedService,
  type RpcMethod,
} from '../service-definitions.js'

export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** One path segment: a literal, or a variable bound to a request field path (camelCase). */
type Segment = { literal: string } | { field: string[] }

export interface HttpRoute {
  readonly verb: HttpVerb
  readonly service: 'workflow' | 'operator'
  readonly method: RpcMethod
  /** The template as annotated (`/api/v1/namespaces/{namespace}/workflows`), for messages. */
  readonly template: string
  readonly segments: readonly Segment[]
  /** `*`: the body is the whole request; a field name: the body is that field; none: no body. */
  readonly body: string | undefined
}

/** A route that matched, with its path variables. */
export interface RouteMatch {
  route: HttpRoute
  /** Field path (camelCase) → value, in template order. */
  variables: [string[], string][]
}

interface HttpRule {
  get?: string
  post?: string
  put?: string
  patch?: string
  delete?: string
  body?: string
  additional_bindings?: HttpRule | HttpRule[]
}

interface AnnotatedMethod {
  readonly name: string
  readonly parsedOptions?: Record<string, unknown>[] | null
}

const VERBS = ['get', 'post', 'put', 'patch', 'delete'] as const

/** `workflow_execution` → `workflowExecution`, as the proto JSON mapping names fields. */
function jsonName(protoName: string): string {
  return protoName.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

function parseTemplate(template: string): Segment[] {
  return template
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^\{([^}=]+)\}$/.exec(s)
      if (!m) {
        if (s.includes('{'))
          throw new Error(`unsupported HTTP template segment ${s} in ${template}`)
        return { literal: s }
      }
      return { field: m[1]!.split('.').map(jsonName) }
    })
}

function rulesOf(rule: HttpRule): HttpRule[] {
  const extra = rule.additional_bindings
  const more = extra === undefined ? [] : Array.isArray(extra) ? extra : [extra]
  return [rule, ...more.flatMap(rulesOf)]
}

function routesOf(serviceName: string, service: HttpRoute['service']): HttpRoute[] {
  const reflected = (
    root as unknown as {
      lookupService(name: string): { methods: Record<string, AnnotatedMethod> }
    }
  ).lookupService(serviceName)
  const byName = new Map(reflectedService(serviceName).methods.map((m) => [m.name, m]))
  const routes: HttpRoute[] = []
  for (const annotated of Object.values(reflected.methods)) {
    const option = annotated.parsedOptions?.find((o) => '(google.api.http)' in o)
    const method = byName.get(annotated.name)
    if (!option || !method) continue
    for (const rule of rulesOf(option['(google.api.http)'] as HttpRule)) {
      for (const verb of VERBS) {
        const template = rule[verb]
        if (!template) continue
        routes.push({
          verb: verb.toUpperCase() as HttpVerb,
          service,
          method,
          template,
          segments: parseTemplate(template),
          body: rule.body || undefined,
        })
      }
    }
  }
  return routes
}

/** A route table; more literal segments win over variables where two templates overlap. */
export class HttpRouter {
  readonly routes: readonly HttpRoute[]

  constructor() {
    const literals = (r: HttpRoute) => r.segments.filter((s) => 'literal' in s).length
    this.routes = [
      ...routesOf(WORKFLOW_SERVICE, 'workflow'),
      ...routesOf(OPERATOR_SERVICE, 'operator'),
    ].sort((a, b) => literals(b) - literals(a))
  }

  /**
   * The route for a verb and an already split, percent-decoded path. `allowed` lists the verbs
   * of routes whose path matched when none has this verb (for a 405 answer).
   */
  match(verb: string, segments: readonly string[]): RouteMatch | { allowed: HttpVerb[] } {
    const allowed: HttpVerb[] = []
    for (const route of this.routes) {
      const variables = bind(route, segments)
      if (!variables) continue
      if (route.verb === verb) return { route, variables }
      allowed.push(route.verb)
    }
    return { allowed }
  }
}

function bind(route: HttpRoute, segments: readonly string[]): [string[], string][] | undefined {
  if (route.segments.length !== segments.length) return undefined
  const variables: [string[], string][] = []
  for (let i = 0; i < segments.length; i++) {
    const want = route.segments[i]!
    const got = segments[i]!
    if ('literal' in want) {
      if (want.literal !== got) return undefined
    } else {
      if (got === '') return undefined
      variables.push([want.field, got])
    }
  }
  return variables
}
