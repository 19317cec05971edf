/**
 * The custom search attributes of every namespace, held in memory over the store: every start,
 * upsert and list query needs them, and the history engine indexes values by them synchronously.
 * Loaded once at start-up; OperatorService changes go to the store first, then here.
 *
 * Another node's changes are not seen until restart (there is one node per SQLite file today).
 */
import { AlreadyExistsError, InvalidArgumentError } from '../common/errors.js'
import { payloadMapSize } from '../common/proto-size.js'
import {
  INDEXED_VALUE_TYPES,
  isReservedSearchAttributeName,
  isValidSearchAttributeName,
  predefinedType,
} from './search-attributes.js'
import type { pb } from '../common/proto.js'
import type { SearchAttributeRecord, VisibilityStore } from '../persistence/store.js'
import {
  declaredType,
  decodeSearchAttribute,
  SearchAttributeValueError,
  typeName,
} from './values.js'

const empty: ReadonlyMap<string, number> = new Map()

/** What search attributes one start, upsert or schedule may carry (dynamic config, per request). */
export interface SearchAttributeLimits {
  /** `frontend.searchAttributesNumberOfKeysLimit`: attributes in one request or command. */
  numberOfKeys: number
  /** `frontend.searchAttributesSizeOfValueLimit`: bytes of one value's data. */
  sizeOfValue: number
  /** `frontend.searchAttributesTotalSizeLimit`: encoded bytes of a run's attributes together. */
  totalSize: number
}

/** Temporal's defaults (common/dynamicconfig/constants.go). */
export const DEFAULT_SEARCH_ATTRIBUTE_LIMITS: SearchAttributeLimits = {
  numberOfKeys: 100,
  sizeOfValue: 2 * 1024,
  totalSize: 40 * 1024,
}

const T = INDEXED_VALUE_TYPES
/**
 * How many custom attributes of each type a namespace may have: the columns Temporal's SQL
 * visibility schemas preallocate (Keyword01..Keyword10, Int01..Int03, ...; sadefs
 * defaultNumDBCustomSearchAttributes), which AddSearchAttributes on SQL visibility allocates.
 */
export const MAX_CUSTOM_SEARCH_ATTRIBUTES_PER_TYPE: ReadonlyMap<number, number> = new Map([
  [T.Bool, 3],
  [T.Datetime, 3],
  [T.Double, 3],
  [T.Int, 3],
  [T.Keyword, 10],
  [T.KeywordList, 3],
  [T.Text, 3],
])

export class SearchAttributeRegistry {
  readonly #store: VisibilityStore
  readonly #byNamespace = new Map<string, Map<string, number>>()
  /** Counts this registry's own changes, so a refresh that raced one is not applied. */
  #changes = 0

  private constructor(store: VisibilityStore) {
    this.#store = store
  }

  static async load(store: VisibilityStore): Promise<SearchAttributeRegistry> {
    const registry = new SearchAttributeRegistry(store)
    await registry.refresh()
    return registry
  }

  /**
   * Reads every namespace's attributes again, so that ones other nodes added or removed are seen
   * (the server does this periodically). A change made here while the read was under way wins:
   * the read is then dropped, and the next refresh catches up.
   */
  async refresh(): Promise<void> {
    const before = this.#changes
    const { attributes } = await this.#store.listSearchAttributes({})
    if (this.#changes !== before) return
    this.#byNamespace.clear()
    for (const a of attributes) this.#namespace(a.namespaceId).set(a.name, a.type)
  }

  /** The namespace's custom attributes, name to IndexedValueType. */
  types(namespaceId: string): ReadonlyMap<string, number> {
    return this.#byNamespace.get(namespaceId) ?? empty
  }

  /** Every namespace's attributes together (GetSearchAttributes names no namespace). */
  allTypes(): ReadonlyMap<string, number> {
    const all = new Map<string, number>()
    for (const types of this.#byNamespace.values()) for (const [n, t] of types) all.set(n, t)
    return all
  }

  /**
   * Adds custom attributes (name to IndexedValueType) to a namespace, as AddSearchAttributes
   * does: one already there with the same type is left alone. Throws InvalidArgumentError for a
   * reserved or malformed name, an unknown type, or more of one type than SQL visibility has
   * columns for ({@link MAX_CUSTOM_SEARCH_ATTRIBUTES_PER_TYPE}), AlreadyExistsError for a name
   * registered with another type; nothing is added then.
   */
  async register(namespaceId: string, wanted: Iterable<[string, number]>): Promise<void> {
    const existing = this.types(namespaceId)
    const toAdd = new Map<string, number>()
    for (const [name, type] of wanted) {
      if (isReservedSearchAttributeName(name)) {
        throw new InvalidArgumentError(`Search attribute ${name} is reserved by system.`)
      }
      if (!isValidSearchAttributeName(name)) {
        throw new InvalidArgumentError(`Search attribute name ${name} is not valid.`)
      }
      if (typeName(type) === 'Unspecified') {
        throw new InvalidArgumentError(`Unknown search attribute type: ${type}.`)
      }
      const had = existing.get(name)
      if (had === type) continue
      if (had !== undefined) {
        throw new AlreadyExistsError(`Search attribute ${name} already exists.`)
      }
      toAdd.set(name, type)
    }
    checkPerTypeCaps(existing, toAdd)
    if (toAdd.size > 0) await this.add(namespaceId, toAdd)
  }

  private async add(namespaceId: string, attributes: ReadonlyMap<string, number>): Promise<void> {
    const records: SearchAttributeRecord[] = [...attributes].map(([name, type]) => ({
      namespaceId,
      name,
      type,
    }))
    await this.#store.addSearchAttributes({ attributes: records })
    this.#changes++
    for (const r of records) this.#namespace(namespaceId).set(r.name, r.type)
  }

  async remove(namespaceId: string, names: readonly string[]): Promise<void> {
    await this.#store.removeSearchAttributes({ namespaceId, names: [...names] })
    this.#changes++
    for (const name of names) this.#byNamespace.get(namespaceId)?.delete(name)
  }

  /** Drops a deleted namespace's attributes (the store removes its rows with the namespace). */
  forgetNamespace(namespaceId: string): void {
    this.#changes++
    this.#byNamespace.delete(namespaceId)
  }

  /**
   * Throws InvalidArgumentError for attributes a start (or a schedule) may not set: too many,
   * unregistered or ill-typed (searchAttributesProblem), or too large
   * (searchAttributesSizeProblem), in that order as Temporal's validator checks them.
   */
  validate(
    namespaceId: string,
    namespace: string,
    sa: pb.SearchAttributes | null | undefined,
    limits: SearchAttributeLimits = DEFAULT_SEARCH_ATTRIBUTE_LIMITS,
  ): void {
    const problem =
      searchAttributesProblem(this.types(namespaceId), namespace, sa, limits) ??
      searchAttributesSizeProblem(sa, limits)
    if (problem) throw new InvalidArgumentError(problem)
  }

  #namespace(id: string): Map<string, number> {
    let types = this.#byNamespace.get(id)
    if (!types) {
      types = new Map()
      this.#byNamespace.set(id, types)
    }
    return types
  }
}

function checkPerTypeCaps(
  existing: ReadonlyMap<string, number>,
  toAdd: ReadonlyMap<string, number>,
): void {
  const count = new Map<number, number>()
  for (const type of existing.values()) count.set(type, (count.get(type) ?? 0) + 1)
  for (const type of toAdd.values()) {
    const n = (count.get(type) ?? 0) + 1
    const max = MAX_CUSTOM_SEARCH_ATTRIBUTES_PER_TYPE.get(type) ?? 0
    if (n > max) {
      // errTooManySearchAttributesMessage (service/frontend/errors.go), word for word.
      throw new InvalidArgumentError(
        `Unable to create search attributes: cannot have more than ${max} search attribute of type ${typeName(type)}.`,
      )
    }
    count.set(type, n)
  }
}

/**
 * What is wrong with search attributes set at start or by upsert, as Temporal's validator words
 * it (common/searchattribute/validator.go Validate), or undefined: no more than
 * `limits.numberOfKeys` of them, each registered in the namespace (`types`) with a value that
 * fits the registered type.
 */
export function searchAttributesProblem(
  types: ReadonlyMap<string, number>,
  namespace: string,
  sa: pb.SearchAttributes | null | undefined,
  limits: SearchAttributeLimits = DEFAULT_SEARCH_ATTRIBUTE_LIMITS,
): string | undefined {
  const count = Object.keys(sa?.indexedFields ?? {}).length
  if (count > limits.numberOfKeys) {
    return `number of search attributes ${count} exceeds limit ${limits.numberOfKeys}`
  }
  for (const [name, payload] of Object.entries(sa?.indexedFields ?? {})) {
    const type = types.get(name) ?? predefinedType(name)
    if (type === undefined) {
      return `Namespace ${namespace} has no mapping defined for search attribute ${name}`
    }
    const declared = declaredType(payload)
    if (declared !== undefined && declared !== type) {
      return `invalid value for search attribute ${name} of type ${typeName(type)}: declared as ${typeName(declared)}`
    }
    try {
      decodeSearchAttribute(name, payload, type)
    } catch (e: unknown) {
      if (e instanceof SearchAttributeValueError) return e.message
      throw e
    }
  }
  return undefined
}

/**
 * Search attributes too large to keep (validator.go ValidateSize), or undefined: a value's data
 * over `limits.sizeOfValue` bytes, or all of them together over `limits.totalSize` encoded bytes.
 * An upsert checks the run's attributes as they would be after it.
 */
export function searchAttributesSizeProblem(
  sa: pb.SearchAttributes | null | undefined,
  limits: SearchAttributeLimits,
): string | undefined {
  const fields = sa?.indexedFields ?? {}
  for (const [name, payload] of Object.entries(fields)) {
    const size = payload.data?.length ?? 0
    if (size > limits.sizeOfValue) {
      return `search attribute ${name} value size ${size} exceeds size limit ${limits.sizeOfValue}`
    }
  }
  const total = payloadMapSize(fields)
  if (total > limits.totalSize) {
    return `total size of search attributes ${total} exceeds size limit ${limits.totalSize}`
  }
  return undefined
}
