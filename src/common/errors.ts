/**
 * Service errors, mirroring api-go's `serviceerror` package: each error knows its gRPC status
 * code and, where Temporal sends one, the typed failure detail that the SDK decodes into its own
 * error class (`WorkflowExecutionAlreadyStartedError`, `NamespaceNotFoundError`, ...).
 */
import { status as GrpcStatus } from '@grpc/grpc-js'
import { api, enumWord, type temporal } from './proto.js'

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

/**
 * A namespace in a state the call does not allow (api-go `serviceerror/namespace_invalid_state.go`):
 * FailedPrecondition with `NamespaceInvalidStateFailure`.
 */
export class NamespaceInvalidStateError extends ServiceError {
  readonly code = GrpcStatus.FAILED_PRECONDITION
  constructor(
    readonly namespace: string,
    readonly state: number,
    readonly allowedStates: number[],
  ) {
    const word = (s: number) => enumWord(api.enums.v1.NamespaceState, s, 'NAMESPACE_STATE_')
    super(
      `Namespace has invalid state: ${word(state)}. Must be ${allowedStates.map(word).join(' or ')}.`,
    )
  }
  override detail(): ErrorDetail {
    return detailOf(details.NamespaceInvalidStateFailure, 'NamespaceInvalidStateFailure', {
      namespace: this.namespace,
      state: this.state,
      allowedStates: this.allowedStates,
    })
  }
}

export class AlreadyExistsError extends ServiceError {
  readonly code = GrpcStatus.ALREADY_EXISTS
}

export class ResourceExhaustedError extends ServiceError {
  readonly code = GrpcStatus.RESOURCE_EXHAUSTED
}

/**
 * A worker answered a query with a failure (api-go `serviceerror/query_failed.go`): InvalidArgument
 * carrying `QueryFailedFailure`, whose failure the SDK decodes (the TypeScript client reports any
 * InvalidArgument from QueryWorkflow as `QueryNotRegisteredError`).
 */
export class QueryFailedError extends ServiceError {
  readonly code = GrpcStatus.INVALID_ARGUMENT
  constructor(
    message: string,
    readonly failure?: temporal.api.failure.v1.IFailure | null,
  ) {
    super(message)
  }
  override detail(): ErrorDetail {
    return detailOf(details.QueryFailedFailure, 'QueryFailedFailure', { failure: this.failure })
  }
}

/**
 * Server-internal (Temporal's common/serviceerror/sticky_worker_unavailable.go): matching refuses
 * work for a sticky queue whose worker has not polled lately, and the caller uses the normal queue.
 */
export class StickyWorkerUnavailableError extends ServiceError {
  readonly code = GrpcStatus.UNAVAILABLE
  constructor() {
    super('sticky worker unavailable, please use original task queue.')
  }
}

/** The run cannot answer yet (api-go `serviceerror/workflow_not_ready.go`): FailedPrecondition. */
export class WorkflowNotReadyError extends ServiceError {
  readonly code = GrpcStatus.FAILED_PRECONDITION
  override detail(): ErrorDetail {
    return detailOf(details.WorkflowNotReadyFailure, 'WorkflowNotReadyFailure', {})
  }
}

export class UnavailableError extends ServiceError {
  readonly code = GrpcStatus.UNAVAILABLE
}

export class PermissionDeniedError extends ServiceError {
  readonly code = GrpcStatus.PERMISSION_DENIED
}

/** No credentials, or credentials that do not verify (a bad, expired or unknown token). */
export class UnauthenticatedError extends ServiceError {
  readonly code = GrpcStatus.UNAUTHENTICATED
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

/**
 * An operation of ExecuteMultiOperation failed: the status of each operation, the failing one's
 * with its own code and detail, the others aborted (api-go serviceerror/multi_op.go).
 */
export class MultiOperationExecutionError extends ServiceError {
  readonly code: GrpcStatus
  constructor(
    readonly failedIndex: number,
    readonly operationError: ServiceError,
    readonly operationCount: number,
  ) {
    super('MultiOperation could not be executed.')
    this.code = operationError.code
  }
  override detail(): ErrorDetail {
    const any = (typeName: string, value: Uint8Array) => ({
      type_url: `type.googleapis.com/${typeName}`,
      value,
    })
    const inner = this.operationError.detail()
    const statuses = Array.from({ length: this.operationCount }, (_, i) =>
      i === this.failedIndex
        ? {
            code: this.operationError.code,
            message: this.operationError.message,
            details: inner ? [any(inner.typeName, inner.value)] : [],
          }
        : {
            code: GrpcStatus.ABORTED,
            message: 'Operation was aborted.',
            details: [
              any('temporal.api.failure.v1.MultiOperationExecutionAborted', new Uint8Array()),
            ],
          },
    )
    return detailOf(
      details.MultiOperationExecutionFailure as never,
      'MultiOperationExecutionFailure',
      { statuses } as never,
    )
  }
}
