/**
 * Namespaces, cached by name and id in front of the store (Temporal's `common/namespace/registry`).
 *
 * Every RPC resolves its namespace, so reads come from memory. Misses read through to the store
 * and are not cached negatively: a namespace registered by another node is visible at once, and
 * `refresh()` (which the server runs periodically), `clearCache()` or `fresh` reads pick up
 * another node's updates.
 *
 * A namespace's `data` column is the JSON of the `DescribeNamespaceResponse` it describes (info,
 * config, replication config, global flag, failover version; protobufjs object form with enums as
 * names and int64 as strings), minus what DescribeNamespace computes at read time (capabilities,
 * limits). Storing the API shape means describing a namespace is a parse, not a mapping.
 */
import { randomUUID } from 'node:crypto'
import {
  FailedPreconditionError,
  NamespaceAlreadyExistsError,
  NamespaceNotFoundError,
  UnavailableError,
} from '../common/errors.js'
import { api, long, NamespaceState, type temporal } from '../common/proto.js'
import { durationFromMs, msFromDuration } from '../common/time.js'
import { ConditionFailedError, NamespaceAlreadyExistsConflictError } from '../persistence/errors.js'
import type { NamespaceRecord, NamespaceStore } from '../persistence/store.js'

const Detail = api.workflowservice.v1.DescribeNamespaceResponse
/** The stored description of a namespace, as a decoded message. Read-only once cached. */
export type NamespaceDetail = temporal.api.workflowservice.v1.DescribeNamespaceResponse
/** A namespace description to store, as a plain object or message. */
export type NamespaceDetailInput = temporal.api.workflowservice.v1.IDescribeNamespaceResponse

/** The cluster name Sundial reports; there is one cluster and it is always active. */
export const CLUSTER_NAME = 'active'
/** Retention of namespaces created at start-up, as `temporal server start-dev` uses. */
export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000
/** Temporal's `ListNamespaces` page size when the request gives none. */
export const DEFAULT_LIST_PAGE_SIZE = 100

const ArchivalState = api.enums.v1.ArchivalState
const ReplicationState = api.enums.v1.ReplicationState

/** A cached namespace. */
export interface NamespaceEntry {
  /** A UUID, fixed at registration; runs and tasks refer to namespaces by it. */
  readonly id: string
  readonly name: string
  /** The store's version of the row; every update increments it. */
  readonly notificationVersion: number
  /** `NamespaceState` (REGISTERED, DEPRECATED, DELETED). */
  readonly state: number
  /** How long closed runs are kept, in milliseconds (0 when unset). */
  readonly retentionMs: number
  /** The full stored description; shared by all readers, so never mutate it. */
  readonly detail: NamespaceDetail
}

/** What registration needs; validation of the request happens in the handler. */
export interface RegisterNamespaceInput {
  name: string
  retentionMs: number
  description?: string
  ownerEmail?: string
  data?: Record<string, string>
}

export interface NamespaceRegistryDeps {
  store: NamespaceStore
  /** Makes namespace ids; default `crypto.randomUUID`. Tests inject fixed ones. */
  newId?: () => string
}

/** How many times an update re-reads and retries after losing a race to another writer. */
const UPDATE_ATTEMPTS = 3

export class NamespaceRegistry {
  readonly #store: NamespaceStore
  readonly #newId: () => string
  readonly #byName = new Map<string, NamespaceEntry>()
  readonly #byId = new Map<string, NamespaceEntry>()

  constructor(deps: NamespaceRegistryDeps) {
    this.#store = deps.store
    this.#newId = deps.newId ?? randomUUID
  }

  /**
   * Creates each missing namespace of `names`, plus `default`, with {@link DEFAULT_RETENTION_MS}.
   * Safe to run on several nodes at once: losing the race to create one is not an error.
   */
  async ensureDefaults(
    names: readonly string[],
    retentionMs = DEFAULT_RETENTION_MS,
  ): Promise<void> {
    for (const name of new Set(['default', ...names])) {
      if (await this.#load({ name })) continue
      try {
        await this.register({ name, retentionMs })
      } catch (e: unknown) {
        if (!(e instanceof NamespaceAlreadyExistsError)) throw e
      }
    }
  }

  /** Throws NamespaceNotFoundError. `fresh` skips the cache (DescribeNamespace does). */
  async getByName(name: string, opts: { fresh?: boolean } = {}): Promise<NamespaceEntry> {
    const cached = opts.fresh ? undefined : this.#byName.get(name)
    if (cached) return cached
    const entry = await this.#load({ name })
    if (!entry) throw new NamespaceNotFoundError(name)
    return entry
  }

  /** Throws NamespaceNotFoundError (naming the id, as Temporal does). */
  async getById(id: string, opts: { fresh?: boolean } = {}): Promise<NamespaceEntry> {
    const cached = opts.fresh ? undefined : this.#byId.get(id)
    if (cached) return cached
    const entry = await this.#load({ id })
    if (!entry) throw new NamespaceNotFoundError(id)
    return entry
  }

  /** Throws NamespaceAlreadyExistsError when the name is taken. */
  async register(input: RegisterNamespaceInput): Promise<NamespaceEntry> {
    const id = this.#newId()
    const detail: NamespaceDetailInput = {
      namespaceInfo: {
        id,
        name: input.name,
        state: NamespaceState.NAMESPACE_STATE_REGISTERED,
        description: input.description ?? '',
        ownerEmail: input.ownerEmail ?? '',
        data: input.data ?? {},
      },
      config: {
        workflowExecutionRetentionTtl: durationFromMs(input.retentionMs),
        historyArchivalState: ArchivalState.ARCHIVAL_STATE_DISABLED,
        visibilityArchivalState: ArchivalState.ARCHIVAL_STATE_DISABLED,
        badBinaries: { binaries: {} },
        customSearchAttributeAliases: {},
      },
      replicationConfig: {
        activeClusterName: CLUSTER_NAME,
        clusters: [{ clusterName: CLUSTER_NAME }],
        state: ReplicationState.REPLICATION_STATE_NORMAL,
      },
      isGlobalNamespace: false,
      failoverVersion: long(0),
    }
    const record: NamespaceRecord = {
      id,
      name: input.name,
      notificationVersion: 1,
      data: serialize(detail),
    }
    try {
      await this.#store.createNamespace({ namespace: record })
    } catch (e: unknown) {
      if (e instanceof NamespaceAlreadyExistsConflictError) {
        throw new NamespaceAlreadyExistsError(`Namespace "${input.name}" already exists`)
      }
      throw e
    }
    return this.#cache(record)
  }

  /**
   * Applies `mutate` to a fresh copy of the namespace's stored description and writes it back,
   * conditioned on the version it read; a concurrent update makes it re-read and re-apply, so
   * `mutate` must be a pure function of the detail it is given (it may throw to refuse).
   * The id and name cannot change.
   */
  async update(name: string, mutate: (detail: NamespaceDetail) => void): Promise<NamespaceEntry> {
    return this.#write(name, (detail) => {
      mutate(detail)
      if (detail.namespaceInfo?.name !== name) {
        throw new FailedPreconditionError('a namespace update cannot change its id or name')
      }
    })
  }

  /** `update`, where `mutate` may also rename. */
  async #write(name: string, mutate: (detail: NamespaceDetail) => void): Promise<NamespaceEntry> {
    for (let attempt = 1; ; attempt++) {
      const { namespace: current } = await this.#store.getNamespace({ name })
      if (!current) throw new NamespaceNotFoundError(name)
      const detail = parse(current.data)
      mutate(detail)
      if (detail.namespaceInfo?.id !== current.id) {
        throw new FailedPreconditionError('a namespace update cannot change its id or name')
      }
      const next: NamespaceRecord = {
        ...current,
        name: detail.namespaceInfo.name ?? current.name,
        notificationVersion: current.notificationVersion + 1,
        data: serialize(detail),
      }
      try {
        await this.#store.updateNamespace({
          namespace: next,
          expectedNotificationVersion: current.notificationVersion,
        })
        return this.#cache(next)
      } catch (e: unknown) {
        if (!(e instanceof ConditionFailedError)) throw e
        if (attempt >= UPDATE_ATTEMPTS) {
          throw new UnavailableError(`namespace ${name} is being updated concurrently, retry`)
        }
      }
    }
  }

  /** The cached namespace with this id, without reading the store. */
  cachedById(id: string): NamespaceEntry | undefined {
    return this.#byId.get(id)
  }

  /** The cached namespace with this name, without reading the store. */
  cachedByName(name: string): NamespaceEntry | undefined {
    return this.#byName.get(name)
  }

  /**
   * Reads every namespace into the cache, so the synchronous lookups above answer for all of
   * them; the server does this at start (namespaces are few).
   */
  async loadAll(): Promise<NamespaceEntry[]> {
    const all: NamespaceEntry[] = []
    let token: Uint8Array | undefined
    do {
      const page = await this.list(DEFAULT_LIST_PAGE_SIZE, token)
      all.push(...page.namespaces)
      token = page.nextPageToken
    } while (token.length > 0)
    return all
  }

  /**
   * The first step of DeleteNamespace: marks the namespace DELETED and renames it
   * `<name>-deleted-<first 5 characters of its id>` (longer if that name is taken), freeing the
   * name at once (Temporal's deletenamespace workflow). A namespace already marked keeps its name.
   */
  async markDeleted(entry: NamespaceEntry): Promise<NamespaceEntry> {
    if (entry.state === NamespaceState.NAMESPACE_STATE_DELETED) return entry
    let newName: string | undefined
    for (let length = 5; length <= entry.id.length && !newName; length++) {
      const candidate = `${entry.name}-deleted-${entry.id.slice(0, length)}`
      if (!(await this.#store.getNamespace({ name: candidate })).namespace) newName = candidate
    }
    if (!newName) throw new UnavailableError(`no free name to rename namespace ${entry.name} to`)
    const renamed = newName
    return this.#write(entry.name, (detail) => {
      detail.namespaceInfo!.state = NamespaceState.NAMESPACE_STATE_DELETED
      detail.namespaceInfo!.name = renamed
    })
  }

  /** The last step of DeleteNamespace, once its runs are gone: the namespace row itself. */
  async remove(entry: NamespaceEntry): Promise<void> {
    await this.#store.deleteNamespace({ id: entry.id })
    this.#byId.delete(entry.id)
    if (this.#byName.get(entry.name)?.id === entry.id) this.#byName.delete(entry.name)
  }

  /** One page of namespaces ordered by name; an empty token means the last page. */
  async list(
    pageSize: number,
    pageToken?: Uint8Array,
  ): Promise<{ namespaces: NamespaceEntry[]; nextPageToken: Uint8Array }> {
    const page = await this.#store.listNamespaces({
      pageSize: pageSize > 0 ? pageSize : DEFAULT_LIST_PAGE_SIZE,
      pageToken: pageToken?.length ? pageToken : undefined,
    })
    return {
      namespaces: page.namespaces.map((r) => this.#cache(r)),
      nextPageToken: page.nextPageToken,
    }
  }

  /**
   * Reads every namespace again: newer versions replace cached ones (another node's update or
   * rename), and cached ones no longer stored (deleted by another node) are dropped.
   */
  async refresh(): Promise<void> {
    const seen = new Set((await this.loadAll()).map((e) => e.id))
    for (const [id, entry] of this.#byId) {
      if (seen.has(id)) continue
      this.#byId.delete(id)
      if (this.#byName.get(entry.name)?.id === id) this.#byName.delete(entry.name)
    }
  }

  /** Forgets every cached namespace, so the next reads see other nodes' updates. */
  clearCache(): void {
    this.#byName.clear()
    this.#byId.clear()
  }

  async #load(key: { name: string } | { id: string }): Promise<NamespaceEntry | undefined> {
    const { namespace } = await this.#store.getNamespace(key)
    return namespace && this.#cache(namespace)
  }

  /** Caches the record unless a newer version of it is already cached, and returns the newest. */
  #cache(record: NamespaceRecord): NamespaceEntry {
    const cached = this.#byId.get(record.id)
    if (cached && cached.notificationVersion >= record.notificationVersion) return cached
    const entry = toEntry(record)
    if (cached && cached.name !== entry.name) this.#byName.delete(cached.name)
    this.#byId.set(entry.id, entry)
    this.#byName.set(entry.name, entry)
    return entry
  }
}

function toEntry(record: NamespaceRecord): NamespaceEntry {
  const detail = parse(record.data)
  return {
    id: record.id,
    name: record.name,
    notificationVersion: record.notificationVersion,
    state: detail.namespaceInfo?.state ?? NamespaceState.NAMESPACE_STATE_UNSPECIFIED,
    retentionMs: msFromDuration(detail.config?.workflowExecutionRetentionTtl),
    detail,
  }
}

function parse(data: string): NamespaceDetail {
  return Detail.fromObject(JSON.parse(data) as Record<string, unknown>)
}

/** `fromObject` first, so plain objects and messages serialize alike. */
function serialize(detail: NamespaceDetailInput): string {
  const message = Detail.fromObject(detail)
  return JSON.stringify(Detail.toObject(message, { longs: String, enums: String }))
}
