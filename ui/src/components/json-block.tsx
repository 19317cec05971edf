/** A JSON document, pretty-printed. */
export function JsonBlock({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre class="json" aria-label={label}>
      {JSON.stringify(value, null, 2)}
    </pre>
  )
}
