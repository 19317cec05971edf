/**
 * `sundial operator namespace ...` and `sundial operator search-attribute ...`, as Temporal's
 * `temporal operator` names them: RegisterNamespace, DescribeNamespace, ListNamespaces,
 * UpdateNamespace, and the OperatorService's DeleteNamespace and search-attribute RPCs. `operator
 * cluster` lives in operator-cluster.ts.
 */
import { Command, InvalidArgumentError, Option } from 'commander'
import { api, enumWord, NamespaceState } from '../../common/proto.js'
import { collect } from '../options.js'
import { CliError } from '../client/cli-error.js'
import { confirm } from '../client/confirm.js'
import { formatDuration, msFromDuration } from '../../common/time.js'
import { optionalDuration } from '../client/options.js'
import {
  collectPair,
  parseDurationArg,
  withClientOptionsOnLeaves,
  type ClientFlags,
} from '../client/options.js'
import { enumValue } from '../client/payloads.js'
import { card, table } from '../client/render.js'
import { clientAction } from '../client/run.js'
import type { ClientSession } from '../client/session.js'
import { operatorClusterCommand } from './operator-cluster.js'

const IndexedValueType = api.enums.v1.IndexedValueType
const SEARCH_ATTRIBUTE_TYPES = [
  'Text',
  'Keyword',
  'Int',
  'Double',
  'Bool',
  'Datetime',
  'KeywordList',
] as const

interface NamespaceFlags extends ClientFlags {
  retention?: number
  description?: string
  email?: string
  data: [string, string][]
  namespaceId?: string
  yes?: boolean
}

interface SearchAttributeFlags extends ClientFlags {
  name: string[]
  type: string[]
  yes?: boolean
}

/** The `operator namespace` and `operator search-attribute` command trees. */
export function operatorCommand(): Command {
  const operator = new Command('operator').description(
    'Manage namespaces, search attributes and the cluster',
  )
  const namespace = operator.command('namespace').description('Namespace operations')
  // Temporal's CLI takes the namespace as -n or as the one argument.
  const nsCommand = (name: string, description: string) =>
    namespace
      .command(name)
      .description(description)
      .argument('[namespace]', 'namespace (instead of -n)')
  const nsAction =
    (
      run: (s: ClientSession, f: NamespaceFlags) => Promise<void>,
      prepare?: (f: NamespaceFlags) => Promise<void>,
    ) =>
    (name: string | undefined, flags: NamespaceFlags) =>
      clientAction(run, prepare)({ ...flags, namespace: name ?? flags.namespace })

  // Temporal's default retention for a new namespace; an update changes only what it is given.
  withNamespaceFields(nsCommand('create', 'Register a namespace'), 72 * 3_600_000).action(
    nsAction(createNamespace),
  )
  nsCommand('describe', 'Describe a namespace')
    .option('--namespace-id <id>', 'namespace id (instead of the name)')
    .action(nsAction(describeNamespace))
  namespace.command('list').description('List namespaces').action(clientAction(listNamespaces))
  withNamespaceFields(nsCommand('update', 'Update a namespace')).action(nsAction(updateNamespace))
  nsCommand('delete', 'Delete a namespace and everything in it')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(nsAction(deleteNamespace, (f) => confirm(`Delete namespace ${f.namespace}`, f.yes)))

  const sa = operator.command('search-attribute').description('Search attribute operations')
  sa.command('create')
    .description('Add custom search attributes')
    .requiredOption('--name <name>', 'attribute name (repeatable)', collect, [])
    .addOption(
      new Option(
        '--type <type>',
        `attribute type, one per --name: ${SEARCH_ATTRIBUTE_TYPES.join(', ')}`,
      )
        .argParser(collectChoice(SEARCH_ATTRIBUTE_TYPES))
        .default([])
        .makeOptionMandatory(),
    )
    .action(clientAction(createSearchAttributes))
  sa.command('list')
    .description('List search attributes')
    .action(clientAction(listSearchAttributes))
  sa.command('remove')
    .description('Remove custom search attributes')
    .requiredOption('--name <name>', 'attribute name (repeatable)', collect, [])
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      clientAction(removeSearchAttributes, (f) =>
        confirm(`Remove search attribute(s) ${f.name.join(', ')}`, f.yes),
      ),
    )
  withClientOptionsOnLeaves(operator)
  // Added after the walk above: its leaves carry their client flags already.
  operator.addCommand(operatorClusterCommand())
  return operator
}

/** The flags of what `namespace create` and `namespace update` set. */
function withNamespaceFields(cmd: Command, defaultRetentionMs?: number): Command {
  const retention = new Option('--retention <duration>', 'how long closed workflows are kept')
  return cmd
    .addOption(
      defaultRetentionMs === undefined
        ? retention.argParser(parseDurationArg)
        : retention
            .argParser(parseDurationArg)
            .default(defaultRetentionMs, formatDuration(defaultRetentionMs)),
    )
    .option('--description <text>', 'description')
    .option('--email <address>', 'owner email')
    .option('--data <KEY=VALUE>', 'namespace data entry (repeatable)', collectPair('KEY=VALUE'), [])
}

/** A repeatable flag whose values must be among `choices`. */
export function collectChoice(choices: readonly string[]) {
  return (value: string, previous: string[]): string[] => {
    if (!choices.includes(value)) {
      throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.`)
    }
    return [...previous, value]
  }
}

async function createNamespace(s: ClientSession, f: NamespaceFlags): Promise<void> {
  const response = await s.call(`creating namespace ${s.namespace}`, () =>
    s.workflowService.registerNamespace({
      namespace: s.namespace,
      description: f.description,
      ownerEmail: f.email,
      workflowExecutionRetentionPeriod: optionalDuration(f.retention),
      data: Object.fromEntries(f.data),
    }),
  )
  s.out.message('temporal.api.workflowservice.v1.RegisterNamespaceResponse', response)
  s.out.text(`Namespace ${s.namespace} successfully registered.`)
}

type DescribeNamespaceResponse = Awaited<
  ReturnType<ClientSession['workflowService']['describeNamespace']>
>

function namespaceState(state: number | null | undefined): string {
  return enumWord(NamespaceState, state ?? 0, 'NAMESPACE_STATE_')
}

function retention(ns: DescribeNamespaceResponse): string {
  return formatDuration(msFromDuration(ns.config?.workflowExecutionRetentionTtl))
}

async function describeNamespace(s: ClientSession, f: NamespaceFlags): Promise<void> {
  const response = await s.call(`describing namespace ${f.namespaceId ?? s.namespace}`, () =>
    s.workflowService.describeNamespace(
      f.namespaceId ? { id: f.namespaceId } : { namespace: s.namespace },
    ),
  )
  s.out.message('temporal.api.workflowservice.v1.DescribeNamespaceResponse', response)
  const info = response.namespaceInfo
  const data = Object.entries(info?.data ?? {}).map(([k, v]) => `${k}=${v}`)
  s.out.text(
    card([
      ['Name', info?.name ?? ''],
      ['Id', info?.id ?? ''],
      ['State', namespaceState(info?.state)],
      ['Description', info?.description || undefined],
      ['OwnerEmail', info?.ownerEmail || undefined],
      ['Data', data.length ? data.join('\n') : undefined],
      ['Retention', retention(response)],
      ['ActiveCluster', response.replicationConfig?.activeClusterName || undefined],
      ['IsGlobalNamespace', String(response.isGlobalNamespace)],
    ]),
  )
}

async function listNamespaces(s: ClientSession): Promise<void> {
  const namespaces: DescribeNamespaceResponse[] = []
  let nextPageToken: Uint8Array | undefined
  do {
    const page = await s.call('listing namespaces', () =>
      s.workflowService.listNamespaces({ pageSize: 100, nextPageToken }),
    )
    namespaces.push(...(page.namespaces as DescribeNamespaceResponse[]))
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined
  } while (nextPageToken)
  s.out.list(
    namespaces.map((ns) =>
      s.out.protoJson('temporal.api.workflowservice.v1.DescribeNamespaceResponse', ns),
    ),
  )
  s.out.text(
    table(
      ['Name', 'Id', 'State', 'Retention', 'Description'],
      namespaces.map((ns) => [
        ns.namespaceInfo?.name ?? '',
        ns.namespaceInfo?.id ?? '',
        namespaceState(ns.namespaceInfo?.state),
        retention(ns),
        ns.namespaceInfo?.description ?? '',
      ]),
    ),
  )
}

async function updateNamespace(s: ClientSession, f: NamespaceFlags): Promise<void> {
  const updatesInfo = f.description !== undefined || f.email !== undefined || f.data.length > 0
  if (!updatesInfo && f.retention === undefined) {
    throw new CliError('nothing to update: give --retention, --description, --email or --data')
  }
  const response = await s.call(`updating namespace ${s.namespace}`, () =>
    s.workflowService.updateNamespace({
      namespace: s.namespace,
      updateInfo: updatesInfo
        ? { description: f.description, ownerEmail: f.email, data: Object.fromEntries(f.data) }
        : undefined,
      config:
        f.retention !== undefined
          ? { workflowExecutionRetentionTtl: optionalDuration(f.retention) }
          : undefined,
    }),
  )
  s.out.message('temporal.api.workflowservice.v1.UpdateNamespaceResponse', response)
  s.out.text(`Namespace ${s.namespace} update succeeded.`)
}

async function deleteNamespace(s: ClientSession): Promise<void> {
  const response = await s.call(`deleting namespace ${s.namespace}`, () =>
    s.operatorService.deleteNamespace({ namespace: s.namespace }),
  )
  s.out.message('temporal.api.operatorservice.v1.DeleteNamespaceResponse', response)
  s.out.text(`Namespace ${s.namespace} has been deleted.`)
}

async function createSearchAttributes(s: ClientSession, f: SearchAttributeFlags): Promise<void> {
  if (f.name.length !== f.type.length) {
    throw new CliError('give one --type for each --name')
  }
  const searchAttributes = Object.fromEntries(
    f.name.map((name, i) => [name, enumValue(IndexedValueType, 'INDEXED_VALUE_TYPE_', f.type[i]!)]),
  )
  const response = await s.call('adding search attributes', () =>
    s.operatorService.addSearchAttributes({ namespace: s.namespace, searchAttributes }),
  )
  s.out.message('temporal.api.operatorservice.v1.AddSearchAttributesResponse', response)
  s.out.text('Search attributes have been added')
}

async function listSearchAttributes(s: ClientSession): Promise<void> {
  const response = await s.call('listing search attributes', () =>
    s.operatorService.listSearchAttributes({ namespace: s.namespace }),
  )
  s.out.message('temporal.api.operatorservice.v1.ListSearchAttributesResponse', response)
  const rows = (attributes: Record<string, number> | null | undefined) =>
    Object.entries(attributes ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, type]) => [name, enumWord(IndexedValueType, type, 'INDEXED_VALUE_TYPE_')])
  s.out.text(
    table(
      ['Name', 'Type'],
      [...rows(response.customAttributes), ...rows(response.systemAttributes)],
    ),
  )
}

async function removeSearchAttributes(s: ClientSession, f: SearchAttributeFlags): Promise<void> {
  const response = await s.call('removing search attributes', () =>
    s.operatorService.removeSearchAttributes({
      namespace: s.namespace,
      searchAttributes: f.name,
    }),
  )
  s.out.message('temporal.api.operatorservice.v1.RemoveSearchAttributesResponse', response)
  s.out.text('Search attributes have been removed')
}
