/** Protobuf values stored inside the JSON mutable state, as base64 of their encoding. */
import { api, type pb } from '../../common/proto.js'

interface Codec<T> {
  encode(m: T): { finish(): Uint8Array }
  decode(b: Uint8Array): T
}

function codec<T>(type: Codec<T>) {
  return {
    encode(value: T | null | undefined): string | undefined {
      if (value == null) return undefined
      return Buffer.from(type.encode(value).finish()).toString('base64')
    },
    decode(b64: string | undefined): T | undefined {
      if (b64 === undefined) return undefined
      return type.decode(Buffer.from(b64, 'base64'))
    },
  }
}

export const encodedFailure = codec<pb.Failure>(api.failure.v1.Failure)
export const encodedPayloads = codec<pb.Payloads>(api.common.v1.Payloads)
export const encodedMemo = codec<pb.Memo>(api.common.v1.Memo)
export const encodedSearchAttributes = codec<pb.SearchAttributes>(api.common.v1.SearchAttributes)
export const encodedEvent = codec<pb.HistoryEvent>(api.history.v1.HistoryEvent)
