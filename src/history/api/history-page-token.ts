/**
 * The next-page token of a history read: which run, the next event to read, where the read ends,
 * and the transient workflow-task events to append after the last page (Temporal keeps these in
 * its token too, since history does not hold them). Opaque to clients; validated on the way in.
 */
import { InvalidArgumentError } from '../../common/errors.js'
import { api, type pb } from '../../common/proto.js'

export interface HistoryPageToken {
  runId: string
  nextEventId: number
  /** Exclusive end of the read, fixed by the first page. */
  endEventId: number
  transient?: pb.HistoryEvent[]
}

const HistoryType = api.history.v1.History

export function encodePageToken(t: HistoryPageToken): Uint8Array {
  const transient = t.transient?.length
    ? Buffer.from(HistoryType.encode({ events: t.transient }).finish()).toString('base64')
    : undefined
  return Buffer.from(
    JSON.stringify({ r: t.runId, n: t.nextEventId, e: t.endEventId, t: transient }),
  )
}

export function decodePageToken(bytes: Uint8Array): HistoryPageToken {
  try {
    const o = JSON.parse(Buffer.from(bytes).toString('utf8')) as {
      r: unknown
      n: unknown
      e: unknown
      t?: unknown
    }
    if (typeof o.r !== 'string' || typeof o.n !== 'number' || typeof o.e !== 'number') {
      throw new Error('bad token')
    }
    return {
      runId: o.r,
      nextEventId: o.n,
      endEventId: o.e,
      transient:
        typeof o.t === 'string' ? HistoryType.decode(Buffer.from(o.t, 'base64')).events : undefined,
    }
  } catch {
    throw new InvalidArgumentError('Invalid NextPageToken.')
  }
}

/** One page of events from `token`, and the token for the next page (empty when done). */
export async function readHistoryPage(
  read: (
    runId: string,
    min: number,
    max: number,
    maxBatches: number,
  ) => Promise<{
    events: pb.HistoryEvent[]
    nextEventId: number
  }>,
  token: HistoryPageToken,
  maxBatches: number,
): Promise<{ events: pb.HistoryEvent[]; nextPageToken: Uint8Array }> {
  const page = await read(token.runId, token.nextEventId, token.endEventId, maxBatches)
  if (page.nextEventId < token.endEventId) {
    return {
      events: page.events,
      nextPageToken: encodePageToken({ ...token, nextEventId: page.nextEventId }),
    }
  }
  return { events: [...page.events, ...(token.transient ?? [])], nextPageToken: new Uint8Array() }
}
