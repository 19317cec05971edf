/**
 * The encoded protobuf size of the payload-bearing messages, which is what Temporal measures
 * against its limits (`request.GetInput().Size()`, `memo.Size()`, `searchAttributes.Size()`).
 * Computed from the lengths, without encoding: the payloads measured can be megabytes.
 */
import type { pb } from './proto.js'

/** Bytes of a varint holding `n` (n >= 0). */
function varintSize(n: number): number {
  let size = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    size++
  }
  return size
}

/** A length-delimited field with a one-byte tag (field numbers below 16) and `len` bytes. */
function lengthDelimited(len: number): number {
  return 1 + varintSize(len) + len
}

function stringBytes(s: string): number {
  return Buffer.byteLength(s, 'utf8')
}

/** `Payload`: its metadata map, data and external payload details. */
export function payloadSize(p: pb.Payload | null | undefined): number {
  if (!p) return 0
  let size = 0
  for (const [key, value] of Object.entries(p.metadata ?? {})) {
    size += lengthDelimited(lengthDelimited(stringBytes(key)) + lengthDelimited(value?.length ?? 0))
  }
  const data = p.data?.length ?? 0
  if (data > 0) size += lengthDelimited(data)
  for (const ext of p.externalPayloads ?? []) {
    const bytes = Number(ext.sizeBytes ?? 0)
    size += lengthDelimited(bytes > 0 ? 1 + varintSize(bytes) : 0)
  }
  return size
}

/** `Payloads`: a repeated Payload. */
export function payloadsSize(p: pb.Payloads | null | undefined): number {
  let size = 0
  for (const payload of p?.payloads ?? []) size += lengthDelimited(payloadSize(payload))
  return size
}

/** A message whose only field is a `map<string, Payload>`: Memo, Header, SearchAttributes. */
export function payloadMapSize(fields: Record<string, pb.Payload> | null | undefined): number {
  let size = 0
  for (const [key, payload] of Object.entries(fields ?? {})) {
    size += lengthDelimited(
      lengthDelimited(stringBytes(key)) + lengthDelimited(payloadSize(payload)),
    )
  }
  return size
}
