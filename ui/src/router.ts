/**
 * Routes on the History API, in the URL shapes of Temporal's UI, so that every screen has a link
 * of its own (the server answers index.html for any path that is not a file or the API):
 *
 *   /namespaces
 *   /namespaces/{ns}/workflows?query=&status=&type=&id=
 *   /namespaces/{ns}/workflows/{workflowId}[/{runId}[/{tab}]]
 *   /namespaces/{ns}/task-queues/{taskQueue}
 *   /namespaces/{ns}/schedules?query=
 *   /namespaces/{ns}/schedules/{scheduleId}
 *   /namespaces/{ns}/create-schedule
 *   /namespaces/{ns}/batch-operations
 *   /namespaces/{ns}/batch-operations/{jobId}
 *
 * Temporal's UI creates schedules at `schedules/create`, which hides a schedule named "create";
 * a path of its own leaves every schedule id reachable.
 */
import { useEffect, useState } from 'preact/hooks'

export const DETAIL_TABS = ['history', 'pending', 'stack', 'queries', 'json'] as const
export type DetailTab = (typeof DETAIL_TABS)[number]

export type Route =
  | { page: 'namespaces' }
  | { page: 'workflows'; namespace: string; params: URLSearchParams }
  | { page: 'workflow'; namespace: string; workflowId: string; runId?: string; tab: DetailTab }
  | { page: 'task-queue'; namespace: string; taskQueue: string }
  | { page: 'schedules'; namespace: string; params: URLSearchParams }
  | { page: 'schedule'; namespace: string; scheduleId: string }
  | { page: 'create-schedule'; namespace: string }
  | { page: 'batch-jobs'; namespace: string }
  | { page: 'batch-job'; namespace: string; jobId: string }
  | { page: 'not-found'; path: string }

const enc = encodeURIComponent

export const paths = {
  namespaces: () => '/namespaces',
  workflows: (ns: string, params?: URLSearchParams) => {
    const qs = params?.toString()
    return `/namespaces/${enc(ns)}/workflows${qs ? `?${qs}` : ''}`
  },
  workflow: (ns: string, workflowId: string, runId?: string, tab?: DetailTab) =>
    `/namespaces/${enc(ns)}/workflows/${enc(workflowId)}` +
    (runId ? `/${enc(runId)}${tab ? `/${tab}` : ''}` : ''),
  taskQueue: (ns: string, taskQueue: string) =>
    `/namespaces/${enc(ns)}/task-queues/${enc(taskQueue)}`,
  schedules: (ns: string, params?: URLSearchParams) => {
    const qs = params?.toString()
    return `/namespaces/${enc(ns)}/schedules${qs ? `?${qs}` : ''}`
  },
  schedule: (ns: string, scheduleId: string) =>
    `/namespaces/${enc(ns)}/schedules/${enc(scheduleId)}`,
  createSchedule: (ns: string) => `/namespaces/${enc(ns)}/create-schedule`,
  batchJobs: (ns: string) => `/namespaces/${enc(ns)}/batch-operations`,
  batchJob: (ns: string, jobId: string) => `/namespaces/${enc(ns)}/batch-operations/${enc(jobId)}`,
}

export function parseRoute(pathname: string, search: string): Route {
  let parts: string[]
  try {
    parts = pathname.split('/').filter(Boolean).map(decodeURIComponent)
  } catch {
    return { page: 'not-found', path: pathname }
  }
  const [first, ns, section, id, runId, tab, ...rest] = parts
  if (parts.length === 0) return { page: 'workflows', namespace: 'default', params: params('') }
  if (first !== 'namespaces' || rest.length > 0) return { page: 'not-found', path: pathname }
  if (ns === undefined) return { page: 'namespaces' }
  if (section === undefined || (section === 'workflows' && id === undefined)) {
    return { page: 'workflows', namespace: ns, params: params(search) }
  }
  if (section === 'workflows' && id !== undefined) {
    const t = (tab ?? 'history') as DetailTab
    if (!DETAIL_TABS.includes(t)) return { page: 'not-found', path: pathname }
    return { page: 'workflow', namespace: ns, workflowId: id, runId, tab: t }
  }
  if (runId !== undefined) return { page: 'not-found', path: pathname }
  if (section === 'task-queues' && id !== undefined) {
    return { page: 'task-queue', namespace: ns, taskQueue: id }
  }
  if (section === 'schedules') {
    return id === undefined
      ? { page: 'schedules', namespace: ns, params: params(search) }
      : { page: 'schedule', namespace: ns, scheduleId: id }
  }
  if (section === 'create-schedule' && id === undefined) {
    return { page: 'create-schedule', namespace: ns }
  }
  if (section === 'batch-operations') {
    return id === undefined
      ? { page: 'batch-jobs', namespace: ns }
      : { page: 'batch-job', namespace: ns, jobId: id }
  }
  return { page: 'not-found', path: pathname }
}

const params = (search: string) => new URLSearchParams(search)

const NAVIGATED = 'sundial:navigated'

/** Goes to `url` inside the app; `replace` keeps the history entry (filters as they are typed). */
export function navigate(url: string, opts: { replace?: boolean } = {}): void {
  if (url === location.pathname + location.search) return
  if (opts.replace) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  window.dispatchEvent(new Event(NAVIGATED))
}

/** The current route, updated on navigation and on the back and forward buttons. */
export function useRoute(): Route {
  const read = () => parseRoute(location.pathname, location.search)
  const [route, setRoute] = useState(read)
  useEffect(() => {
    const update = () => setRoute(read())
    window.addEventListener('popstate', update)
    window.addEventListener(NAVIGATED, update)
    return () => {
      window.removeEventListener('popstate', update)
      window.removeEventListener(NAVIGATED, update)
    }
  }, [])
  return route
}

/**
 * A click on an in-app link: handled here unless the user asked for a new tab or window, so that
 * links are real links (copyable, middle-clickable) and still navigate without a reload.
 */
export function onLinkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
    return
  }
  const a = (e.target as Element | null)?.closest('a')
  if (!a || a.target || a.origin !== location.origin || a.hasAttribute('download')) return
  e.preventDefault()
  navigate(a.pathname + a.search)
}
