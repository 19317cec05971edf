import { ApiError } from '../api/client.js'

/** An error from a call, as a line of text on the page (with the gRPC code when there was one). */
export function ErrorBox({ error, prefix }: { error: Error; prefix?: string }) {
  const code = error instanceof ApiError && error.code !== undefined ? ` (code ${error.code})` : ''
  return (
    <div class="error" role="alert">
      {prefix ? `${prefix}: ` : ''}
      {error.message}
      {code}
    </div>
  )
}
