/**
 * The page frame: header with navigation, the namespace switcher and (with a login) the user,
 * then the routed screen.
 */
import { NamespaceSwitcher } from './components/namespace-switcher.js'
import { UserMenu } from './components/user-menu.js'
import { BatchJobPage } from './pages/batch-job-page.js'
import { BatchJobsPage } from './pages/batch-jobs-page.js'
import { CreateSchedulePage } from './pages/create-schedule-page.js'
import { NamespacesPage } from './pages/namespaces-page.js'
import { SchedulePage } from './pages/schedule-page.js'
import { SchedulesPage } from './pages/schedules-page.js'
import { TaskQueuePage } from './pages/task-queue-page.js'
import { WorkflowPage } from './pages/workflow-page.js'
import { WorkflowsPage } from './pages/workflows-page.js'
import { onLinkClick, paths, useRoute, type Route } from './router.js'

export function App() {
  const route = useRoute()
  const namespace = 'namespace' in route ? route.namespace : undefined
  const ns = namespace ?? 'default'
  return (
    <div class="app" onClick={onLinkClick}>
      <header class="topbar">
        <a class="brand" href={paths.workflows(ns)}>
          Sundial
        </a>
        <nav>
          <a href={paths.workflows(ns)}>Workflows</a>
          <a href={paths.schedules(ns)}>Schedules</a>
          <a href={paths.batchJobs(ns)}>Batch jobs</a>
          <a href={paths.namespaces()}>Namespaces</a>
        </nav>
        <NamespaceSwitcher current={namespace} sectionFor={sectionOf(route)} />
        <UserMenu />
      </header>
      <main>
        <Screen route={route} />
      </main>
    </div>
  )
}

/** Where the namespace switcher goes: the same section of the other namespace. */
function sectionOf(route: Route): (namespace: string) => string {
  const page = route.page
  if (page === 'schedules' || page === 'schedule' || page === 'create-schedule') {
    return (ns) => paths.schedules(ns)
  }
  if (page === 'batch-jobs' || page === 'batch-job') return paths.batchJobs
  return (ns) => paths.workflows(ns)
}

function Screen({ route }: { route: Route }) {
  switch (route.page) {
    case 'namespaces':
      return <NamespacesPage />
    case 'workflows':
      return (
        <WorkflowsPage key={route.namespace} namespace={route.namespace} params={route.params} />
      )
    case 'workflow':
      return (
        <WorkflowPage
          key={`${route.namespace}/${route.workflowId}/${route.runId ?? ''}`}
          namespace={route.namespace}
          workflowId={route.workflowId}
          runId={route.runId}
          tab={route.tab}
        />
      )
    case 'task-queue':
      return <TaskQueuePage namespace={route.namespace} taskQueue={route.taskQueue} />
    case 'schedules':
      return (
        <SchedulesPage key={route.namespace} namespace={route.namespace} params={route.params} />
      )
    case 'schedule':
      return (
        <SchedulePage
          key={`${route.namespace}/${route.scheduleId}`}
          namespace={route.namespace}
          scheduleId={route.scheduleId}
        />
      )
    case 'create-schedule':
      return <CreateSchedulePage key={route.namespace} namespace={route.namespace} />
    case 'batch-jobs':
      return <BatchJobsPage key={route.namespace} namespace={route.namespace} />
    case 'batch-job':
      return (
        <BatchJobPage
          key={`${route.namespace}/${route.jobId}`}
          namespace={route.namespace}
          jobId={route.jobId}
        />
      )
    case 'not-found':
      return (
        <section>
          <h1>Not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>. <a href={paths.namespaces()}>Namespaces</a>
          </p>
        </section>
      )
  }
}
