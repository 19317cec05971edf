/**
 * Temporal's API messages ↔ the protobuf JSON mapping, with Temporal's payload shorthand: what
 * `temporal ... -o json` prints and what Temporal's HTTP API reads and writes.
 *
 * proto3-json-serializer does the leaf conversions (Timestamp, Duration, FieldMask, Struct,
 * wrappers, int64, bytes, enums) and builds the message in `fromProtoJson`, but it cannot walk
 * Temporal's messages to JSON by itself: it throws on a `map<string, bytes>`, which is
 * `Payload.metadata`, found in nearly every response. So this module walks the reflected types
 * itself and hands the library only the well-known leaf types. The same walk adds the shorthand
 * (api-go `common/v1/payload_json.go`): a `json/plain` payload is its JSON value, a `Payloads`
 * whose payloads all have shorthands is an array of them, a `json/protobuf` payload is its JSON
 * object plus `_protoMessageType`; any other payload keeps `{metadata, data}` in base64.
 */
import { fromProto3JSON, toProto3JSON, type JSONValue } from 'proto3-json-serializer'
import { root, type Long } from './proto.js'
import {
  payloadEncoding,
  payloadJsonValue,
  payloadText,
  type PayloadBytes,
} from './payload-value.js'

/** The parts of a protobufjs reflection type that the walk reads. */
interface ReflectedType {
  readonly name: string
  readonly fullName: string
  readonly fields: Record<string, ReflectedField | undefined>
  readonly fieldsArray: ReflectedField[]
  decode(bytes: Uint8Array): Record<string, unknown>
  fromObject(object: object): Record<string, unknown>
  resolveAll(): unknown
}

interface ReflectedEnum {
  readonly name: string
  readonly values: Record<string, number | undefined>
  readonly valuesById: Record<number, string | undefined>
}

interface ReflectedField {
  readonly name: string
  readonly type: string
  readonly map: boolean
  readonly repeated: boolean
  readonly partOf: { readonly name: string } | null
  readonly resolvedType: ReflectedType | ReflectedEnum | null
}

export interface ProtoJsonOptions {
  /** Use Temporal's payload shorthand (the CLI's and HTTP API's default); off: plain proto JSON. */
  payloadShorthand?: boolean
}

export interface FromProtoJsonOptions extends ProtoJsonOptions {
  /** Skip fields the type does not have instead of rejecting the document. */
  ignoreUnknownFields?: boolean
}

const PAYLOAD = '.temporal.api.common.v1.Payload'
const PAYLOADS = '.temporal.api.common.v1.Payloads'
const ANY = '.google.protobuf.Any'
/** Well-known types with a JSON form of their own, which the library converts. */
const LEAF_TYPES = new Set(
  [
    'Timestamp',
    'Duration',
    'FieldMask',
    'Struct',
    'Value',
    'ListValue',
    ...['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map(
      (w) => `${w}Value`,
    ),
  ].map((name) => `.google.protobuf.${name}`),
)
/** Inside an Any, these keep their JSON under `value` (the proto3 JSON spec). */
const ANY_VALUE_WRAPPED = new Set([...LEAF_TYPES, ANY, '.google.protobuf.Empty'])
const BINARY_NULL = Buffer.from('binary/null').toString('base64')
const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64'])

const resolvedTypes = new Map<string, ReflectedType>()

/**
 * The deepest nesting of arrays and objects read or written, counting the message envelope. Go's
 * protojson and encoding/json stop at 10,000 levels; a JavaScript call stack gives out at a few
 * thousand (JSON.stringify itself), so Sundial stops well before: a deeper request document is
 * refused, and a payload whose JSON nests deeper is written in full (base64) rather than as its
 * shorthand.
 */
export const MAX_JSON_DEPTH = 1000

/** Whether `value` nests arrays and objects more than `max` levels deep (walked without recursion). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (node === null || typeof node !== 'object') continue
    if (depth > max) return true
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
    }
  }
  return false
}

/**
 * The reflected type of `typeName`, resolved once with every message type its fields reach:
 * every HTTP request and every JSON answer looks its types up, and the walk below reads
 * `resolvedType` at every level (protobufjs' `resolveAll` resolves a type's own fields and the
 * types declared inside it, not the types its fields refer to).
 */
export function lookupType(typeName: string): ReflectedType {
  let type = resolvedTypes.get(typeName)
  if (!type) {
    type = (root as unknown as { lookupType(name: string): ReflectedType }).lookupType(typeName)
    resolveReachable(type, new Set())
    resolvedTypes.set(typeName, type)
  }
  return type
}

function resolveReachable(type: ReflectedType, seen: Set<ReflectedType>): void {
  if (seen.has(type)) return
  seen.add(type)
  type.resolveAll()
  for (const field of type.fieldsArray) {
    const t = field.resolvedType
    if (t && 'fieldsArray' in t) resolveReachable(t, seen)
  }
}

/**
 * A message (decoded, or a plain object of its fields) as its proto JSON value. `typeName` is
 * the full name, `temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse`.
 */
export function toProtoJson(
  typeName: string,
  message: object,
  opts: ProtoJsonOptions = {},
): unknown {
  const type = lookupType(typeName)
  // A plain object becomes a message first, so that every value has its decoded form.
  const msg = '$type' in message ? (message as Record<string, unknown>) : type.fromObject(message)
  return messageToJson(type, msg, opts.payloadShorthand ?? false)
}

/**
 * A proto JSON document as a message of `typeName`, ready for `encode`. Throws for a document
 * that does not fit the type, or that nests deeper than {@link MAX_JSON_DEPTH}.
 */
export function fromProtoJson<T extends object = Record<string, unknown>>(
  typeName: string,
  json: unknown,
  opts: FromProtoJsonOptions = {},
): T {
  if (nestsDeeperThan(json, MAX_JSON_DEPTH)) {
    throw new Error(`${typeName}: the JSON nests deeper than ${MAX_JSON_DEPTH} levels`)
  }
  const type = lookupType(typeName)
  const plain = messageFromJson(type, json, opts, typeName)
  const message = fromProto3JSON(
    type as unknown as Parameters<typeof fromProto3JSON>[0],
    plain as JSONValue,
  )
  if (message === null) throw new Error(`${typeName}: expected a JSON object`)
  return message as unknown as T
}

/**
 * A payload's shorthand value, or undefined when it has none (then it prints in full). Stricter
 * than {@link payloadJsonValue}: the shorthand must read back as the same payload, so any
 * metadata beyond the encoding (and a json/protobuf message type) rules it out, as in api-go.
 */
export function payloadShorthand(payload: PayloadBytes): { value: unknown } | undefined {
  const keys = Object.keys(payload.metadata ?? {})
  const encoding = payloadEncoding(payload)
  // api-go writes a binary/null payload in full even as a shorthand, but counts it as one, so
  // that `[null-payload, "x"]` stays an array.
  if (encoding === 'binary/null' && keys.length === 1) {
    return { value: { metadata: { encoding: BINARY_NULL } } }
  }
  if (encoding === 'json/plain' && keys.length === 1) return shallow(payloadJsonValue(payload))
  const messageType = payloadText(payload.metadata?.messageType)
  if (encoding !== 'json/protobuf' || keys.length !== 2 || !messageType) return undefined
  const value = shallow(payloadJsonValue(payload))?.value
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  return { value: { ...value, _protoMessageType: messageType } }
}

/**
 * A shorthand value shallow enough to write inside a document (it sits a few levels below the
 * response's top, hence the margin); deeper ones are written in full.
 */
function shallow(v: { value: unknown } | undefined): { value: unknown } | undefined {
  return v && !nestsDeeperThan(v.value, MAX_JSON_DEPTH - 50) ? v : undefined
}

function messageToJson(type: ReflectedType, msg: Record<string, unknown>, short: boolean): unknown {
  const name = type.fullName
  if (LEAF_TYPES.has(name)) return toProto3JSON(msg as never)
  if (name === ANY) return anyToJson(msg, short)
  if (short && name === PAYLOAD) {
    const s = payloadShorthand(msg)
    if (s) return s.value
  }
  if (short && name === PAYLOADS) {
    const values = ((msg.payloads ?? []) as Record<string, unknown>[]).map(payloadShorthand)
    if (values.every((v): v is { value: unknown } => v !== undefined)) {
      return values.map((v) => v.value)
    }
  }
  const out: Record<string, unknown> = {}
  for (const field of type.fieldsArray) {
    const value = msg[field.name]
    if (value == null) continue
    if (field.map) {
      const entries = Object.entries(value as Record<string, unknown>)
      if (entries.length > 0) {
        out[field.name] = Object.fromEntries(
          entries.map(([k, v]) => [k, valueToJson(field, v, short)]),
        )
      }
    } else if (field.repeated) {
      const items = value as unknown[]
      if (items.length > 0) out[field.name] = items.map((v) => valueToJson(field, v, short))
    } else if (field.partOf ? Object.hasOwn(msg, field.name) : !isDefault(field, value)) {
      // proto3 leaves out fields at their default value, except a set member of a oneof.
      out[field.name] = valueToJson(field, value, short)
    }
  }
  return out
}

function isDefault(field: ReflectedField, value: unknown): boolean {
  if (field.resolvedType && 'fieldsArray' in field.resolvedType) return false
  if (value === 0 || value === '' || value === false) return true
  // protobufjs's default for bytes is an empty array, not a Uint8Array.
  if (field.type === 'bytes') return (value as ArrayLike<number>).length === 0
  return INT64_TYPES.has(field.type) && int64String(value) === '0'
}

/** An int64 as protobufjs holds it (Long, or a number or string in a plain object). */
function int64String(value: unknown): string {
  return typeof value === 'object' ? (value as Long).toString() : `${value as number | string}`
}

function valueToJson(field: ReflectedField, value: unknown, short: boolean): unknown {
  const t = field.resolvedType
  if (t && 'fieldsArray' in t) return messageToJson(t, value as Record<string, unknown>, short)
  if (t) return t.valuesById[value as number] ?? value
  if (INT64_TYPES.has(field.type)) return int64String(value)
  if (field.type === 'bytes') return Buffer.from(value as Uint8Array).toString('base64')
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  return value
}

function anyToJson(msg: Record<string, unknown>, short: boolean): unknown {
  const url = (msg.type_url ?? msg.typeUrl ?? '') as string
  const inner = lookupType(url.slice(url.lastIndexOf('/') + 1))
  const json = messageToJson(
    inner,
    inner.decode((msg.value ?? new Uint8Array()) as Uint8Array),
    short,
  )
  return ANY_VALUE_WRAPPED.has(inner.fullName)
    ? { '@type': url, value: json }
    : { '@type': url, ...(json as object) }
}

/**
 * The JSON document with field names as the type declares them (proto JSON also accepts the
 * `snake_case` names), enum values by canonical name, and payload shorthands written out in
 * full, so that the library sees plain proto JSON.
 */
function messageFromJson(
  type: ReflectedType,
  json: unknown,
  opts: FromProtoJsonOptions,
  path: string,
): unknown {
  const name = type.fullName
  if (LEAF_TYPES.has(name) || json === null) return json
  if (name === ANY) return anyFromJson(json as Record<string, unknown>, opts, path)
  if (opts.payloadShorthand && name === PAYLOAD) return payloadFromJson(json)
  if (opts.payloadShorthand && name === PAYLOADS && Array.isArray(json)) {
    return { payloads: (json as unknown[]).map(payloadFromJson) }
  }
  if (typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`${path}: expected a JSON object for ${name.slice(1)}`)
  }
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(json)) {
    const field = type.fields[key] ?? type.fields[camelCase(key)]
    if (!field) {
      if (opts.ignoreUnknownFields) continue
      throw new Error(`${path}: unknown field "${key}" in ${name.slice(1)}`)
    }
    const at = `${path}.${field.name}`
    if (value === null) out[field.name] = null
    else if (field.map) {
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw new Error(`${at}: expected a JSON object`)
      }
      out[field.name] = Object.fromEntries(
        Object.entries(value as object).map(([k, v]) => [
          k,
          valueFromJson(field, v, opts, `${at}.${k}`, true),
        ]),
      )
    } else if (field.repeated) {
      if (!Array.isArray(value)) throw new Error(`${at}: expected a JSON array`)
      out[field.name] = value.map((v, i) => valueFromJson(field, v, opts, `${at}[${i}]`, true))
    } else out[field.name] = valueFromJson(field, value, opts, at, false)
  }
  return out
}

function valueFromJson(
  field: ReflectedField,
  value: unknown,
  opts: FromProtoJsonOptions,
  path: string,
  element: boolean,
): unknown {
  const t = field.resolvedType
  if (!t) return value
  if ('fieldsArray' in t) {
    // A null payload among others is the binary/null payload, as api-go reads it.
    if (element && value === null && opts.payloadShorthand && t.fullName === PAYLOAD) {
      return payloadFromJson(null)
    }
    return messageFromJson(t, value, opts, path)
  }
  if (typeof value === 'number' || (typeof value === 'string' && value in t.values)) return value
  const canonical = typeof value === 'string' ? shortEnumNames(t).get(value) : undefined
  if (canonical === undefined) {
    throw new Error(`${path}: ${JSON.stringify(value)} is not a value of ${t.name}`)
  }
  return canonical
}

function anyFromJson(json: Record<string, unknown>, opts: FromProtoJsonOptions, path: string) {
  const url = json['@type']
  if (typeof url !== 'string') throw new Error(`${path}: an Any needs "@type"`)
  const inner = lookupType(url.slice(url.lastIndexOf('/') + 1))
  if (ANY_VALUE_WRAPPED.has(inner.fullName)) {
    return { '@type': url, value: messageFromJson(inner, json.value, opts, path) }
  }
  const { '@type': _type, ...fields } = json
  return { '@type': url, ...(messageFromJson(inner, fields, opts, path) as object) }
}

/** Full proto JSON of a payload given as a shorthand or in full (api-go's rules). */
function payloadFromJson(json: unknown): unknown {
  const base64 = (s: string) => Buffer.from(s).toString('base64')
  if (json === null) return { metadata: { encoding: BINARY_NULL } }
  if (isFullPayload(json)) return json
  if (typeof json === 'object' && !Array.isArray(json) && '_protoMessageType' in json) {
    const { _protoMessageType: messageType, ...fields } = json as Record<string, unknown>
    if (typeof messageType !== 'string') throw new Error('_protoMessageType must be a string')
    return {
      metadata: { encoding: base64('json/protobuf'), messageType: base64(messageType) },
      data: base64(JSON.stringify(fields)),
    }
  }
  return { metadata: { encoding: base64('json/plain') }, data: base64(JSON.stringify(json)) }
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/

/** `{metadata, data}` of base64 strings with an encoding, or binary/null without data. */
function isFullPayload(json: unknown): boolean {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return false
  const { metadata, data, ...rest } = json as Record<string, unknown>
  if (Object.keys(rest).length > 0 || metadata === null || typeof metadata !== 'object') {
    return false
  }
  const values = Object.values(metadata)
  const encoding = (metadata as Record<string, unknown>).encoding
  if (typeof encoding !== 'string' || !values.every((v) => typeof v === 'string' && BASE64.test(v)))
    return false
  if (data === undefined) return Buffer.from(encoding, 'base64').toString() === 'binary/null'
  return typeof data === 'string' && BASE64.test(data)
}

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

const shortNameCache = new WeakMap<ReflectedEnum, Map<string, string>>()

/**
 * Temporal's Go enums also parse their PascalCase names (`Running` for
 * WORKFLOW_EXECUTION_STATUS_RUNNING, `WorkflowExecutionStarted` for an event type), which is how
 * older history exports spell them.
 */
function shortEnumNames(e: ReflectedEnum): Map<string, string> {
  let names = shortNameCache.get(e)
  if (!names) {
    const prefix = `${e.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}_`
    names = new Map()
    for (const canonical of Object.keys(e.values)) {
      if (!canonical.startsWith(prefix)) continue
      const pascal = canonical
        .slice(prefix.length)
        .toLowerCase()
        .replace(/(^|_)([a-z0-9])/g, (_, _sep: string, c: string) => c.toUpperCase())
      names.set(pascal, canonical)
    }
    shortNameCache.set(e, names)
  }
  return names
}
