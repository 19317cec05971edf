import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  operatorServiceDefinition,
  testServiceDefinition,
  workflowServiceDefinition,
  type ReflectedServiceDefinition,
} from '../service-definitions.js'
import { adminServiceDefinition } from '../admin-service.js'
import { METHOD_METADATA, methodMetadata } from './method-metadata.js'

const services: [string, ReflectedServiceDefinition][] = [
  ['WorkflowService', workflowServiceDefinition()],
  ['OperatorService', operatorServiceDefinition()],
  ['TestService', testServiceDefinition()],
  ['AdminService', adminServiceDefinition()],
]

describe('method metadata', () => {
  for (const [label, service] of services) {
    test(`classifies every ${label} method, and nothing else`, () => {
      const served = service.methods.map((m) => m.name).sort()
      const classified = Object.keys(METHOD_METADATA.get(service.fullName) ?? {}).sort()
      assert.deepEqual(classified, served)
      for (const name of served) {
        const m = methodMetadata(service.fullName, name)
        assert.ok(m, name)
        assert.ok(['namespace', 'cluster'].includes(m.scope), name)
        assert.ok(['readOnly', 'write', 'admin'].includes(m.access), name)
      }
    })
  }

  test('an unknown method or service has no metadata', () => {
    const wf = workflowServiceDefinition().fullName
    assert.equal(methodMetadata(wf, 'NoSuchMethod'), undefined)
    assert.equal(methodMetadata(wf, 'toString'), undefined)
    assert.equal(methodMetadata(wf, '__proto__'), undefined)
    assert.equal(
      methodMetadata('temporal.server.api.adminservice.v1.AdminService', 'DescribeMutableState'),
      undefined,
    )
    assert.equal(methodMetadata('grpc.health.v1.Health', 'Check'), undefined)
  })

  test('spot checks against metadata.go', () => {
    const wf = workflowServiceDefinition().fullName
    const op = operatorServiceDefinition().fullName
    assert.deepEqual(methodMetadata(wf, 'StartWorkflowExecution'), {
      scope: 'namespace',
      access: 'write',
      polling: 'none',
    })
    assert.deepEqual(methodMetadata(wf, 'PollWorkflowTaskQueue'), {
      scope: 'namespace',
      access: 'write',
      polling: 'always',
    })
    assert.equal(methodMetadata(wf, 'RegisterNamespace')?.access, 'admin')
    assert.equal(methodMetadata(wf, 'RegisterNamespace')?.scope, 'namespace')
    assert.equal(methodMetadata(wf, 'ListNamespaces')?.scope, 'cluster')
    assert.equal(methodMetadata(wf, 'GetSearchAttributes')?.scope, 'cluster')
    assert.equal(methodMetadata(wf, 'QueryWorkflow')?.access, 'readOnly')
    assert.equal(methodMetadata(op, 'ListSearchAttributes')?.access, 'readOnly')
    assert.equal(methodMetadata(op, 'AddSearchAttributes')?.scope, 'namespace')
    assert.deepEqual(methodMetadata(op, 'ListClusters'), {
      scope: 'cluster',
      access: 'admin',
      polling: 'none',
    })
    assert.deepEqual(methodMetadata('sundial.admin.v1.AdminService', 'DescribeCluster'), {
      scope: 'cluster',
      access: 'admin',
      polling: 'none',
    })
  })
})
