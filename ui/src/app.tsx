/** The page frame: header with navigation and the namespace switcher, then the routed screen. */
import { NamespaceSwitcher } from './components/namespace-switcher.js'
import { NamespacesPage } from './pages/namespaces-page.js'
import { TaskQueuePage } from './pages/task-queue-page.js'
import { WorkflowPage } from './pages/workflow-page.js'
import { WorkflowsPage } from './pages/workflows-page.js'
import { onLinkClick, paths, useRoute, type Route } from './router.js'

export function App() {
  const route = useRoute()
  const namespace = 'namespace' in route ? route.namespace : undefined
  return (
    <div class="app" onClick={onLinkClick}>
      <header class="topbar">
        <a class="brand" href={paths.workflows(namespace ?? 'default')}>
          Sundial
        </a>
        <nav>
          <a href={paths.workflows(namespace ?? 'default')}>Workflows</a>
          <a href={paths.namespaces()}>Namespaces</a>
        </nav>
        <NamespaceSwitcher current={namespace} />
      </header>
      <main>
        <Screen route={route} />
      </main>
    </div>
  )
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
