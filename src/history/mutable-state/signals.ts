/** Signals delivered to a run: WorkflowExecutionSignaled, deduplicated by request id. */
import { EventType, type pb } from '../../common/proto.js'
import type { MutableState } from './mutable-state.js'
import { scheduleWorkflowTask } from './workflow-tasks.js'

/** Request ids remembered per run for dedupe (Temporal keeps them in mutable state too). */
const maxRememberedRequestIds = 1000

export function addWorkflowExecutionSignaled(
  ms: MutableState,
  args: {
    signalName: string
    input: pb.Payloads | null | undefined
    identity: string
    header: pb.Header | null | undefined
    requestId: string
  },
): void {
  const seen = (ms.data.signalRequestIds ??= [])
  if (args.requestId) {
    if (seen.includes(args.requestId)) return
    seen.push(args.requestId)
    if (seen.length > maxRememberedRequestIds) seen.shift()
  }
  ms.addEvent(
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    'workflowExecutionSignaledEventAttributes',
    {
      signalName: args.signalName,
      input: args.input,
      identity: args.identity,
      header: args.header,
    },
  )
  scheduleWorkflowTask(ms)
}
