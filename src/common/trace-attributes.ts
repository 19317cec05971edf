/**
 * Span attribute keys Sundial's spans share (RPC, commit and store spans), besides OpenTelemetry's
 * own `rpc.*` conventions.
 */

/** The namespace name the request names. */
export const ATTR_NAMESPACE = 'temporal.namespace'
export const ATTR_WORKFLOW_ID = 'temporal.workflow_id'
export const ATTR_RUN_ID = 'temporal.run_id'
