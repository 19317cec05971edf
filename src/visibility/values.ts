/**
 * Search attribute payloads as the values visibility stores and queries compare: SDKs send each
 * attribute as a JSON payload (`json/plain`), the typed API with `metadata.type` naming its
 * IndexedValueType ("Keyword", "Datetime", ...). The stored form is what SQL compares directly:
 * Datetime as milliseconds since the epoch, Bool as true/false, KeywordList as an array of
 * strings, numbers as numbers.
 */
import { api, type pb } from '../common/proto.js'
import {
  INDEXED_VALUE_TYPES,
  predefinedType,
  type SearchAttributeTypeName,
} from './search-attributes.js'

const IndexedValueType = api.enums.v1.IndexedValueType

/** IndexedValueType by the names SDKs put in `metadata.type`. */
const typeByName: ReadonlyMap<string, number> = new Map(Object.entries(INDEXED_VALUE_TYPES))

export type SearchAttributeValue = string | number | boolean | string[]

/** Thrown for a value that does not fit its attribute's type. */
export class SearchAttributeValueError extends Error {}

/** The IndexedValueType a payload declares in `metadata.type`, if any. */
export function declaredType(payload: pb.Payload): number | undefined {
  const raw = payload.metadata?.type
  if (!raw) return undefined
  const name = Buffer.from(raw).toString('utf8')
  // Usually "KeywordList"; rarely the enum's own name, "INDEXED_VALUE_TYPE_KEYWORD_LIST".
  return (
    typeByName.get(name) ??
    (IndexedValueType as unknown as Record<string, number | undefined>)[name]
  )
}

/**
 * Decodes one attribute's payload into its stored value, checking it against `type` (the
 * registered type, or the declared one). `undefined` means unset: an empty payload or JSON null,
 * which is how an upsert removes an attribute.
 */
export function decodeSearchAttribute(
  name: string,
  payload: pb.Payload,
  type: number,
): SearchAttributeValue | undefined {
  const data = payload.data
  if (!data || data.length === 0) return undefined
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(data).toString('utf8'))
  } catch {
    throw new SearchAttributeValueError(`search attribute ${name} is not valid JSON`)
  }
  if (value === null) return undefined
  // Older SDKs send every value of a Keyword or Text attribute as a one-element list.
  if (Array.isArray(value) && type !== IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST) {
    if (value.length === 0) return undefined
    if (value.length === 1) value = value[0]
  }
  const bad = (): never => {
    throw new SearchAttributeValueError(
      `invalid value for search attribute ${name} of type ${typeName(type)}: ${JSON.stringify(value)}`,
    )
  }
  switch (type) {
    case IndexedValueType.INDEXED_VALUE_TYPE_TEXT:
    case IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD:
      return typeof value === 'string' ? value : bad()
    case IndexedValueType.INDEXED_VALUE_TYPE_INT:
      return typeof value === 'number' && Number.isSafeInteger(value) ? value : bad()
    case IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE:
      return typeof value === 'number' && Number.isFinite(value) ? value : bad()
    case IndexedValueType.INDEXED_VALUE_TYPE_BOOL:
      return typeof value === 'boolean' ? value : bad()
    case IndexedValueType.INDEXED_VALUE_TYPE_DATETIME: {
      const ms = typeof value === 'string' ? Date.parse(value) : NaN
      return Number.isFinite(ms) ? ms : bad()
    }
    case IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST: {
      const list = typeof value === 'string' ? [value] : value
      return Array.isArray(list) && list.every((v) => typeof v === 'string') ? list : bad()
    }
    default:
      return bad()
  }
}

/**
 * The stored values of a run's custom search attributes, as JSON object text. Attributes whose
 * type is unknown (not registered and not declared) are left out: they cannot be queried.
 */
export function searchAttributeValuesJson(
  sa: pb.SearchAttributes | undefined,
  registered: ReadonlyMap<string, number> | undefined,
): string {
  const out: Record<string, SearchAttributeValue> = {}
  for (const [name, payload] of Object.entries(sa?.indexedFields ?? {})) {
    const type = registered?.get(name) ?? predefinedType(name) ?? declaredType(payload)
    if (type === undefined) continue
    try {
      const value = decodeSearchAttribute(name, payload, type)
      if (value !== undefined) out[name] = value
    } catch (e: unknown) {
      // Values are checked when they are set; one that slipped through is not indexed.
      if (!(e instanceof SearchAttributeValueError)) throw e
    }
  }
  return JSON.stringify(out)
}

/** "Keyword", "Datetime", ... as Temporal names the types in messages and the CLI. */
export function typeName(type: number): SearchAttributeTypeName | 'Unspecified' {
  for (const [name, t] of typeByName) if (t === type) return name as SearchAttributeTypeName
  return 'Unspecified'
}
