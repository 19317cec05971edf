/**
 * An HTTP request as the gRPC request its route names, following grpc-gateway's rules (as
 * Temporal's HTTP API does): path variables set the fields their template names; with
 * `body: "*"` the JSON body is the rest of the request, with `body: "<field>"` it is that field;
 * without a body, query parameters set fields by their dotted paths (`execution.runId=...`,
 * snake_case or camelCase, repeated parameters for repeated fields). The document is then read
 * with the protobuf JSON mapping and Temporal's payload shorthand.
 */
import { InvalidArgumentError } from '../../common/errors.js'
import {
  fromProtoJson,
  lookupType,
  MAX_JSON_DEPTH,
  nestsDeeperThan,
} from '../../common/proto-json.js'
import type { RouteMatch } from './http-routes.js'

/** Query parameters that shape the answer rather than the request. */
export const RESPONSE_PARAMETERS = new Set(['pretty', 'noPayloadShorthand'])

interface Field {
  readonly name: string
  readonly type: string
  readonly repeated: boolean
  readonly map: boolean
  readonly resolvedType: { readonly fullName: string; readonly fieldsArray?: unknown } | null
}

interface MessageType {
  readonly fullName: string
  readonly fields: Record<string, Field | undefined>
}

const NUMBER_TYPES = new Set([
  'int32',
  'uint32',
  'sint32',
  'fixed32',
  'sfixed32',
  'double',
  'float',
])
/** Message types whose JSON form is a string, so a parameter may carry them. */
const STRING_MESSAGES = new Set(['.google.protobuf.Timestamp', '.google.protobuf.Duration'])

export function buildRequest(
  match: RouteMatch,
  query: URLSearchParams,
  bodyText: string,
  payloadShorthand: boolean,
): object {
  const { route } = match
  const typeName = route.method.requestType.fullName.replace(/^\./, '')
  const type = lookupType(typeName) as unknown as MessageType
  let doc: Record<string, unknown> = {}
  if (route.body) {
    const body = parseBody(bodyText)
    if (route.body === '*') {
      if (body !== undefined) {
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          throw new InvalidArgumentError('the request body must be a JSON object')
        }
        doc = body as Record<string, unknown>
      }
    } else if (body !== undefined) {
      doc[route.body] = body
    }
  }
  if (route.body !== '*') {
    for (const key of new Set(query.keys())) {
      if (RESPONSE_PARAMETERS.has(key)) continue
      setField(doc, type, key.split('.'), query.getAll(key), `query parameter ${key}`)
    }
  }
  for (const [path, value] of match.variables) {
    setField(doc, type, path, [value], `path variable ${path.join('.')}`)
  }
  try {
    return fromProtoJson(typeName, doc, { payloadShorthand })
  } catch (e: unknown) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e))
  }
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined
  let body: unknown
  try {
    body = JSON.parse(text) as unknown
  } catch (e: unknown) {
    throw new InvalidArgumentError(
      `the request body is not JSON: ${e instanceof Error ? e.message : String(e)}`,
    )
  }
  // Refused before anything walks it: the mapping and the payload shorthand recurse.
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new InvalidArgumentError(
      `the request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
    )
  }
  return body
}

/**
 * Sets `path` in `doc` from string `values`, typed by the field it names. A path variable
 * overrides what the body said, as grpc-gateway does.
 */
function setField(
  doc: Record<string, unknown>,
  type: MessageType,
  path: string[],
  values: string[],
  what: string,
): void {
  let node = doc
  let current = type
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!
    const field = current.fields[part] ?? current.fields[camel(part)]
    if (!field || field.map) throw new InvalidArgumentError(`${what}: no field ${part} here`)
    // The document may already hold this field under either spelling (from the body).
    const key = Object.hasOwn(node, part) ? part : field.name
    if (i === path.length - 1) {
      const converted = values.map((v) => scalar(field, v, what))
      node[key] = field.repeated ? converted : converted.at(-1)
      return
    }
    const next = field.resolvedType
    if (!next || !('fields' in next) || field.repeated) {
      throw new InvalidArgumentError(`${what}: ${part} has no fields`)
    }
    const child = node[key]
    if (child === undefined || child === null) node[key] = {}
    else if (typeof child !== 'object' || Array.isArray(child)) {
      throw new InvalidArgumentError(`${what}: ${part} is not an object in the body`)
    }
    node = node[key] as Record<string, unknown>
    // Looked up again so that its own fields are resolved (protobufjs resolves lazily).
    current = lookupType(next.fullName.replace(/^\./, '')) as unknown as MessageType
  }
}

/** A string parameter as the JSON value the mapping expects for the field's type. */
function scalar(field: Field, value: string, what: string): unknown {
  const t = field.resolvedType
  if (t && 'fieldsArray' in t) {
    if (STRING_MESSAGES.has(t.fullName)) return value
    throw new InvalidArgumentError(`${what}: ${field.name} is a message; send it in a body`)
  }
  if (t) return /^-?\d+$/.test(value) ? Number(value) : value
  if (field.type === 'bool') {
    if (value === 'true' || value === 'false') return value === 'true'
    throw new InvalidArgumentError(`${what}: "${value}" is not true or false`)
  }
  if (NUMBER_TYPES.has(field.type)) {
    const n = Number(value)
    if (value.trim() === '' || Number.isNaN(n)) {
      throw new InvalidArgumentError(`${what}: "${value}" is not a number`)
    }
    return n
  }
  // Strings, int64 (strings in proto JSON) and bytes (base64) pass as they are.
  return value
}

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}
