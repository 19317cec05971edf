/**
 * What a payload holds, for people to read: the one decoder behind the CLI's text output, the
 * HTTP API's payload shorthand and the Web UI. It uses no Node.js API (the UI bundles it too).
 */

/** A payload's bytes as protobufjs decodes them; the UI turns its base64 JSON into the same. */
export interface PayloadBytes {
  metadata?: Record<string, Uint8Array> | null
  data?: Uint8Array | null
}

const utf8 = new TextDecoder()

/** A metadata value (or the data) as text. */
export function payloadText(bytes: Uint8Array | null | undefined): string {
  return bytes ? utf8.decode(bytes) : ''
}

/** The payload's `encoding` metadata (`json/plain`, `binary/null`, ...); '' when it has none. */
export function payloadEncoding(payload: PayloadBytes): string {
  return payloadText(payload.metadata?.encoding)
}

/**
 * The JSON value of a `json/plain` payload (whatever other metadata it carries: a search
 * attribute's value has its `type` beside the encoding), the JSON object of a `json/protobuf`
 * payload, or null for `binary/null`; undefined for anything else, or data that is not JSON.
 */
export function payloadJsonValue(payload: PayloadBytes): { value: unknown } | undefined {
  const encoding = payloadEncoding(payload)
  if (encoding === 'binary/null') return { value: null }
  if (encoding !== 'json/plain' && encoding !== 'json/protobuf') return undefined
  try {
    return { value: JSON.parse(payloadText(payload.data)) as unknown }
  } catch {
    return undefined
  }
}
