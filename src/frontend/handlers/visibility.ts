/**
 * Visibility RPCs: ListWorkflowExecutions, ScanWorkflowExecutions, CountWorkflowExecutions, the
 * legacy ListOpen/ListClosedWorkflowExecutions and GetSearchAttributes (workflow_handler.go), and
 * OperatorService's Add/Remove/ListSearchAttributes (operator_handler.go, SQL visibility: custom
 * attributes belong to a namespace).
 */
import { InvalidArgumentError, NotFoundError } from '../../common/errors.js'
import { api, long, type pb, type temporal } from '../../common/proto.js'
import { durationFromMs, msFromTimestamp, timestampFromMs } from '../../common/time.js'
import type { VisibilityRecord, VisibilityStore } from '../../persistence/store.js'
import {
  executionStatusName,
  INDEXED_VALUE_TYPES,
  isReservedSearchAttributeName,
  SYSTEM_SEARCH_ATTRIBUTES,
} from '../../visibility/search-attributes.js'
import type { SearchAttributeRegistry } from '../../visibility/search-attribute-registry.js'
import { typeName } from '../../visibility/values.js'
import { errInvalidPageSize, errNamespaceNotSet } from '../errors.js'
import type { NamespaceRegistry } from '../namespace-registry.js'
import type { OperatorServiceHandlers, WorkflowServiceHandlers } from '../rpc-types.js'

export interface VisibilityHandlersDeps {
  store: VisibilityStore
  namespaces: NamespaceRegistry
  searchAttributes: SearchAttributeRegistry
}

type WorkflowExecutionInfo = temporal.api.workflow.v1.IWorkflowExecutionInfo

const MemoType = api.common.v1.Memo
const SearchAttributesType = api.common.v1.SearchAttributes

/** Temporal's `frontend.visibilityMaxPageSize`: the page size when none is given, and the most. */
const MAX_PAGE_SIZE = 1000

export function createVisibilityHandlers(deps: VisibilityHandlersDeps): WorkflowServiceHandlers {
  const { store, namespaces, searchAttributes } = deps

  const list = async (
    namespace: string | null | undefined,
    query: string,
    pageSize: number | null | undefined,
    pageToken: Uint8Array | null | undefined,
  ) => {
    if (!namespace) throw errNamespaceNotSet
    const ns = await namespaces.getByName(namespace)
    const types = searchAttributes.types(ns.id)
    const page = await store.listWorkflowExecutions({
      namespaceId: ns.id,
      query,
      customAttributes: types,
      pageSize: pageSizeOf(pageSize),
      pageToken: pageToken ?? undefined,
    })
    return {
      executions: page.records.map((r) => executionInfo(r, types)),
      nextPageToken: page.nextPageToken,
    }
  }

  return {
    async listWorkflowExecutions(req) {
      return list(req.namespace, req.query ?? '', req.pageSize, req.nextPageToken)
    },

    async scanWorkflowExecutions(req) {
      return list(req.namespace, req.query ?? '', req.pageSize, req.nextPageToken)
    },

    async listOpenWorkflowExecutions(req) {
      const filters = [`ExecutionStatus = 'Running'`, ...legacyFilters(req, 'StartTime')]
      return list(req.namespace, filters.join(' AND '), req.maximumPageSize, req.nextPageToken)
    },

    async listClosedWorkflowExecutions(req) {
      const filters = [`ExecutionStatus != 'Running'`, ...legacyFilters(req, 'CloseTime')]
      const status = req.statusFilter?.status
      if (status) filters.push(`ExecutionStatus = ${quote(executionStatusName(status))}`)
      return list(req.namespace, filters.join(' AND '), req.maximumPageSize, req.nextPageToken)
    },

    async countWorkflowExecutions(req) {
      if (!req.namespace) throw errNamespaceNotSet
      const ns = await namespaces.getByName(req.namespace)
      const result = await store.countWorkflowExecutions({
        namespaceId: ns.id,
        query: req.query ?? '',
        customAttributes: searchAttributes.types(ns.id),
      })
      return {
        count: long(result.count),
        groups: result.groups?.map((g) => ({
          groupValues: [keywordPayload(executionStatusName(g.status))],
          count: long(g.count),
        })),
      }
    },

    getSearchAttributes() {
      const keys: Record<string, number> = {}
      for (const [name, type] of Object.entries(SYSTEM_SEARCH_ATTRIBUTES)) {
        keys[name] = INDEXED_VALUE_TYPES[type]
      }
      for (const [name, type] of searchAttributes.allTypes()) keys[name] = type
      return Promise.resolve({ keys })
    },
  }
}

export function createOperatorVisibilityHandlers(
  deps: VisibilityHandlersDeps,
): OperatorServiceHandlers {
  const { namespaces, searchAttributes } = deps
  return {
    async addSearchAttributes(req) {
      const wanted = Object.entries(req.searchAttributes ?? {})
      if (wanted.length === 0) {
        throw new InvalidArgumentError('SearchAttributes are not set on request.')
      }
      if (!req.namespace) throw errNamespaceNotSet
      const ns = await namespaces.getByName(req.namespace)
      await searchAttributes.register(ns.id, wanted)
      return {}
    },

    async removeSearchAttributes(req) {
      const names = req.searchAttributes ?? []
      if (names.length === 0) {
        throw new InvalidArgumentError('SearchAttributes are not set on request.')
      }
      if (!req.namespace) throw errNamespaceNotSet
      const ns = await namespaces.getByName(req.namespace)
      const existing = searchAttributes.types(ns.id)
      for (const name of names) {
        if (isReservedSearchAttributeName(name)) {
          throw new InvalidArgumentError(`Unable to remove non-custom search attributes: ${name}.`)
        }
        if (!existing.has(name)) {
          throw new NotFoundError(`Search attribute ${name} doesn't exist.`)
        }
      }
      await searchAttributes.remove(ns.id, names)
      return {}
    },

    async listSearchAttributes(req) {
      if (!req.namespace) throw errNamespaceNotSet
      const ns = await namespaces.getByName(req.namespace)
      const systemAttributes: Record<string, number> = {}
      for (const [name, type] of Object.entries(SYSTEM_SEARCH_ATTRIBUTES)) {
        systemAttributes[name] = INDEXED_VALUE_TYPES[type]
      }
      const customAttributes = Object.fromEntries(searchAttributes.types(ns.id))
      return { customAttributes, systemAttributes, storageSchema: {} }
    },
  }
}

function pageSizeOf(n: number | null | undefined): number {
  const size = n ?? 0
  if (size < 0) throw errInvalidPageSize
  return size === 0 || size > MAX_PAGE_SIZE ? MAX_PAGE_SIZE : size
}

/** The filters of the legacy list requests, in the query language. */
function legacyFilters(
  req: {
    startTimeFilter?: temporal.api.filter.v1.IStartTimeFilter | null
    executionFilter?: temporal.api.filter.v1.IWorkflowExecutionFilter | null
    typeFilter?: temporal.api.filter.v1.IWorkflowTypeFilter | null
  },
  timeAttribute: 'StartTime' | 'CloseTime',
): string[] {
  const out: string[] = []
  const earliest = msFromTimestamp(req.startTimeFilter?.earliestTime)
  const latest = msFromTimestamp(req.startTimeFilter?.latestTime)
  if (earliest > 0) out.push(`${timeAttribute} >= ${quote(new Date(earliest).toISOString())}`)
  if (latest > 0) out.push(`${timeAttribute} <= ${quote(new Date(latest).toISOString())}`)
  if (req.executionFilter?.workflowId) {
    out.push(`WorkflowId = ${quote(req.executionFilter.workflowId)}`)
  }
  if (req.executionFilter?.runId) out.push(`RunId = ${quote(req.executionFilter.runId)}`)
  if (req.typeFilter?.name) out.push(`WorkflowType = ${quote(req.typeFilter.name)}`)
  return out
}

/** A string literal of the query language. */
function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

function keywordPayload(value: string): pb.Payload {
  return {
    metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from('Keyword') },
    data: Buffer.from(JSON.stringify(value)),
  }
}

/** A visibility row as list results describe a run. */
function executionInfo(
  r: VisibilityRecord,
  types: ReadonlyMap<string, number>,
): WorkflowExecutionInfo {
  const closed = r.closeTime > 0
  return {
    execution: { workflowId: r.workflowId, runId: r.runId },
    type: { name: r.workflowType },
    startTime: timestampFromMs(r.startTime),
    closeTime: closed ? timestampFromMs(r.closeTime) : null,
    status: r.status,
    historyLength: long(r.historyLength),
    parentExecution:
      r.parentWorkflowId && r.parentRunId
        ? { workflowId: r.parentWorkflowId, runId: r.parentRunId }
        : null,
    executionTime: timestampFromMs(r.executionTime),
    memo: r.memo ? MemoType.decode(r.memo) : null,
    searchAttributes: r.searchAttributePayloads
      ? typedSearchAttributes(SearchAttributesType.decode(r.searchAttributePayloads), types)
      : null,
    taskQueue: r.taskQueue,
    stateTransitionCount: long(r.stateTransitionCount),
    historySizeBytes: long(r.historySizeBytes),
    rootExecution: { workflowId: r.rootWorkflowId, runId: r.rootRunId },
    executionDuration: closed ? durationFromMs(r.closeTime - r.executionTime) : null,
  }
}

/**
 * Search attributes as Temporal returns them: each payload's `metadata.type` names its type, so
 * SDKs can decode typed attributes even when the client that set them sent no type.
 */
function typedSearchAttributes(
  sa: pb.SearchAttributes,
  types: ReadonlyMap<string, number>,
): pb.SearchAttributes {
  const indexedFields: Record<string, pb.Payload> = {}
  for (const [name, payload] of Object.entries(sa.indexedFields ?? {})) {
    if (!payload.data || payload.data.length === 0) continue
    const type = types.get(name)
    indexedFields[name] =
      type === undefined || payload.metadata?.type
        ? payload
        : { ...payload, metadata: { ...payload.metadata, type: Buffer.from(typeName(type)) } }
  }
  return { indexedFields }
}
