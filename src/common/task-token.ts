/**
 * Task tokens are opaque to workers but must identify exactly one attempt of one task, and must
 * not be forgeable: a stale or made-up token is rejected instead of being applied to the wrong
 * attempt. Layout: version byte, 16-byte HMAC-SHA256 prefix, then the JSON body.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { InvalidArgumentError } from './errors.js'

export interface TaskToken {
  namespaceId: string
  workflowId: string
  runId: string
  scheduledEventId: number
  attempt: number
  /** Workflow tasks: the started event id the worker saw. */
  startedEventId?: number
  /** Activity tasks: the activity id, so a completion cannot land on another activity. */
  activityId?: string
  /** Query tasks: the in-memory query task the answer belongs to (Temporal's QueryTask token). */
  queryTaskId?: string
}

const VERSION = 1
const MAC_LENGTH = 16

export class TaskTokenSigner {
  constructor(private readonly key: Uint8Array) {}

  sign(token: TaskToken): Uint8Array {
    const body = Buffer.from(JSON.stringify(token))
    const mac = this.mac(body)
    return Buffer.concat([Buffer.of(VERSION), mac, body])
  }

  /** Throws InvalidArgument for anything that is not a token this server signed. */
  verify(bytes: Uint8Array | null | undefined): TaskToken {
    if (!bytes || bytes.length <= 1 + MAC_LENGTH || bytes[0] !== VERSION) {
      throw new InvalidArgumentError('Error deserializing task token.')
    }
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const mac = buf.subarray(1, 1 + MAC_LENGTH)
    const body = buf.subarray(1 + MAC_LENGTH)
    if (!timingSafeEqual(mac, this.mac(body))) {
      throw new InvalidArgumentError('Invalid task token: signature mismatch.')
    }
    try {
      const t = JSON.parse(body.toString('utf8')) as TaskToken
      if (typeof t.namespaceId !== 'string' || typeof t.runId !== 'string') throw new Error('shape')
      return t
    } catch {
      throw new InvalidArgumentError('Error deserializing task token.')
    }
  }

  private mac(body: Uint8Array): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, MAC_LENGTH)
  }
}
