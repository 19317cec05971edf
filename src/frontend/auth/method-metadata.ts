/**
 * What every RPC of the frontend's services touches and how: its scope (one namespace or the whole
 * cluster), the access it needs (read-only, write, admin) and whether it long-polls. The one
 * classification the authorizer reads, for gRPC and HTTP alike; transcribed from Temporal's
 * `common/api/metadata.go` (`workflowServiceMetadata`, `operatorServiceMetadata`, and the blanket
 * rule for its admin service).
 *
 * A method missing here has no metadata, and the default authorizer denies it.
 */
import { ADMIN_SERVICE } from '../admin-service.js'
import { OPERATOR_SERVICE, TEST_SERVICE, WORKFLOW_SERVICE } from '../service-definitions.js'

/** Temporal's `api.Scope`. */
export type Scope = 'namespace' | 'cluster'

/** Temporal's `api.Access`: what the default authorizer turns into the role a call needs. */
export type Access = 'readOnly' | 'write' | 'admin'

/** Temporal's `api.Polling`: whether the method can (or always does) answer a long poll. */
export type Polling = 'none' | 'capable' | 'always'

export interface MethodMetadata {
  /**
   * `namespace`: the request names one namespace (its `namespace` field), and a role in that
   * namespace or a system role is accepted. `cluster`: only a system role is accepted.
   */
  readonly scope: Scope
  /** The least access the call needs. */
  readonly access: Access
  /** Whether the method long-polls (`always`), may (`capable`) or never does (`none`). */
  readonly polling: Polling
}

function namespace(access: Access, polling: Polling = 'none'): MethodMetadata {
  return { scope: 'namespace', access, polling }
}

function cluster(access: Access, polling: Polling = 'none'): MethodMetadata {
  return { scope: 'cluster', access, polling }
}

const workflowService: Record<string, MethodMetadata> = {
  RegisterNamespace: namespace('admin'),
  DescribeNamespace: namespace('readOnly'),
  ListNamespaces: cluster('readOnly'),
  UpdateNamespace: namespace('admin'),
  DeprecateNamespace: namespace('admin'),
  StartWorkflowExecution: namespace('write'),
  GetWorkflowExecutionHistory: namespace('readOnly', 'capable'),
  GetWorkflowExecutionHistoryReverse: namespace('readOnly'),
  PollWorkflowTaskQueue: namespace('write', 'always'),
  RespondWorkflowTaskCompleted: namespace('write'),
  RespondWorkflowTaskFailed: namespace('write'),
  PollActivityTaskQueue: namespace('write', 'always'),
  RecordActivityTaskHeartbeat: namespace('write'),
  RecordActivityTaskHeartbeatById: namespace('write'),
  RespondActivityTaskCompleted: namespace('write'),
  RespondActivityTaskCompletedById: namespace('write'),
  RespondActivityTaskFailed: namespace('write'),
  RespondActivityTaskFailedById: namespace('write'),
  RespondActivityTaskCanceled: namespace('write'),
  RespondActivityTaskCanceledById: namespace('write'),
  CountActivityExecutions: namespace('readOnly'),
  CountNexusOperationExecutions: namespace('readOnly'),
  DeleteActivityExecution: namespace('write'),
  DeleteNexusOperationExecution: namespace('write'),
  DescribeActivityExecution: namespace('readOnly', 'capable'),
  DescribeNexusOperationExecution: namespace('readOnly', 'capable'),
  PollActivityExecution: namespace('readOnly', 'always'),
  PollNexusOperationExecution: namespace('readOnly', 'always'),
  ListActivityExecutions: namespace('readOnly'),
  ListNexusOperationExecutions: namespace('readOnly'),
  RequestCancelActivityExecution: namespace('write'),
  RequestCancelNexusOperationExecution: namespace('write'),
  StartActivityExecution: namespace('write'),
  StartNexusOperationExecution: namespace('write'),
  TerminateActivityExecution: namespace('write'),
  TerminateNexusOperationExecution: namespace('write'),
  PollNexusTaskQueue: namespace('write', 'always'),
  RespondNexusTaskCompleted: namespace('write'),
  RespondNexusTaskFailed: namespace('write'),
  RequestCancelWorkflowExecution: namespace('write'),
  SignalWorkflowExecution: namespace('write'),
  SignalWithStartWorkflowExecution: namespace('write'),
  ResetWorkflowExecution: namespace('write'),
  TerminateWorkflowExecution: namespace('write'),
  DeleteWorkflowExecution: namespace('write'),
  ListOpenWorkflowExecutions: namespace('readOnly'),
  ListClosedWorkflowExecutions: namespace('readOnly'),
  ListWorkflowExecutions: namespace('readOnly'),
  ListArchivedWorkflowExecutions: namespace('readOnly'),
  ScanWorkflowExecutions: namespace('readOnly'),
  CountWorkflowExecutions: namespace('readOnly'),
  GetSearchAttributes: cluster('readOnly'),
  RespondQueryTaskCompleted: namespace('write'),
  ResetStickyTaskQueue: namespace('write'),
  ShutdownWorker: namespace('write'),
  ExecuteMultiOperation: namespace('write'),
  QueryWorkflow: namespace('readOnly'),
  DescribeWorkflowExecution: namespace('readOnly'),
  DescribeTaskQueue: namespace('readOnly'),
  GetClusterInfo: cluster('readOnly'),
  GetSystemInfo: cluster('readOnly'),
  ListTaskQueuePartitions: namespace('readOnly'),
  CreateSchedule: namespace('write'),
  DescribeSchedule: namespace('readOnly'),
  UpdateSchedule: namespace('write'),
  PatchSchedule: namespace('write'),
  ListScheduleMatchingTimes: namespace('readOnly'),
  DeleteSchedule: namespace('write'),
  ListSchedules: namespace('readOnly'),
  CountSchedules: namespace('readOnly'),
  UpdateWorkerBuildIdCompatibility: namespace('write'),
  GetWorkerBuildIdCompatibility: namespace('readOnly'),
  UpdateWorkerVersioningRules: namespace('write'),
  GetWorkerVersioningRules: namespace('readOnly'),
  GetWorkerTaskReachability: namespace('readOnly'),
  UpdateWorkflowExecution: namespace('write'),
  PollWorkflowExecutionUpdate: namespace('readOnly', 'always'),
  PollWorkflowExecutionTimeSkipping: namespace('readOnly', 'always'),
  StartBatchOperation: namespace('write'),
  StopBatchOperation: namespace('write'),
  DescribeBatchOperation: namespace('readOnly'),
  ListBatchOperations: namespace('readOnly'),
  UpdateActivityOptions: namespace('write'),
  PauseActivity: namespace('write'),
  UnpauseActivity: namespace('write'),
  ResetActivity: namespace('write'),
  UpdateActivityExecutionOptions: namespace('write'),
  PauseActivityExecution: namespace('write'),
  UnpauseActivityExecution: namespace('write'),
  ResetActivityExecution: namespace('write'),
  UpdateWorkflowExecutionOptions: namespace('write'),
  DescribeDeployment: namespace('readOnly'),
  ListDeployments: namespace('readOnly'),
  GetDeploymentReachability: namespace('readOnly'),
  GetCurrentDeployment: namespace('readOnly'),
  SetCurrentDeployment: namespace('write'),
  DescribeWorkerDeploymentVersion: namespace('readOnly'),
  DescribeWorkerDeployment: namespace('readOnly'),
  SetWorkerDeploymentCurrentVersion: namespace('write'),
  SetWorkerDeploymentRampingVersion: namespace('write'),
  SetWorkerDeploymentManager: namespace('write'),
  CreateWorkerDeployment: namespace('write'),
  DeleteWorkerDeployment: namespace('write'),
  CreateWorkerDeploymentVersion: namespace('write'),
  UpdateWorkerDeploymentVersionComputeConfig: namespace('write'),
  ValidateWorkerDeploymentVersionComputeConfig: namespace('readOnly'),
  DeleteWorkerDeploymentVersion: namespace('write'),
  UpdateWorkerDeploymentVersionMetadata: namespace('write'),
  ListWorkerDeployments: namespace('readOnly'),
  CreateWorkflowRule: namespace('write'),
  DescribeWorkflowRule: namespace('readOnly'),
  DeleteWorkflowRule: namespace('write'),
  ListWorkflowRules: namespace('readOnly'),
  TriggerWorkflowRule: namespace('write'),
  RecordWorkerHeartbeat: namespace('write'),
  ListWorkers: namespace('readOnly'),
  CountWorkers: namespace('readOnly'),
  DescribeWorker: namespace('readOnly'),
  UpdateTaskQueueConfig: namespace('write'),
  FetchWorkerConfig: namespace('readOnly'),
  UpdateWorkerConfig: namespace('write'),
  PauseWorkflowExecution: namespace('write'),
  UnpauseWorkflowExecution: namespace('write'),
}

const operatorService: Record<string, MethodMetadata> = {
  AddSearchAttributes: namespace('admin'),
  RemoveSearchAttributes: namespace('admin'),
  ListSearchAttributes: namespace('readOnly'),
  DeleteNamespace: namespace('admin'),
  AddOrUpdateRemoteCluster: cluster('admin'),
  RemoveRemoteCluster: cluster('admin'),
  ListClusters: cluster('admin'),
  CreateNexusEndpoint: cluster('admin'),
  UpdateNexusEndpoint: cluster('admin'),
  DeleteNexusEndpoint: cluster('admin'),
  GetNexusEndpoint: cluster('admin'),
  ListNexusEndpoints: cluster('admin'),
}

/**
 * Temporal's TestService (the time-skipping test server), which Temporal's own server does not
 * serve, so metadata.go has no entry for it. Skipping time moves every namespace's timers, so the
 * methods are cluster-scoped and need a system role: write for locking, unlocking and sleeping
 * (what the SDK's test environment does around every `result()`), read-only for the clock.
 */
const testService: Record<string, MethodMetadata> = {
  LockTimeSkipping: cluster('write'),
  UnlockTimeSkipping: cluster('write'),
  Sleep: cluster('write'),
  SleepUntil: cluster('write'),
  UnlockTimeSkippingWithSleep: cluster('write'),
  GetCurrentTime: cluster('readOnly'),
}

/**
 * Sundial's AdminService. Temporal's `GetMethodMetadata` gives every method of its own admin
 * service cluster scope and admin access: they show the whole cluster's topology, which no
 * namespace's role covers.
 */
const adminService: Record<string, MethodMetadata> = {
  DescribeCluster: cluster('admin'),
}

/** Every classified method, by proto service full name, then proto method name. */
export const METHOD_METADATA: ReadonlyMap<
  string,
  Readonly<Record<string, MethodMetadata>>
> = new Map([
  [WORKFLOW_SERVICE, workflowService],
  [OPERATOR_SERVICE, operatorService],
  [TEST_SERVICE, testService],
  [ADMIN_SERVICE, adminService],
])

/**
 * The WorkflowService calls a worker process makes: polling and answering tasks, heartbeats,
 * history pages of a partial task, the namespace check at start, sticky queue and shutdown
 * notices. Sundial's authorizer lets the worker role make these in its namespace (Temporal's
 * default authorizer lets the worker role alone make no call: its workers need write).
 */
export const WORKER_APIS: ReadonlySet<string> = new Set([
  'DescribeNamespace',
  'GetWorkflowExecutionHistory',
  'PollWorkflowTaskQueue',
  'RespondWorkflowTaskCompleted',
  'RespondWorkflowTaskFailed',
  'RespondQueryTaskCompleted',
  'PollActivityTaskQueue',
  'RecordActivityTaskHeartbeat',
  'RecordActivityTaskHeartbeatById',
  'RespondActivityTaskCompleted',
  'RespondActivityTaskCompletedById',
  'RespondActivityTaskFailed',
  'RespondActivityTaskFailedById',
  'RespondActivityTaskCanceled',
  'RespondActivityTaskCanceledById',
  'PollNexusTaskQueue',
  'RespondNexusTaskCompleted',
  'RespondNexusTaskFailed',
  'ResetStickyTaskQueue',
  'ShutdownWorker',
  'RecordWorkerHeartbeat',
  'FetchWorkerConfig',
])

/** The metadata of `service`'s `rpc` (proto names), or undefined for an unknown method. */
export function methodMetadata(service: string, rpc: string): MethodMetadata | undefined {
  const methods = METHOD_METADATA.get(service)
  return methods !== undefined && Object.hasOwn(methods, rpc) ? methods[rpc] : undefined
}
