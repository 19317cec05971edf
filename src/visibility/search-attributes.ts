/**
 * The search attributes every namespace has without registering them (Temporal's
 * `searchattribute/defs.go`): system attributes, which are columns of the visibility row, and
 * predefined ones, which SDKs and Temporal's own workflows set like custom attributes
 * (`TemporalChangeVersion` from patching, `BuildIds`, the scheduler's `TemporalScheduled*`).
 */
import { api, enumWord } from '../common/proto.js'

/** An IndexedValueType as Temporal names it in queries, messages and the CLI. */
export type SearchAttributeTypeName =
  'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList'

/** Attributes held in the visibility row's own columns. */
export const SYSTEM_COLUMN_ATTRIBUTES = {
  WorkflowId: 'Keyword',
  RunId: 'Keyword',
  WorkflowType: 'Keyword',
  StartTime: 'Datetime',
  ExecutionTime: 'Datetime',
  CloseTime: 'Datetime',
  ExecutionStatus: 'Keyword',
  TaskQueue: 'Keyword',
  HistoryLength: 'Int',
  HistorySizeBytes: 'Int',
  ExecutionDuration: 'Int',
  StateTransitionCount: 'Int',
  ParentWorkflowId: 'Keyword',
  ParentRunId: 'Keyword',
  RootWorkflowId: 'Keyword',
  RootRunId: 'Keyword',
} as const satisfies Record<string, SearchAttributeTypeName>

export type SystemColumnAttribute = keyof typeof SYSTEM_COLUMN_ATTRIBUTES

/** Attributes every namespace accepts in start requests and upserts, stored like custom ones. */
const PREDEFINED_ATTRIBUTES: Readonly<Record<string, SearchAttributeTypeName>> = {
  TemporalChangeVersion: 'KeywordList',
  BinaryChecksums: 'KeywordList',
  BuildIds: 'KeywordList',
  BatcherNamespace: 'Keyword',
  BatcherUser: 'Keyword',
  TemporalScheduledStartTime: 'Datetime',
  TemporalScheduledById: 'Keyword',
  TemporalSchedulePaused: 'Bool',
  TemporalNamespaceDivision: 'Keyword',
  TemporalPauseInfo: 'KeywordList',
  TemporalReportedProblems: 'KeywordList',
  TemporalWorkerDeployment: 'Keyword',
  TemporalWorkerDeploymentVersion: 'Keyword',
  TemporalWorkflowVersioningBehavior: 'Keyword',
}

/** What GetSearchAttributes and ListSearchAttributes report as the system's own attributes. */
export const SYSTEM_SEARCH_ATTRIBUTES: Readonly<Record<string, SearchAttributeTypeName>> = {
  ...SYSTEM_COLUMN_ATTRIBUTES,
  ...PREDEFINED_ATTRIBUTES,
}

const IndexedValueType = api.enums.v1.IndexedValueType

export const INDEXED_VALUE_TYPES: Readonly<Record<SearchAttributeTypeName, number>> = {
  Text: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KeywordList: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
}

/** The IndexedValueType of a predefined attribute, or undefined for any other name. */
export function predefinedType(name: string): number | undefined {
  const type = Object.hasOwn(PREDEFINED_ATTRIBUTES, name) ? PREDEFINED_ATTRIBUTES[name] : undefined
  return type === undefined ? undefined : INDEXED_VALUE_TYPES[type]
}

export function isSystemColumnAttribute(name: string): name is SystemColumnAttribute {
  return Object.hasOwn(SYSTEM_COLUMN_ATTRIBUTES, name)
}

/**
 * Names a namespace may not register: the system and predefined attributes, and the
 * `Temporal` prefix Temporal keeps for attributes it adds later.
 */
export function isReservedSearchAttributeName(name: string): boolean {
  return Object.hasOwn(SYSTEM_SEARCH_ATTRIBUTES, name) || name.startsWith('Temporal')
}

/** Custom attribute names: an identifier the query language can spell without backquotes. */
export function isValidSearchAttributeName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(name)
}

const WorkflowExecutionStatus = api.enums.v1.WorkflowExecutionStatus

/** "Running", "ContinuedAsNew", ...: how queries and count groups name a run's status. */
export function executionStatusName(status: number): string {
  return enumWord(WorkflowExecutionStatus, status, 'WORKFLOW_EXECUTION_STATUS_')
}

/** The status a query names ("Running", "running", "WORKFLOW_EXECUTION_STATUS_RUNNING"). */
export function executionStatusFromName(name: string): number | undefined {
  const wanted = name
    .replace(/^WORKFLOW_EXECUTION_STATUS_/i, '')
    .replace(/_/g, '')
    .toLowerCase()
  for (const value of Object.values(WorkflowExecutionStatus)) {
    if (typeof value !== 'number' || value === 0) continue
    if (executionStatusName(value).toLowerCase() === wanted) return value
  }
  return undefined
}
