/**
 * `sundial operator namespace create | describe | list | update | delete` and `sundial operator
 * search-attribute create | list | remove` against a live server, in text and JSON, checked
 * against what the server answers the SDK's connection.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { long } from '../../src/common/proto.js'
import { eventually } from '../integration/harness.js'
import {
  cardFields,
  startCliHarness,
  tableRows,
  uid,
  type CliHarness,
} from './workflow-cli-harness.js'

let h: CliHarness
before(async () => {
  h = await startCliHarness()
})
after(() => h.close())

const describeNamespace = (namespace: string) =>
  h.connection.workflowService.describeNamespace({ namespace })

test('namespace create, describe, list and update', async () => {
  const ns = uid('ns')
  const created = await h.run([
    'operator',
    'namespace',
    'create',
    '-n',
    ns,
    '--retention',
    '3d',
    '--description',
    'made by the CLI',
    '--email',
    'ops@example.com',
    '--data',
    'team=payments',
  ])
  assert.equal(created.code, 0, created.stderr)
  assert.equal(created.stdout, `Namespace ${ns} successfully registered.\n`)
  const positional = uid('ns')
  const second = await h.run(['operator', 'namespace', 'create', positional])
  assert.equal(second.code, 0, second.stderr)
  assert.equal((await describeNamespace(positional)).namespaceInfo?.name, positional)

  const rpc = await describeNamespace(ns)
  const [text, json, list, listJson, again] = await Promise.all([
    h.run(['operator', 'namespace', 'describe', ns]),
    h.json<Record<string, Record<string, unknown>>>(`operator namespace describe -n ${ns}`),
    h.run(['operator', 'namespace', 'list']),
    h.json<Record<string, Record<string, unknown>>[]>(['operator', 'namespace', 'list']),
    h.run(['operator', 'namespace', 'create', '-n', ns]),
  ])
  assert.equal(text.code, 0, text.stderr)
  assert.deepEqual(cardFields(text.stdout), {
    Name: ns,
    Id: rpc.namespaceInfo!.id!,
    State: 'Registered',
    Description: 'made by the CLI',
    OwnerEmail: 'ops@example.com',
    Data: 'team=payments',
    Retention: '72h0m0s',
    ActiveCluster: rpc.replicationConfig!.activeClusterName!,
    IsGlobalNamespace: 'false',
  })
  assert.equal(json.namespaceInfo!.name, ns)
  assert.equal(json.namespaceInfo!.id, rpc.namespaceInfo!.id)
  assert.equal(json.namespaceInfo!.state, 'NAMESPACE_STATE_REGISTERED')
  assert.deepEqual(json.namespaceInfo!.data, { team: 'payments' })
  assert.equal(json.config!.workflowExecutionRetentionTtl, '259200s')

  const rows = tableRows(list.stdout)
  assert.deepEqual(rows[0], ['Name', 'Id', 'State', 'Retention', 'Description'])
  assert.deepEqual(
    rows.find((r) => r[0] === ns),
    [ns, rpc.namespaceInfo!.id, 'Registered', '72h0m0s', 'made by the CLI'],
  )
  const names = listJson.map((n) => n.namespaceInfo!.name)
  assert.ok(names.includes('default') && names.includes(ns) && names.includes(positional))

  assert.equal(again.code, 1)
  assert.match(
    again.stderr,
    new RegExp(`^sundial: creating namespace ${ns} failed: .*\\(ALREADY_EXISTS\\)\\n$`),
  )

  const updated = await h.run(
    `operator namespace update -n ${ns} --description changed --retention 36h`,
  )
  assert.equal(updated.code, 0, updated.stderr)
  assert.equal(updated.stdout, `Namespace ${ns} update succeeded.\n`)
  const after = await describeNamespace(ns)
  assert.equal(after.namespaceInfo?.description, 'changed')
  assert.equal(after.config?.workflowExecutionRetentionTtl?.seconds?.toString(), String(36 * 3600))
  const nothing = await h.run(['operator', 'namespace', 'update', '-n', ns])
  assert.equal(nothing.code, 1)
  assert.match(nothing.stderr, /nothing to update/)
})

test('namespace delete asks for -y without a terminal, then deletes', async () => {
  const ns = uid('gone')
  await h.connection.workflowService.registerNamespace({
    namespace: ns,
    workflowExecutionRetentionPeriod: { seconds: long(86_400) },
  })
  const refused = await h.run(['operator', 'namespace', 'delete', ns])
  assert.equal(refused.code, 1)
  assert.match(refused.stderr, new RegExp(`Delete namespace ${ns} needs confirmation`))
  assert.equal((await describeNamespace(ns)).namespaceInfo?.name, ns)

  const deleted = await h.run(['operator', 'namespace', 'delete', ns, '--yes'])
  assert.equal(deleted.code, 0, deleted.stderr)
  assert.equal(deleted.stdout, `Namespace ${ns} has been deleted.\n`)
  await eventually(() => assert.rejects(describeNamespace(ns), /not found/))
  const missing = await h.run(['operator', 'namespace', 'describe', ns])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /\(NOT_FOUND\)\n$/)
})

test('search-attribute create, list and remove', async () => {
  const [keyword, int] = [
    uid('CliKeyword').replaceAll('-', '_'),
    uid('CliInt').replaceAll('-', '_'),
  ]
  const created = await h.run(
    `operator search-attribute create --name ${keyword} --type Keyword --name ${int} --type Int`,
  )
  assert.equal(created.code, 0, created.stderr)
  assert.equal(created.stdout, 'Search attributes have been added\n')

  const [text, json, sdk] = await Promise.all([
    h.run(['operator', 'search-attribute', 'list']),
    h.json<{ customAttributes: Record<string, string>; systemAttributes: Record<string, string> }>(
      `operator search-attribute list`,
    ),
    h.connection.operatorService.listSearchAttributes({ namespace: 'default' }),
  ])
  const rows = tableRows(text.stdout)
  assert.deepEqual(rows[0], ['Name', 'Type'])
  assert.deepEqual(
    rows.find((r) => r[0] === keyword),
    [keyword, 'Keyword'],
  )
  assert.deepEqual(
    rows.find((r) => r[0] === int),
    [int, 'Int'],
  )
  assert.deepEqual(
    rows.find((r) => r[0] === 'WorkflowType'),
    ['WorkflowType', 'Keyword'],
  )
  assert.equal(
    rows.length - 1,
    Object.keys(sdk.customAttributes).length + Object.keys(sdk.systemAttributes).length,
  )
  assert.equal(json.customAttributes[keyword], 'INDEXED_VALUE_TYPE_KEYWORD')
  assert.equal(json.customAttributes[int], 'INDEXED_VALUE_TYPE_INT')
  assert.equal(json.systemAttributes.StartTime, 'INDEXED_VALUE_TYPE_DATETIME')

  const [refused, mismatched, badType] = await Promise.all([
    h.run(['operator', 'search-attribute', 'remove', '--name', keyword]),
    h.run(`operator search-attribute create --name A --name B --type Int`),
    h.run(['operator', 'search-attribute', 'create', '--name', 'A', '--type', 'Number']),
  ])
  assert.equal(refused.code, 1)
  assert.match(refused.stderr, /needs confirmation, and stdin is not a terminal: pass -y\/--yes/)
  assert.equal(mismatched.code, 1)
  assert.equal(mismatched.stderr, 'sundial: give one --type for each --name\n')
  assert.equal(badType.code, 1)
  assert.match(
    badType.stderr,
    /Allowed choices are Text, Keyword, Int, Double, Bool, Datetime, KeywordList/,
  )

  const removed = await h.run(['operator', 'search-attribute', 'remove', '--name', keyword, '-y'])
  assert.equal(removed.code, 0, removed.stderr)
  assert.equal(removed.stdout, 'Search attributes have been removed\n')
  const left = await h.connection.operatorService.listSearchAttributes({ namespace: 'default' })
  assert.equal(left.customAttributes[keyword], undefined)
  assert.ok(left.customAttributes[int])
})
