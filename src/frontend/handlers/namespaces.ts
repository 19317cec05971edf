/**
 * RegisterNamespace, DescribeNamespace, ListNamespaces, UpdateNamespace and DeprecateNamespace,
 * after Temporal's `service/frontend/namespace_handler.go` for a single-cluster server without
 * global namespaces or archival: requests naming another cluster, a global namespace or archival
 * are refused.
 */
import { InvalidArgumentError, NamespaceNotFoundError } from '../../common/errors.js'
import { api, long, NamespaceState, toNumber, type pb, type temporal } from '../../common/proto.js'
import { durationFromMs, msFromDuration } from '../../common/time.js'
import {
  errBothNamespaceIdAndNameSet,
  errGlobalNamespaceNotEnabled,
  errInvalidNamespaceStateUpdate,
  errInvalidPageSize,
  errInvalidRetentionPeriod,
  errNamespaceNotSet,
  errNamespaceTooLong,
} from '../errors.js'
import { DEFAULT_BLOB_SIZE_LIMIT_BYTES, DEFAULT_MEMO_SIZE_LIMIT_BYTES } from '../limits.js'
import { DEFAULT_MAX_RECEIVE_MESSAGE_BYTES } from '../grpc-server.js'
import {
  CLUSTER_NAME,
  DEFAULT_LIST_PAGE_SIZE,
  type NamespaceDetail,
  type NamespaceEntry,
  type NamespaceRegistry,
} from '../namespace-registry.js'
import type { OperatorServiceHandlers, RpcResponse, WorkflowServiceHandlers } from '../rpc-types.js'
import type { NamespaceDeleter } from '../../worker/namespace-deleter.js'

type NamespaceState = temporal.api.enums.v1.NamespaceState
export type NamespaceCapabilities = temporal.api.namespace.v1.NamespaceInfo.ICapabilities
export type NamespaceLimits = temporal.api.namespace.v1.NamespaceInfo.ILimits
type DescribeNamespaceResponse = RpcResponse<
  temporal.api.workflowservice.v1.WorkflowService['describeNamespace']
>

export interface NamespaceHandlersOptions {
  registry: NamespaceRegistry
  /**
   * `NamespaceInfo.capabilities` reported by DescribeNamespace, which workers read to decide
   * what to use (eager start, updates, poll completion on shutdown...). Default: none.
   */
  capabilities?: NamespaceCapabilities
  /** `NamespaceInfo.limits` (bytes); default: 2 MiB blobs and memos, 4 MiB task completions. */
  limits?: NamespaceLimits
  /** `NamespaceInfo.supportsSchedules`; default false. */
  supportsSchedules?: boolean
  /** Shortest retention accepted; default 1 hour (Temporal's `system.namespaceMinRetentionLocal`). */
  minRetentionMs?: number
}

/** Temporal caps durations at 100 years (`timestamp.ValidateAndCapProtoDuration`). */
const MAX_RETENTION_MS = 100 * 365 * 24 * 60 * 60 * 1000
/** Longer pages are refused; the store reads a page in one query. */
const MAX_LIST_PAGE_SIZE = 1000
/** Names reach URLs (the HTTP API) and log lines, so they keep to a DNS-like alphabet. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/
const MAX_NAME_LENGTH = 255

const NamespaceInfoType = api.namespace.v1.NamespaceInfo

export type NamespaceHandlers = Required<
  Pick<
    WorkflowServiceHandlers,
    | 'registerNamespace'
    | 'describeNamespace'
    | 'listNamespaces'
    | 'updateNamespace'
    | 'deprecateNamespace'
  >
>

export function createNamespaceHandlers(opts: NamespaceHandlersOptions): NamespaceHandlers {
  const { registry } = opts
  const minRetentionMs = opts.minRetentionMs ?? 60 * 60 * 1000
  const describe = (entry: NamespaceEntry) => describeResponse(entry, opts)

  function retention(d: pb.Duration | null | undefined): number {
    const seconds = toNumber(d?.seconds)
    const nanos = d?.nanos ?? 0
    if ((seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) throw errInvalidRetentionPeriod
    const ms = msFromDuration(d)
    if (ms < minRetentionMs) throw errInvalidRetentionPeriod
    return Math.min(ms, MAX_RETENTION_MS)
  }

  return {
    async registerNamespace(req) {
      const name = req.namespace ?? ''
      validateName(name)
      if (req.isGlobalNamespace) throw errGlobalNamespaceNotEnabled
      checkClusters(req.activeClusterName, req.clusters)
      if (
        req.historyArchivalState === api.enums.v1.ArchivalState.ARCHIVAL_STATE_ENABLED ||
        req.visibilityArchivalState === api.enums.v1.ArchivalState.ARCHIVAL_STATE_ENABLED
      ) {
        throw new InvalidArgumentError('Archival is not enabled on this cluster.')
      }
      await registry.register({
        name,
        retentionMs: retention(req.workflowExecutionRetentionPeriod),
        description: req.description ?? '',
        ownerEmail: req.ownerEmail ?? '',
        data: { ...req.data },
      })
      return {}
    },

    async describeNamespace(req) {
      const name = req.namespace ?? ''
      const id = req.id ?? ''
      if (name && id) throw errBothNamespaceIdAndNameSet
      // Temporal reads the store unless asked for weak consistency; the cache serves that.
      const fresh = !req.weakConsistency
      if (id) return describe(await registry.getById(id, { fresh }))
      if (name) return describe(await registry.getByName(name, { fresh }))
      throw errNamespaceNotSet
    },

    async listNamespaces(req) {
      const pageSize = req.pageSize ?? 0
      if (pageSize < 0 || pageSize > MAX_LIST_PAGE_SIZE) throw errInvalidPageSize
      const page = await registry.list(
        pageSize || DEFAULT_LIST_PAGE_SIZE,
        req.nextPageToken ?? undefined,
      )
      return { namespaces: page.namespaces.map(describe), nextPageToken: page.nextPageToken }
    },

    async updateNamespace(req) {
      const name = req.namespace ?? ''
      if (!name) throw errNamespaceNotSet
      if (req.promoteNamespace) throw errGlobalNamespaceNotEnabled
      const newRetention = req.config?.workflowExecutionRetentionTtl
      const retentionMs = newRetention ? retention(newRetention) : undefined
      const entry = await registry.update(name, (detail) => {
        applyUpdate(detail, req, retentionMs)
      })
      const { namespaceInfo, config, replicationConfig } = describe(entry)
      return {
        namespaceInfo,
        config,
        replicationConfig,
        isGlobalNamespace: false,
        failoverVersion: long(0),
      }
    },

    /** Deprecated in Temporal's API in favour of UpdateNamespace's state; kept for old clients. */
    async deprecateNamespace(req) {
      const name = req.namespace ?? ''
      if (!name) throw errNamespaceNotSet
      await registry.update(name, (detail) => {
        const info = detail.namespaceInfo!
        if (info.state === NamespaceState.NAMESPACE_STATE_DELETED) {
          throw errInvalidNamespaceStateUpdate
        }
        info.state = NamespaceState.NAMESPACE_STATE_DEPRECATED
      })
      return {}
    },
  }
}

export interface OperatorNamespaceHandlersOptions {
  registry: NamespaceRegistry
  deleter: NamespaceDeleter
}

/**
 * OperatorService.DeleteNamespace (operator_handler.go and the deletenamespace workflow): marks
 * the namespace DELETED and renames it at once, answering with the new name, then deletes its
 * runs and finally the namespace in the background.
 */
export function createOperatorNamespaceHandlers(
  opts: OperatorNamespaceHandlersOptions,
): Required<Pick<OperatorServiceHandlers, 'deleteNamespace'>> {
  const { registry, deleter } = opts
  return {
    async deleteNamespace(req) {
      const name = req.namespace ?? ''
      const id = req.namespaceId ?? ''
      if (!name && !id) throw new InvalidArgumentError('namespace or namespace ID is required')
      if (name && id) {
        throw new InvalidArgumentError('only one of namespace or namespace ID must be set')
      }
      let entry: NamespaceEntry
      try {
        entry = name ? await registry.getByName(name, { fresh: true }) : await registry.getById(id)
      } catch (e: unknown) {
        if (e instanceof NamespaceNotFoundError) {
          throw new InvalidArgumentError(`namespace ${name || id} is not found`)
        }
        throw e
      }
      const deleted = await registry.markDeleted(entry)
      void deleter.reclaim(deleted, msFromDuration(req.namespaceDeleteDelay))
      return { deletedNamespace: deleted.name }
    },
  }
}

/**
 * The DescribeNamespace response for a namespace: its stored description plus what is computed
 * at read time. Exported for the HTTP API and the CLI.
 */
export function describeResponse(
  entry: NamespaceEntry,
  opts: Pick<NamespaceHandlersOptions, 'capabilities' | 'limits' | 'supportsSchedules'> = {},
): DescribeNamespaceResponse {
  const { detail } = entry
  return {
    namespaceInfo: {
      // A shallow copy: the cached detail is shared and must not gain the computed fields.
      ...detail.namespaceInfo,
      capabilities: opts.capabilities ?? {},
      limits: opts.limits ?? {
        blobSizeLimitError: long(DEFAULT_BLOB_SIZE_LIMIT_BYTES),
        memoSizeLimitError: long(DEFAULT_MEMO_SIZE_LIMIT_BYTES),
        workflowTaskCompletionSizeLimitError: long(DEFAULT_MAX_RECEIVE_MESSAGE_BYTES),
      },
      supportsSchedules: opts.supportsSchedules ?? false,
    },
    config: detail.config,
    replicationConfig: detail.replicationConfig,
    isGlobalNamespace: detail.isGlobalNamespace,
    failoverVersion: detail.failoverVersion,
    failoverHistory: [],
  }
}

function validateName(name: string): void {
  if (!name) throw errNamespaceNotSet
  if (name.length > MAX_NAME_LENGTH) throw errNamespaceTooLong
  if (!NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError(
      `Namespace name "${name}" is invalid: use letters, digits, '.', '_' and '-', starting with a letter or digit.`,
    )
  }
}

/** A local namespace lives on the one cluster (`attr_validator.go`, ...ForLocalNamespace). */
function checkClusters(
  active: string | null | undefined,
  clusters: temporal.api.replication.v1.IClusterReplicationConfig[] | null | undefined,
): void {
  for (const c of [active ?? '', ...(clusters ?? []).map((c) => c.clusterName ?? '')]) {
    if (c && c !== CLUSTER_NAME) throw new InvalidArgumentError(`Invalid cluster name: ${c}`)
  }
}

function applyUpdate(
  detail: NamespaceDetail,
  req: temporal.api.workflowservice.v1.IUpdateNamespaceRequest,
  retentionMs: number | undefined,
): void {
  const info = (detail.namespaceInfo ??= NamespaceInfoType.create())
  const config = (detail.config ??= api.namespace.v1.NamespaceConfig.create())
  const update = req.updateInfo
  if (update) {
    // Empty strings mean "unchanged", as in Temporal; data is merged key by key.
    if (update.description) info.description = update.description
    if (update.ownerEmail) info.ownerEmail = update.ownerEmail
    if (update.data) info.data = { ...info.data, ...update.data }
    const state = update.state ?? NamespaceState.NAMESPACE_STATE_UNSPECIFIED
    if (state !== NamespaceState.NAMESPACE_STATE_UNSPECIFIED && state !== info.state) {
      checkStateTransition(info.state ?? NamespaceState.NAMESPACE_STATE_UNSPECIFIED, state)
      info.state = state
    }
  }
  if (req.config) {
    if (retentionMs !== undefined) {
      config.workflowExecutionRetentionTtl = durationFromMs(retentionMs)
    }
    const enabled = api.enums.v1.ArchivalState.ARCHIVAL_STATE_ENABLED
    if (
      req.config.historyArchivalState === enabled ||
      req.config.visibilityArchivalState === enabled
    ) {
      throw new InvalidArgumentError('Archival is not enabled on this cluster.')
    }
    const aliases = req.config.customSearchAttributeAliases
    if (aliases && Object.keys(aliases).length > 0) {
      config.customSearchAttributeAliases = upsertAliases(
        config.customSearchAttributeAliases,
        aliases,
      )
    }
  }
  if (req.deleteBadBinary) {
    const binaries = config.badBinaries?.binaries ?? {}
    if (!(req.deleteBadBinary in binaries)) {
      throw new InvalidArgumentError(`Bad binary checksum ${req.deleteBadBinary} doesn't exists.`)
    }
    delete binaries[req.deleteBadBinary]
  }
  if (req.replicationConfig) {
    checkClusters(req.replicationConfig.activeClusterName, req.replicationConfig.clusters)
    const state = req.replicationConfig.state ?? 0
    if (state !== 0 && state !== api.enums.v1.ReplicationState.REPLICATION_STATE_NORMAL) {
      throw new InvalidArgumentError('Replication state cannot change on a local namespace.')
    }
  }
}

/** `validateStateUpdate`: REGISTERED → DEPRECATED/DELETED, DEPRECATED → DELETED, nothing else. */
function checkStateTransition(from: NamespaceState, to: NamespaceState): void {
  const S = NamespaceState
  const allowed =
    (from === S.NAMESPACE_STATE_REGISTERED &&
      (to === S.NAMESPACE_STATE_DEPRECATED || to === S.NAMESPACE_STATE_DELETED)) ||
    (from === S.NAMESPACE_STATE_DEPRECATED && to === S.NAMESPACE_STATE_DELETED)
  if (!allowed) throw errInvalidNamespaceStateUpdate
}

/**
 * `upsertCustomSearchAttributesAliases`: maps field → alias; an empty alias removes the field's
 * alias, an alias already in use is ignored, and a field that already has one cannot be re-aliased.
 */
function upsertAliases(
  current: Record<string, string> | null | undefined,
  upsert: Record<string, string>,
): Record<string, string> {
  const result = { ...current }
  const aliasesInUse = new Set(Object.values(current ?? {}))
  for (const [field, alias] of Object.entries(upsert)) {
    if (alias === '') delete result[field]
    else if (aliasesInUse.has(alias)) continue
    else if (current && field in current) {
      throw new InvalidArgumentError('Custom search attribute field name already allocated.')
    } else result[field] = alias
  }
  return result
}
