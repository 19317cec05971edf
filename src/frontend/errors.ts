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

/** Temporal's default `limit.blobSize.error`: 2 MiB per payload. */
export const DEFAULT_BLOB_SIZE_LIMIT_BYTES = 2 * 1024 * 1024

/**
 * Throws {@link errBlobSizeExceedsLimit} when `size` exceeds `limit`. Handlers call it for each
 * payload-bearing field; the whole request is already capped by the gRPC receive limit.
 */
export function checkBlobSize(size: number, limit = DEFAULT_BLOB_SIZE_LIMIT_BYTES): void {
  if (size > limit) throw errBlobSizeExceedsLimit
}
