/**
 * The update protocol's messages between history and the worker (temporal.api.protocol.v1):
 * requests go out on a workflow task, acceptances, rejections and responses come back with its
 * completion, each placed in the command sequence by a PROTOCOL_MESSAGE command
 * (respondworkflowtaskcompleted/workflow_task_completed_handler.go handleMessage).
 */
import { WorkflowTaskFailedCause, api, long, toNumber, type pb } from '../common/proto.js'
import type { RunKey } from '../persistence/store.js'
import { BadCommandError } from './commands/command-context.js'
import type { MutableState } from './mutable-state/mutable-state.js'
import { addUpdateAcceptedEvent, addUpdateCompletedEvent } from './mutable-state/updates.js'
import type { UpdateEntry, UpdateOutcome, UpdateRegistry } from './update-registry.js'

const update = api.update.v1
const typePrefix = 'type.googleapis.com/'

/** The request messages a workflow task carries, sequenced after `startedEventId - 1`. */
export function updateRequestMessages(
  entries: UpdateEntry[],
  startedEventId: number,
): pb.Message[] {
  return entries.map((e) => {
    e.sent = true
    // google.protobuf.Any keeps its proto field name `type_url` in this protobufjs root.
    const body = {
      type_url: `${typePrefix}temporal.api.update.v1.Request`,
      value: update.Request.encode(e.request).finish(),
    } as unknown as pb.Message['body']
    return {
      id: `${e.id}/request`,
      protocolInstanceId: e.id,
      eventId: long(startedEventId - 1),
      body,
    }
  })
}

type Decoded =
  | { kind: 'acceptance'; body: ReturnType<typeof update.Acceptance.decode> }
  | { kind: 'rejection'; body: ReturnType<typeof update.Rejection.decode> }
  | { kind: 'response'; body: ReturnType<typeof update.Response.decode> }

function badMessage(message: string): BadCommandError {
  return new BadCommandError(
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE,
    message,
  )
}

function decode(m: pb.Message): Decoded {
  const body = m.body as { type_url?: string; typeUrl?: string; value?: Uint8Array } | null
  const typeUrl = body?.type_url ?? body?.typeUrl ?? ''
  const value = body?.value ?? new Uint8Array()
  switch (typeUrl.slice(typeUrl.lastIndexOf('/') + 1)) {
    case 'temporal.api.update.v1.Acceptance':
      return { kind: 'acceptance', body: update.Acceptance.decode(value) }
    case 'temporal.api.update.v1.Rejection':
      return { kind: 'rejection', body: update.Rejection.decode(value) }
    case 'temporal.api.update.v1.Response':
      return { kind: 'response', body: update.Response.decode(value) }
    default:
      throw badMessage(`unknown protocol message body type: ${typeUrl}`)
  }
}

/**
 * Processes a completion's messages against the run: a message named by a PROTOCOL_MESSAGE
 * command when the command runs, the rest after the commands. Registry changes wait for the
 * commit (`afterCommit`), so no caller learns an outcome that could still be rolled back.
 */
export class UpdateMessages {
  private readonly pending = new Map<string, pb.Message>()
  private readonly afterCommit: (() => void)[] = []
  private eventsWritten = false

  constructor(
    messages: pb.Message[],
    private readonly registry: UpdateRegistry,
    private readonly key: RunKey,
  ) {
    for (const m of messages) this.pending.set(m.id ?? '', m)
  }

  /** True when every message is a rejection (a speculative task can then be dropped). */
  onlyRejections(): boolean {
    return [...this.pending.values()].every((m) => decode(m).kind === 'rejection')
  }

  /** The PROTOCOL_MESSAGE command naming `messageId`. */
  process(ms: MutableState, messageId: string): void {
    const m = this.pending.get(messageId)
    if (!m) throw badMessage(`ProtocolMessageCommand names unknown message ${messageId}.`)
    this.pending.delete(messageId)
    this.apply(ms, m)
  }

  /** Messages no command named, in the order they came. */
  processRest(ms: MutableState): void {
    for (const m of [...this.pending.values()]) {
      this.pending.delete(m.id ?? '')
      this.apply(ms, m)
    }
  }

  wroteEvents(): boolean {
    return this.eventsWritten
  }

  commit(): void {
    for (const f of this.afterCommit) f()
  }

  private apply(ms: MutableState, m: pb.Message): void {
    const id = m.protocolInstanceId ?? ''
    const d = decode(m)
    switch (d.kind) {
      case 'acceptance': {
        const request = d.body.acceptedRequest ?? this.registry.get(this.key, id)?.request
        addUpdateAcceptedEvent(ms, {
          updateId: id,
          acceptedRequestMessageId: d.body.acceptedRequestMessageId ?? '',
          acceptedRequestSequencingEventId: toNumber(d.body.acceptedRequestSequencingEventId),
          acceptedRequest: request,
        })
        this.eventsWritten = true
        this.afterCommit.push(() => this.registry.accepted(this.key, id))
        return
      }
      case 'response': {
        const outcome: UpdateOutcome = d.body.outcome ?? {}
        addUpdateCompletedEvent(ms, { meta: d.body.meta, outcome })
        this.eventsWritten = true
        this.afterCommit.push(() => this.registry.completed(this.key, id, outcome))
        return
      }
      case 'rejection': {
        const failure = d.body.failure ?? { message: 'update rejected' }
        this.afterCommit.push(() => this.registry.completed(this.key, id, { failure }))
        return
      }
    }
  }
}
