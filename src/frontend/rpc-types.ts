/**
 * Handler types for the gRPC services, derived from `@temporalio/proto`'s generated declarations so
 * that a new RPC in a proto upgrade shows up here without anyone writing it down.
 *
 * The generated service classes (`temporal.api.workflowservice.v1.WorkflowService`) carry one
 * member per RPC, typed as an overloaded function whose promise form is
 * `(request: IXxxRequest) => Promise<XxxResponse>` and which has a literal `name: 'Xxx'`. Those
 * literal names are what tell RPC members apart from the protobufjs `rpc.Service` plumbing
 * (`rpcCall`, `end`, `on`, ...), whose `name` is only `string`.
 */
import type { Metadata } from '@grpc/grpc-js'
import type { temporal } from '../common/proto.js'

/** What a handler learns about the call besides its request. */
export interface CallContext {
  /**
   * Aborted when the client cancels the call, when its deadline passes, or when the server shuts
   * down. Long polls must race their wait against it and return (an empty response is fine).
   */
  readonly signal: AbortSignal
  /** The request headers (`client-name`, `client-version`, `temporal-namespace`, ...). */
  readonly metadata: Metadata
  /** The remote address as grpc-js reports it (`ipv4:127.0.0.1:54321`). */
  readonly peer: string
  /** The call's deadline in milliseconds since the epoch, or `Infinity` when there is none. */
  readonly deadline: number
  /** The RPC's name as in the proto (`PollWorkflowTaskQueue`), for logs. */
  readonly rpcName: string
}

type AnyFunction = (...args: never[]) => unknown

/**
 * The plain-object form of a generated message class: every data field, optional and nullable,
 * which is what `Type.encode` accepts. Equivalent to the generated `IXxx` interface, which the
 * service declarations do not name for responses.
 */
export type MessageProps<C> = {
  [K in keyof C as C[K] extends AnyFunction ? never : K]?: C[K] | null
}

/** The RPC members of a generated service class (those whose `name` is a string literal). */
export type RpcMethodKeys<S> = {
  [K in keyof S]: S[K] extends { readonly name: infer N }
    ? N extends string
      ? string extends N
        ? never
        : K
      : never
    : never
}[keyof S]

/** The request type of an RPC member (the last overload is the promise form). */
export type RpcRequest<F> = F extends (request: infer Req) => Promise<unknown> ? Req : never

/** The response type of an RPC member, as a plain object. */
export type RpcResponse<F> = F extends (request: never) => Promise<infer Res>
  ? MessageProps<Res>
  : never

/** One RPC's handler. It may throw a `ServiceError` to answer with that status and details. */
export type RpcHandler<F> = (request: RpcRequest<F>, ctx: CallContext) => Promise<RpcResponse<F>>

/**
 * Handlers for a service, keyed by camelCase RPC name (`startWorkflowExecution`). Missing ones
 * answer UNIMPLEMENTED.
 */
export type ServiceHandlers<S> = { [K in RpcMethodKeys<S>]?: RpcHandler<S[K]> }

export type WorkflowServiceHandlers =
  ServiceHandlers<temporal.api.workflowservice.v1.WorkflowService>
export type OperatorServiceHandlers =
  ServiceHandlers<temporal.api.operatorservice.v1.OperatorService>

/** The camelCase names of the WorkflowService RPCs. */
export type WorkflowServiceRpc = keyof WorkflowServiceHandlers
/** The camelCase names of the OperatorService RPCs. */
export type OperatorServiceRpc = keyof OperatorServiceHandlers
