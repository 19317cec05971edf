/**
 * Batch operation RPCs of the WorkflowService: validation with Temporal's messages and order
 * (workflow_handler.go StartBatchOperation, DescribeBatchOperation, ListBatchOperations,
 * StopBatchOperation; batcher/workflow.go ValidateBatchOperation), then the internal worker's
 * BatchOperations.
 */
import { InvalidArgumentError } from '../../common/errors.js'
import { api, enumWord, type temporal } from '../../common/proto.js'
import { parseQuery } from '../../visibility/query/parser.js'
import { QueryError } from '../../visibility/query/query-error.js'
import type { BatchJobSpec, BatchOperations } from '../../worker/batch/batch-operations.js'
import type { BatchOperationKind, Target } from '../../worker/batch/batch-state.js'
import { resetTarget } from '../../worker/batch/reset-point.js'
import { errNamespaceNotSet } from '../errors.js'
import type { NamespaceRegistry } from '../namespace-registry.js'
import type { WorkflowServiceHandlers } from '../rpc-types.js'

export interface BatchHandlersDeps {
  batches: BatchOperations
  namespaces: NamespaceRegistry
}

type StartRequest = temporal.api.workflowservice.v1.IStartBatchOperationRequest

const batch = api.batch.v1
const ExecutionType = api.enums.v1.ExecutionType
const ResetType = api.enums.v1.ResetType

/** Page size when none (or too many) is asked for (frontend.visibilityMaxPageSize). */
const MAX_PAGE_SIZE = 1000

const errRequiredParameters = new InvalidArgumentError(
  'must provide required parameters: BatchType,Reason,Namespace, AND one of (Query OR Executions OR TargetExecutions)',
)
const errJobIdNotSet = new InvalidArgumentError('JobId is not set on request.')
const errReasonNotSet = new InvalidArgumentError('Reason is not set on request.')
const errMutuallyExclusive = new InvalidArgumentError(
  'visibility query, executions, and target executions are mutually exclusive',
)

/**
 * The request's operation oneof, in proto order: its field, the Go type Temporal's messages name
 * (`%T`), and what Sundial does with it (undefined: not supported).
 */
const OPERATIONS = [
  ['terminationOperation', 'TerminationOperation', 'terminate'],
  ['signalOperation', 'SignalOperation', 'signal'],
  ['cancellationOperation', 'CancellationOperation', 'cancel'],
  ['deletionOperation', 'DeletionOperation', 'delete'],
  ['resetOperation', 'ResetOperation', 'reset'],
  ['updateWorkflowOptionsOperation', 'UpdateWorkflowOptionsOperation', undefined],
  ['unpauseActivitiesOperation', 'UnpauseActivitiesOperation', undefined],
  ['resetActivitiesOperation', 'ResetActivitiesOperation', undefined],
  ['updateActivityOptionsOperation', 'UpdateActivityOptionsOperation', undefined],
  ['cancelActivitiesOperation', 'CancelActivitiesOperation', undefined],
  ['terminateActivitiesOperation', 'TerminateActivitiesOperation', undefined],
  ['deleteActivitiesOperation', 'DeleteActivitiesOperation', undefined],
] as const satisfies readonly (readonly [
  keyof StartRequest,
  string,
  BatchOperationKind | undefined,
])[]

export function createBatchHandlers(deps: BatchHandlersDeps): WorkflowServiceHandlers {
  const { batches, namespaces } = deps
  return {
    async startBatchOperation(req) {
      const spec = checkStartRequest(req)
      const ns = await namespaces.getByName(req.namespace!)
      await batches.start(ns, spec)
      return {}
    },

    async describeBatchOperation(req) {
      if (!req.jobId) throw errJobIdNotSet
      if (!req.namespace) throw errNamespaceNotSet
      return batches.describe(await namespaces.getByName(req.namespace), req.jobId)
    },

    async listBatchOperations(req) {
      if (!req.namespace) throw errNamespaceNotSet
      const ns = await namespaces.getByName(req.namespace)
      const size = req.pageSize ?? 0
      const pageSize = size <= 0 || size > MAX_PAGE_SIZE ? MAX_PAGE_SIZE : size
      const token = req.nextPageToken?.length ? req.nextPageToken : undefined
      return batches.list(ns, pageSize, token)
    },

    async stopBatchOperation(req) {
      if (!req.jobId) throw errJobIdNotSet
      if (!req.namespace) throw errNamespaceNotSet
      if (!req.reason) throw errReasonNotSet
      const ns = await namespaces.getByName(req.namespace)
      await batches.stop(ns, req.jobId, req.reason, req.identity ?? '')
      return {}
    },
  }
}

/** StartBatchOperation's checks, in Temporal's order; the job as BatchOperations takes it. */
function checkStartRequest(req: StartRequest): BatchJobSpec {
  const operation = OPERATIONS.find(([field]) => req[field] != null)
  const query = req.visibilityQuery ?? ''
  const executions = req.executions ?? []
  const targets = req.targetExecutions ?? []
  const selectors = [query !== '', executions.length > 0, targets.length > 0].filter(Boolean)
  if (!operation || !req.reason || !req.namespace || selectors.length === 0) {
    throw errRequiredParameters
  }
  if (!req.jobId) throw errJobIdNotSet
  if (selectors.length > 1) throw errMutuallyExclusive
  const [, goName, kind] = operation
  const goType = `*workflowservice.StartBatchOperationRequest_${goName}`
  if (kind === undefined) {
    throw new InvalidArgumentError(`The operation type ${goType} is not supported`)
  }
  targets.forEach((t, i) => {
    const type = t.type ?? ExecutionType.EXECUTION_TYPE_UNSPECIFIED
    // A workflow operation takes WORKFLOW targets (left unspecified, a target is a workflow).
    if (type !== ExecutionType.EXECUTION_TYPE_WORKFLOW && type !== 0) {
      const word = enumWord(ExecutionType, type, 'EXECUTION_TYPE_')
      throw new InvalidArgumentError(
        `target_executions[${i}] has type ${word}, but operation ${goType} requires Workflow`,
      )
    }
  })
  const message = checkOperation(req, kind)
  if (query !== '') checkQuery(query)
  const list: Target[] | undefined =
    executions.length > 0
      ? executions.map((e) => [e.workflowId ?? '', e.runId ?? ''])
      : targets.length > 0
        ? targets.map((t) => [t.businessId ?? '', t.runId ?? ''])
        : undefined
  return {
    jobId: req.jobId,
    operation: kind,
    message: message.bytes,
    reason: req.reason,
    identity: message.identity,
    query: query === '' ? undefined : query,
    executions: list,
    maxOperationsPerSecond: req.maxOperationsPerSecond ?? 0,
  }
}

/** The operation's own checks (ValidateBatchOperation), and its message encoded for the job. */
function checkOperation(
  req: StartRequest,
  kind: BatchOperationKind,
): { bytes: Uint8Array; identity: string } {
  switch (kind) {
    case 'terminate': {
      const op = req.terminationOperation!
      return {
        bytes: batch.BatchOperationTermination.encode(op).finish(),
        identity: op.identity ?? '',
      }
    }
    case 'cancel': {
      const op = req.cancellationOperation!
      return {
        bytes: batch.BatchOperationCancellation.encode(op).finish(),
        identity: op.identity ?? '',
      }
    }
    case 'delete': {
      const op = req.deletionOperation!
      return {
        bytes: batch.BatchOperationDeletion.encode(op).finish(),
        identity: op.identity ?? '',
      }
    }
    case 'signal': {
      const op = req.signalOperation!
      if (!op.signal) throw new InvalidArgumentError('must provide signal name')
      return { bytes: batch.BatchOperationSignal.encode(op).finish(), identity: op.identity ?? '' }
    }
    case 'reset': {
      const op = req.resetOperation!
      checkReset(op)
      return { bytes: batch.BatchOperationReset.encode(op).finish(), identity: op.identity ?? '' }
    }
  }
}

function checkReset(op: temporal.api.batch.v1.IBatchOperationReset): void {
  const options = op.options
  if (options) {
    const target = resetTarget(options)
    if (!target) throw new InvalidArgumentError('batch reset missing target')
    // The build id target needs the reset points of versioned workers, which Sundial does not
    // record.
    if (target === 'buildId') {
      throw new InvalidArgumentError('batch reset to a build id is not supported')
    }
    return
  }
  const type = op.resetType ?? ResetType.RESET_TYPE_UNSPECIFIED
  if (
    type !== ResetType.RESET_TYPE_FIRST_WORKFLOW_TASK &&
    type !== ResetType.RESET_TYPE_LAST_WORKFLOW_TASK
  ) {
    const word =
      ResetType[type] === undefined ? String(type) : enumWord(ResetType, type, 'RESET_TYPE_')
    throw new InvalidArgumentError(`unknown batch reset type ${word}`)
  }
}

/**
 * The query's syntax, as Temporal parses it before starting the job; its attributes are checked
 * when the job runs it (an unknown one fails the job). The job narrows the query with its own
 * conditions and pages it in visibility's order, so an ORDER BY or GROUP BY is refused here.
 */
function checkQuery(query: string): void {
  try {
    const parsed = parseQuery(query)
    if (parsed.orderBy.length > 0 || parsed.groupBy.length > 0) {
      throw new InvalidArgumentError(
        'invalid visibility query: ORDER BY and GROUP BY are not supported in a batch operation',
      )
    }
  } catch (e: unknown) {
    if (e instanceof QueryError) {
      throw new InvalidArgumentError(
        `invalid visibility query: ${e.problem} at position ${e.position}`,
      )
    }
    throw e
  }
}
