/**
 * The internal worker calls the server's own WorkflowService handlers, as Temporal's worker
 * service calls its frontend: every start, signal or terminate a schedule or a batch job makes
 * is validated, namespace-checked and recorded exactly like a client's.
 */
import { Metadata } from '@grpc/grpc-js'
import { UnavailableError } from '../common/errors.js'
import type { CallContext, WorkflowServiceHandlers } from '../frontend/rpc-types.js'

/** The RPCs the internal worker makes. */
type UsedHandlers = Required<
  Pick<
    WorkflowServiceHandlers,
    | 'startWorkflowExecution'
    | 'signalWorkflowExecution'
    | 'requestCancelWorkflowExecution'
    | 'terminateWorkflowExecution'
    | 'deleteWorkflowExecution'
    | 'resetWorkflowExecution'
    | 'describeWorkflowExecution'
    | 'listWorkflowExecutions'
    | 'countWorkflowExecutions'
    | 'getWorkflowExecutionHistory'
  >
>

/** Those RPCs as calls of one request each; `signal` ends one call early (a long poll, say). */
export type FrontendClient = {
  [K in keyof UsedHandlers]: (
    request: Parameters<UsedHandlers[K]>[0],
    signal?: AbortSignal,
  ) => ReturnType<UsedHandlers[K]>
}

/**
 * A client over `handlers()`, read at each call: the handler map is assembled after the worker
 * (it includes the worker's own handlers). `signal` aborts the calls in flight at stop.
 */
export function frontendClient(
  handlers: () => WorkflowServiceHandlers,
  signal: AbortSignal,
): FrontendClient {
  const call =
    <K extends keyof UsedHandlers>(rpc: K) =>
    (request: Parameters<UsedHandlers[K]>[0], callSignal?: AbortSignal) => {
      const handler = handlers()[rpc] as UsedHandlers[K] | undefined
      if (!handler) throw new UnavailableError(`${rpc} is not served`)
      const ctx: CallContext = {
        signal: callSignal ? AbortSignal.any([signal, callSignal]) : signal,
        metadata: new Metadata(),
        peer: 'internal',
        deadline: Infinity,
        rpcName: rpc,
      }
      return (handler as (r: typeof request, c: CallContext) => ReturnType<UsedHandlers[K]>)(
        request,
        ctx,
      )
    }
  return {
    startWorkflowExecution: call('startWorkflowExecution'),
    signalWorkflowExecution: call('signalWorkflowExecution'),
    requestCancelWorkflowExecution: call('requestCancelWorkflowExecution'),
    terminateWorkflowExecution: call('terminateWorkflowExecution'),
    deleteWorkflowExecution: call('deleteWorkflowExecution'),
    resetWorkflowExecution: call('resetWorkflowExecution'),
    describeWorkflowExecution: call('describeWorkflowExecution'),
    listWorkflowExecutions: call('listWorkflowExecutions'),
    countWorkflowExecutions: call('countWorkflowExecutions'),
    getWorkflowExecutionHistory: call('getWorkflowExecutionHistory'),
  }
}
