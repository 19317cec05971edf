/**
 * The seam between the transports and authorization: the gRPC server and the HTTP API call one
 * `CallAuthorizer` before any handler runs, with what the call is and its headers, so handlers
 * and the engine never see tokens (see ARCHITECTURE.md, "Security at the edge").
 */
import type { Metadata } from '@grpc/grpc-js'

/** The call being authorized (Temporal's authorization.CallTarget). */
export interface CallTarget {
  /** The proto service: `temporal.api.workflowservice.v1.WorkflowService`, ... */
  service: string
  /** The RPC's proto name: `StartWorkflowExecution`. */
  rpc: string
  /** The request's namespace; '' for calls without one. */
  namespace: string
}

/**
 * Lets the call through (resolves) or refuses it: rejects with an UnauthenticatedError (no or a
 * bad token) or a PermissionDeniedError (a token without the role the call needs).
 */
export type CallAuthorizer = (
  target: CallTarget,
  metadata: Metadata,
  peer: string,
) => Promise<void> | void
