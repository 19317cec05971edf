/**
 * The custom search attributes of every namespace, held in memory over the store: every start,
 * upsert and list query needs them, and the history engine indexes values by them synchronously.
 * Loaded once at start-up; OperatorService changes go to the store first, then here.
 *
 * Another node's changes are not seen until restart (there is one node per SQLite file today).
 */
import { AlreadyExistsError, InvalidArgumentError } from '../common/errors.js'
import {
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

export class SearchAttributeRegistry {
  readonly #store: VisibilityStore
  readonly #byNamespace = new Map<string, Map<string, number>>()

  private constructor(store: VisibilityStore) {
    this.#store = store
  }

  static async load(store: VisibilityStore): Promise<SearchAttributeRegistry> {
    const registry = new SearchAttributeRegistry(store)
    const { attributes } = await store.listSearchAttributes({})
    for (const a of attributes) registry.#namespace(a.namespaceId).set(a.name, a.type)
    return registry
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
   * reserved or malformed name or an unknown type, AlreadyExistsError for a name registered with
   * another type; nothing is added then.
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
    if (toAdd.size > 0) await this.add(namespaceId, toAdd)
  }

  private async add(namespaceId: string, attributes: ReadonlyMap<string, number>): Promise<void> {
    const records: SearchAttributeRecord[] = [...attributes].map(([name, type]) => ({
      namespaceId,
      name,
      type,
    }))
    await this.#store.addSearchAttributes({ attributes: records })
    for (const r of records) this.#namespace(namespaceId).set(r.name, r.type)
  }

  async remove(namespaceId: string, names: readonly string[]): Promise<void> {
    await this.#store.removeSearchAttributes({ namespaceId, names: [...names] })
    for (const name of names) this.#byNamespace.get(namespaceId)?.delete(name)
  }

  /** Drops a deleted namespace's attributes (the store removes its rows with the namespace). */
  forgetNamespace(namespaceId: string): void {
    this.#byNamespace.delete(namespaceId)
  }

  /** Throws InvalidArgumentError for attributes a start may not set (see searchAttributesProblem). */
  validate(namespaceId: string, namespace: string, sa: pb.SearchAttributes | null | undefined) {
    const problem = searchAttributesProblem(this.types(namespaceId), namespace, sa)
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

/**
 * What is wrong with search attributes set at start or by upsert, as Temporal's validator words
 * it, or undefined: each must be registered in the namespace (`types`) and its value must fit
 * the registered type.
 */
export function searchAttributesProblem(
  types: ReadonlyMap<string, number>,
  namespace: string,
  sa: pb.SearchAttributes | null | undefined,
): string | undefined {
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
