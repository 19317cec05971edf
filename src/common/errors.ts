/**
 * Service errors, mirroring api-go's `serviceerror` package: each error knows its gRPC status
 * code and, where Temporal sends one, the typed failure detail that the SDK decodes into its own
 * error class (`WorkflowExecutionAlreadyStartedError`, `NamespaceNotFoundError`, ...).
 */
import { status as GrpcStatus } from '@grpc/grpc-js'
import { api } from './proto.js'

/** A protobuf message to put in `google.rpc.Status.details`, by its full type name. */
export interface ErrorDetail {
  typeName: string
  value: Uint8Array
}

export abstract class ServiceError extends Error {
  abstract readonly code: GrpcStatus
  detail(): ErrorDetail | undefined {
    return undefined
  }
}

const details = api.errordetails.v1

function detailOf<T extends object>(
  type: { encode(m: T): { finish(): Uint8Array }; fullName?: string },
  name: string,
  value: T,
): ErrorDetail {
  return { typeName: `temporal.api.errordetails.v1.${name}`, value: type.encode(value).finish() }
}

export class InvalidArgumentError extends ServiceError {
  readonly code = GrpcStatus.INVALID_ARGUMENT
}

export class NotFoundError extends ServiceError {
  readonly code = GrpcStatus.NOT_FOUND
}

export class NamespaceNotFoundError extends ServiceError {
  readonly code = GrpcStatus.NOT_FOUND
  constructor(readonly namespace: string) {
    super(`Namespace ${namespace} is not found.`)
  }
  override detail(): ErrorDetail {
    return detailOf(details.NamespaceNotFoundFailure, 'NamespaceNotFoundFailure', {
      namespace: this.namespace,
    })
  }
}

export class NamespaceAlreadyExistsError extends ServiceError {
  readonly code = GrpcStatus.ALREADY_EXISTS
  override detail(): ErrorDetail {
    return detailOf(details.NamespaceAlreadyExistsFailure, 'NamespaceAlreadyExistsFailure', {})
  }
}

export class WorkflowExecutionAlreadyStartedError extends ServiceError {
  readonly code = GrpcStatus.ALREADY_EXISTS
  constructor(
    message: string,
    readonly startRequestId: string,
    readonly runId: string,
  ) {
    super(message)
  }
  override detail(): ErrorDetail {
    return detailOf(
      details.WorkflowExecutionAlreadyStartedFailure,
      'WorkflowExecutionAlreadyStartedFailure',
      { startRequestId: this.startRequestId, runId: this.runId },
    )
  }
}

export class FailedPreconditionError extends ServiceError {
  readonly code = GrpcStatus.FAILED_PRECONDITION
}

export class AlreadyExistsError extends ServiceError {
  readonly code = GrpcStatus.ALREADY_EXISTS
}

export class ResourceExhaustedError extends ServiceError {
  readonly code = GrpcStatus.RESOURCE_EXHAUSTED
}

export class UnavailableError extends ServiceError {
  readonly code = GrpcStatus.UNAVAILABLE
}

export class PermissionDeniedError extends ServiceError {
  readonly code = GrpcStatus.PERMISSION_DENIED
}

export class UnimplementedError extends ServiceError {
  readonly code = GrpcStatus.UNIMPLEMENTED
}

export class DeadlineExceededError extends ServiceError {
  readonly code = GrpcStatus.DEADLINE_EXCEEDED
}

export class CanceledError extends ServiceError {
  readonly code = GrpcStatus.CANCELLED
}

export class InternalError extends ServiceError {
  readonly code = GrpcStatus.INTERNAL
}

/** Normalises anything thrown into an Error. */
export function ensureError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e))
}
