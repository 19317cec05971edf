import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Role, type Claims } from './claims.js'
import { authorizeClaims } from './default-authorizer.js'
import type { CallTarget } from './call-authorizer.js'

const WF = 'temporal.api.workflowservice.v1.WorkflowService'
const OP = 'temporal.api.operatorservice.v1.OperatorService'

function claims(system: Role, namespaces: Record<string, Role> = {}): Claims {
  return { subject: 'test', system, namespaces: new Map(Object.entries(namespaces)) }
}
function wf(rpc: string, namespace = 'test-namespace'): CallTarget {
  return { service: WF, rpc, namespace }
}

const none = claims(Role.Undefined)
const systemAdmin = claims(Role.Admin)
const systemWriter = claims(Role.Writer)
const systemReader = claims(Role.Reader)
const nsAdmin = claims(Role.Undefined, { 'test-namespace': Role.Admin })
const nsWriter = claims(Role.Undefined, { 'test-namespace': Role.Writer })
const nsReader = claims(Role.Undefined, { 'test-namespace': Role.Reader })
const nsWorker = claims(Role.Undefined, { 'test-namespace': Role.Worker })
const barAdmin = claims(Role.Undefined, { bar: Role.Admin })

const writeOnBar = wf('RespondWorkflowTaskCompleted', 'bar')
const writeOnBAR = wf('RespondWorkflowTaskCompleted', 'BAR')
const startWorkflow = wf('StartWorkflowExecution')
const listSearchAttributes: CallTarget = {
  service: OP,
  rpc: 'ListSearchAttributes',
  namespace: 'test-namespace',
}
const addSearchAttributes: CallTarget = {
  service: OP,
  rpc: 'AddSearchAttributes',
  namespace: 'test-namespace',
}
const listClusters: CallTarget = { service: OP, rpc: 'ListClusters', namespace: '' }
const getSystemInfo = wf('GetSystemInfo', '')
const healthCheck: CallTarget = { service: 'grpc.health.v1.Health', rpc: 'Check', namespace: '' }

// The cases of Temporal's default_authorizer_test.go, plus the worker role and cluster scope.
const cases: [string, Claims | undefined, CallTarget, boolean][] = [
  ['system admin on a write API', systemAdmin, writeOnBar, true],
  ['system admin on a cluster admin API', systemAdmin, listClusters, true],
  ['system admin on StartWorkflowExecution', systemAdmin, startWorkflow, true],
  ['system writer on a write API', systemWriter, writeOnBar, true],
  ['system writer on a cluster admin API', systemWriter, listClusters, false],
  ['system writer on StartWorkflowExecution', systemWriter, startWorkflow, true],
  ['system reader on a write API', systemReader, writeOnBar, false],
  ['system reader on StartWorkflowExecution', systemReader, startWorkflow, false],
  ['system reader on a namespace read API', systemReader, listSearchAttributes, true],
  ['namespace admin on a cluster admin API', nsAdmin, listClusters, false],
  ['namespace admin on a namespace admin API', nsAdmin, addSearchAttributes, true],
  ['namespace admin on StartWorkflowExecution', nsAdmin, startWorkflow, true],
  ['namespace admin on another namespace', nsAdmin, writeOnBar, false],
  ['bar admin on bar', barAdmin, writeOnBar, true],
  ['bar admin on BAR (case differs)', barAdmin, writeOnBAR, false],
  ['namespace writer on a namespace admin API', nsWriter, addSearchAttributes, false],
  ['namespace writer on StartWorkflowExecution', nsWriter, startWorkflow, true],
  ['namespace writer on a namespace read API', nsWriter, listSearchAttributes, true],
  ['namespace reader on StartWorkflowExecution', nsReader, startWorkflow, false],
  ['namespace reader on a namespace read API', nsReader, listSearchAttributes, true],
  ['namespace reader on a cluster read API', nsReader, wf('ListNamespaces', ''), false],
  ['namespace worker on PollWorkflowTaskQueue', nsWorker, wf('PollWorkflowTaskQueue'), true],
  ['namespace worker on a worker read API', nsWorker, wf('DescribeNamespace'), true],
  ['namespace worker on a start', nsWorker, wf('StartWorkflowExecution'), false],
  ['namespace worker on a list', nsWorker, wf('ListWorkflowExecutions'), false],
  [
    'worker and reader on a read API',
    claims(0, { 'test-namespace': Role.Worker | Role.Reader }),
    wf('DescribeNamespace'),
    true,
  ],
  [
    'worker and reader on a write API',
    claims(0, { 'test-namespace': Role.Worker | Role.Reader }),
    startWorkflow,
    false,
  ],
  [
    'system reader and namespace writer on a write API',
    claims(Role.Reader, { 'test-namespace': Role.Writer }),
    startWorkflow,
    true,
  ],
  ['no roles on GetSystemInfo', none, getSystemInfo, true],
  ['no claims on GetSystemInfo', undefined, getSystemInfo, true],
  ['no claims on the health check', undefined, healthCheck, true],
  ['no claims on a read API', undefined, wf('DescribeNamespace'), false],
  ['no roles on a read API', none, wf('DescribeNamespace'), false],
  ['system admin on an unknown method', systemAdmin, wf('NoSuchMethod'), false],
  [
    'system admin on an unknown service',
    systemAdmin,
    { service: 'x.Y', rpc: 'Z', namespace: '' },
    false,
  ],
]

describe('default authorizer', () => {
  for (const [name, c, target, allow] of cases) {
    test(name, () => {
      assert.equal(authorizeClaims(c, target).allow, allow)
    })
  }

  test('says why', () => {
    assert.equal(authorizeClaims(undefined, getSystemInfo).reason, 'health check')
    assert.equal(authorizeClaims(nsAdmin, addSearchAttributes).reason, 'namespace:admin')
    assert.equal(authorizeClaims(systemWriter, startWorkflow).reason, 'system:write')
    assert.equal(authorizeClaims(nsReader, startWorkflow).reason, 'missing role')
    assert.equal(authorizeClaims(undefined, startWorkflow).reason, 'no claims')
    assert.equal(authorizeClaims(systemAdmin, wf('Nope')).reason, 'unknown method')
    assert.equal(authorizeClaims(nsAdmin, addSearchAttributes).access, 'admin')
  })
})
