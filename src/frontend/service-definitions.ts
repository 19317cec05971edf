/**
 * @grpc/grpc-js service definitions built straight from `@temporalio/proto`'s reflection root.
 *
 * No `.proto` files and no proto-loader: each method's reflected request and response types
 * encode and decode themselves, so decoded requests are protobufjs message instances (int64 as
 * `Long`, unset fields reading as their defaults from the prototype) and handlers can return
 * plain objects that `Type.encode` accepts.
 */
import type { ServiceDefinition, MethodDefinition } from '@grpc/grpc-js'
import { root } from '../common/proto.js'

/**
 * The slice of protobufjs' reflection API used here. `@temporalio/proto` types its root as the
 * generated namespaces and bundles its own protobufjs, so the reflection objects are described
 * structurally rather than imported from whichever protobufjs the project resolves.
 */
export interface ReflectedType {
  readonly fullName: string
  encode(message: object): { finish(): Uint8Array }
  decode(bytes: Uint8Array): unknown
}

/** The slice of a protobufjs `Method` that building a definition reads. */
export interface ReflectedMethod {
  readonly name: string
  readonly requestStream?: boolean
  readonly responseStream?: boolean
  readonly resolvedRequestType: ReflectedType | null
  readonly resolvedResponseType: ReflectedType | null
  resolve(): unknown
}

interface ReflectionRoot {
  lookupService(path: string): ReflectedService
}

const reflection = root as unknown as ReflectionRoot

export const WORKFLOW_SERVICE = 'temporal.api.workflowservice.v1.WorkflowService'
export const OPERATOR_SERVICE = 'temporal.api.operatorservice.v1.OperatorService'
export const HEALTH_SERVICE = 'grpc.health.v1.Health'
export const TEST_SERVICE = 'temporal.api.testservice.v1.TestService'

/** One RPC of a reflected service, with what the server needs to dispatch it. */
export interface RpcMethod {
  /** The proto name (`StartWorkflowExecution`). */
  readonly name: string
  /** The handler-map key (`startWorkflowExecution`), as in the generated service classes. */
  readonly key: string
  /** `/<service full name>/<Method>`. */
  readonly path: string
  readonly requestType: ReflectedType
  readonly responseType: ReflectedType
  readonly requestStream: boolean
  readonly responseStream: boolean
}

/** A service as both grpc-js wants it (`definition`) and as the dispatcher iterates it. */
export interface ReflectedServiceDefinition {
  /** The service's full name without the leading dot. */
  readonly fullName: string
  readonly methods: readonly RpcMethod[]
  /** Keyed by proto method name; usable by `server.addService` and `makeGenericClientConstructor`. */
  readonly definition: ServiceDefinition
}

/** protobufjs' camelCase for method names: only the first letter changes. */
function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1)
}

/**
 * Serializers accept an already-encoded Buffer as well as a message, so the server can encode a
 * response inside its own try/catch (and log a failure) before handing it to grpc-js.
 */
function serializer(type: ReflectedType): (value: unknown) => Buffer {
  return (value) => {
    if (Buffer.isBuffer(value)) return value
    const bytes = type.encode(value as object).finish()
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
}

function deserializer(type: ReflectedType): (bytes: Buffer) => unknown {
  return (bytes) => type.decode(bytes)
}

/** A reflected service, from `@temporalio/proto`'s root or any other protobufjs root. */
export interface ReflectedService {
  readonly fullName: string
  readonly methods: Record<string, ReflectedMethod>
}

/**
 * The definition of a service reflected by any protobufjs root: Sundial's own services (the admin
 * service) are built the same way as Temporal's, so the server dispatches them alike.
 */
export function buildServiceDefinition(service: ReflectedService): ReflectedServiceDefinition {
  const fullName = service.fullName.replace(/^\./, '')
  const methods: RpcMethod[] = []
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {}
  for (const method of Object.values(service.methods)) {
    method.resolve()
    const requestType = method.resolvedRequestType
    const responseType = method.resolvedResponseType
    if (!requestType || !responseType) {
      throw new Error(`cannot resolve the message types of ${fullName}.${method.name}`)
    }
    const rpc: RpcMethod = {
      name: method.name,
      key: lowerFirst(method.name),
      path: `/${fullName}/${method.name}`,
      requestType,
      responseType,
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
    }
    methods.push(rpc)
    const def: MethodDefinition<unknown, unknown> = {
      path: rpc.path,
      requestStream: rpc.requestStream,
      responseStream: rpc.responseStream,
      requestSerialize: serializer(requestType),
      requestDeserialize: deserializer(requestType),
      responseSerialize: serializer(responseType),
      responseDeserialize: deserializer(responseType),
      originalName: rpc.key,
    }
    definition[method.name] = def
  }
  return { fullName, methods, definition }
}

const cache = new Map<string, ReflectedServiceDefinition>()

/**
 * The definition of a service in the root, built once (building all of WorkflowService takes a few
 * milliseconds, resolving its types is the bulk).
 */
export function reflectedService(serviceName: string): ReflectedServiceDefinition {
  let def = cache.get(serviceName)
  if (!def) {
    def = buildServiceDefinition(reflection.lookupService(serviceName))
    cache.set(serviceName, def)
  }
  return def
}

/** `temporal.api.workflowservice.v1.WorkflowService`. */
export function workflowServiceDefinition(): ReflectedServiceDefinition {
  return reflectedService(WORKFLOW_SERVICE)
}

/** `temporal.api.operatorservice.v1.OperatorService`. */
export function operatorServiceDefinition(): ReflectedServiceDefinition {
  return reflectedService(OPERATOR_SERVICE)
}

/** `temporal.api.testservice.v1.TestService`, served only by the time-skipping test server. */
export function testServiceDefinition(): ReflectedServiceDefinition {
  return reflectedService(TEST_SERVICE)
}

/** `grpc.health.v1.Health` (shipped in `@temporalio/proto`'s root). */
export function healthServiceDefinition(): ReflectedServiceDefinition {
  return reflectedService(HEALTH_SERVICE)
}
