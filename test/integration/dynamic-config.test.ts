/**
 * Dynamic config switches that change what clients see: with updates turned off, Temporal's
 * PermissionDenied answers, and DescribeNamespace reports the capability as off.
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { api } from '../../src/common/proto.js'
import { startHarness } from './harness.js'

const { UpdateWorkflowExecutionLifecycleStage: Stage } = api.enums.v1

function update(stage: number) {
  return {
    namespace: 'default',
    workflowExecution: { workflowId: 'any' },
    request: { meta: { updateId: 'u1' }, input: { name: 'go' } },
    waitPolicy: { lifecycleStage: stage },
  }
}

test('updates switched off by dynamic config are refused with PermissionDenied', async () => {
  const asyncOff = await startHarness({ dynamicConfig: { asyncUpdate: false } })
  const allOff = await startHarness({ dynamicConfig: { syncUpdate: false } })
  after(() => Promise.all([asyncOff.close(), allOff.close()]))

  await assert.rejects(
    asyncOff.connection.workflowService.updateWorkflowExecution(
      update(Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED),
    ),
    { code: 7, details: /waiting on update accepted is disabled on this namespace/ },
  )
  // Waiting for completion is still allowed: the workflow is simply not there.
  await assert.rejects(
    asyncOff.connection.workflowService.updateWorkflowExecution(
      update(Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED),
    ),
    { code: 5 },
  )
  await assert.rejects(
    allOff.connection.workflowService.updateWorkflowExecution(
      update(Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED),
    ),
    { code: 7, details: 'UpdateWorkflowExecution operation is disabled on this namespace.' },
  )
  const { namespaceInfo } = await allOff.connection.workflowService.describeNamespace({
    namespace: 'default',
  })
  assert.equal(namespaceInfo?.capabilities?.syncUpdate, false)
})
