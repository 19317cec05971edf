/**
 * Payloads as the UI shows them. The server writes a `json/plain` payload as its JSON value
 * (Temporal's shorthand) and any other payload as `{ metadata, data }` with base64 bytes; a
 * `Payloads` is a plain array when all of its payloads have a shorthand. Both forms reach the
 * UI, so everything that shows a payload goes through here.
 */
import {
  payloadEncoding,
  payloadJsonValue,
  type PayloadBytes,
} from '../../../src/common/payload-value.js'
import type { PayloadJson, PayloadsJson } from '../api/types.js'

/** A payload that kept its full form: metadata values and data are base64. */
export interface RawPayload {
  metadata?: Record<string, string>
  data?: string
}

/** A shorthand value could be any JSON, so this checks the exact shape of a full payload. */
export function isRawPayload(p: PayloadJson): p is RawPayload {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return false
  const keys = Object.keys(p)
  if (keys.length === 0 || keys.some((k) => k !== 'metadata' && k !== 'data')) return false
  const { metadata, data } = p as Record<string, unknown>
  return (
    (data === undefined || typeof data === 'string') &&
    metadata !== null &&
    typeof metadata === 'object' &&
    Object.values(metadata).every((v) => typeof v === 'string')
  )
}

/** The payloads of a `Payloads` in either form. */
export function payloadList(p: PayloadsJson | undefined): PayloadJson[] {
  if (p === undefined) return []
  return Array.isArray(p) ? p : (p.payloads ?? [])
}

function bytes(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
}

/** The full form's base64 decoded into the bytes the shared decoder reads; undefined if bad. */
function toBytes(p: RawPayload): PayloadBytes | undefined {
  try {
    const metadata = Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, bytes(v)]),
    )
    return { metadata, data: p.data === undefined ? undefined : bytes(p.data) }
  } catch {
    return undefined
  }
}

/** What to show for one payload: text, and whether it is JSON (then it is pretty-printed). */
export interface PayloadDisplay {
  text: string
  json: boolean
  /** The encoding of a payload shown in base64. */
  encoding?: string
}

export function displayPayload(p: PayloadJson): PayloadDisplay {
  if (p === undefined) return { text: '', json: false, encoding: 'no payload' }
  if (!isRawPayload(p)) return { text: JSON.stringify(p, null, 2) ?? 'undefined', json: true }
  const decoded = toBytes(p)
  // A JSON payload that kept its full form (extra metadata keys) is still JSON to a reader.
  const json = decoded && payloadJsonValue(decoded)
  if (json) return { text: JSON.stringify(json.value, null, 2), json: true }
  const encoding = decoded ? payloadEncoding(decoded) : ''
  return { text: p.data ?? '', json: false, encoding: encoding || 'unknown encoding' }
}

/**
 * A payload's JSON value, in either form, or undefined when it is not JSON. Search attribute
 * values (counts' group values among them) keep their full form: they carry a `type` beside
 * their encoding, which rules out the shorthand.
 */
export function payloadValue(p: PayloadJson): { value: unknown } | undefined {
  const d = displayPayload(p)
  return d.json ? { value: JSON.parse(d.text) as unknown } : undefined
}

/** One payload as a single line, for table cells and summaries. */
export function payloadInline(p: PayloadJson): string {
  const d = displayPayload(p)
  return d.json ? JSON.stringify(JSON.parse(d.text)) : `${d.encoding}: ${d.text}`
}

/** UTF-8 text in base64 (`btoa` alone takes only Latin-1). */
function textBase64(text: string): string {
  let binary = ''
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b)
  return btoa(binary)
}

/**
 * JSON values as a `Payloads` in full form (`json/plain`, base64). Typed input goes out this way
 * rather than as the shorthand, which would read a value shaped like `{ metadata, data }` as a
 * payload instead of as that value.
 */
export function jsonPayloads(values: unknown[]): { payloads: RawPayload[] } {
  const encoding = textBase64('json/plain')
  return {
    payloads: values.map((v) => ({ metadata: { encoding }, data: textBase64(JSON.stringify(v)) })),
  }
}
