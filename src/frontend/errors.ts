/**
 * Prebuilt validation errors of the frontend, with Temporal's messages
 * (`service/frontend/errors.go`), so that clients matching on text see what they would from
 * Temporal.
 */
import { InvalidArgumentError } from '../common/errors.js'

export const errNamespaceNotSet = new InvalidArgumentError('Namespace is not set on request.')
export const errNamespaceTooLong = new InvalidArgumentError('Namespace length exceeds limit.')
export const errInvalidRetentionPeriod = new InvalidArgumentError(
  'A valid retention period is not set on request.',
)
export const errBothNamespaceIdAndNameSet = new InvalidArgumentError(
  'GetNamespace operation failed. Both ID and Name specified in request.',
)
export const errInvalidNamespaceStateUpdate = new InvalidArgumentError(
  'Invalid namespace state update.',
)
export const errGlobalNamespaceNotEnabled = new InvalidArgumentError(
  'Cannot register global namespace when not enabled',
)
export const errInvalidPageSize = new InvalidArgumentError('Invalid PageSize.')
/** `common.ErrBlobSizeExceedsLimit`: one payload (input, result, memo...) over the blob limit. */
export const errBlobSizeExceedsLimit = new InvalidArgumentError('Blob data size exceeds limit.')
/** `common.ErrMemoSizeExceedsLimit`: a memo over `limit.memoSize.error`. */
export const errMemoSizeExceedsLimit = new InvalidArgumentError('Memo size exceeds limit.')

// Over `limit.maxIDLength` (service/frontend/errors.go, common/tqid/task_queue_validator.go).
export const errIdentityTooLong = new InvalidArgumentError('Identity length exceeds limit.')
export const errWorkflowIdTooLong = new InvalidArgumentError('WorkflowId length exceeds limit.')
export const errWorkflowTypeTooLong = new InvalidArgumentError('WorkflowType length exceeds limit.')
export const errSignalNameTooLong = new InvalidArgumentError('SignalName length exceeds limit.')
export const errRequestIdTooLong = new InvalidArgumentError('RequestId length exceeds limit.')
export const errUpdateIdTooLong = new InvalidArgumentError('UpdateId length exceeds limit.')
export const errTaskQueueTooLong = new InvalidArgumentError('taskQueue length exceeds limit')
