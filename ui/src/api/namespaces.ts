import { listNamespaces } from './workflow-service.js'
import type { NamespaceDescription } from './types.js'

/** Every namespace: there are few, but the call pages, so this follows the tokens. */
export async function allNamespaces(signal?: AbortSignal): Promise<NamespaceDescription[]> {
  const out: NamespaceDescription[] = []
  let token: string | undefined
  // A bound, in case a server hands back the same token forever.
  for (let i = 0; i < 100; i++) {
    const page = await listNamespaces(token, signal)
    out.push(...(page.namespaces ?? []))
    token = page.nextPageToken
    if (!token) break
  }
  return out
}
