/** Payloads on screen: decoded JSON when they are JSON, base64 with their encoding otherwise. */
import type { PayloadJson, PayloadsJson } from '../api/types.js'
import { displayPayload, payloadList } from '../format/payload.js'

export function PayloadView({ payload }: { payload: PayloadJson }) {
  const d = displayPayload(payload)
  if (d.json) return <pre class="payload json">{d.text}</pre>
  return (
    <div class="payload binary">
      <span class="encoding">{d.encoding} (base64)</span>
      <pre>{d.text}</pre>
    </div>
  )
}

export function PayloadsView({
  payloads,
  empty = 'none',
}: {
  payloads?: PayloadsJson
  empty?: string
}) {
  const list = payloadList(payloads)
  if (list.length === 0) return <span class="muted">{empty}</span>
  return (
    <div class="payloads">
      {list.map((p, i) => (
        <PayloadView key={i} payload={p} />
      ))}
    </div>
  )
}

/** A map of payloads (memo fields, search attributes) as name/value rows. */
export function PayloadMap({ fields }: { fields?: Record<string, PayloadJson> }) {
  const entries = Object.entries(fields ?? {})
  if (entries.length === 0) return <span class="muted">none</span>
  return (
    <dl class="payload-map">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>
            <PayloadView payload={v} />
          </dd>
        </div>
      ))}
    </dl>
  )
}
