/** The errors batch jobs answer with, beyond the common ones. */
import { ResourceExhaustedError, type ErrorDetail } from '../../common/errors.js'
import { api } from '../../common/proto.js'

/**
 * Another batch job is running in the namespace (Temporal's
 * `frontend.MaxConcurrentBatchOperationPerNamespace`, 1 by default): RESOURCE_EXHAUSTED with a
 * `ResourceExhaustedFailure` of cause CONCURRENT_LIMIT and scope NAMESPACE, as
 * workflow_handler.go StartBatchOperation answers.
 */
export class ConcurrentBatchLimitError extends ResourceExhaustedError {
  constructor() {
    super('Max concurrent batch operations is reached')
  }
  override detail(): ErrorDetail {
    const { ResourceExhaustedFailure } = api.errordetails.v1
    return {
      typeName: 'temporal.api.errordetails.v1.ResourceExhaustedFailure',
      value: ResourceExhaustedFailure.encode({
        cause: api.enums.v1.ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT,
        scope: api.enums.v1.ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
      }).finish(),
    }
  }
}
