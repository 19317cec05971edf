/** The internal worker's jobs on PostgreSQL: single statements, each its own commit. */
import { ConditionFailedError, ShardOwnershipLostError } from '../errors.js'
import { postgresDialect } from '../sql/dialect.js'
import {
  checkLimit,
  jobPage,
  jobPageAfter,
  jobParams,
  toJobRecord,
  type JobRow,
} from '../sql/rows.js'
import { statements } from '../sql/statements.js'
import type { JobKey, JobRecord, JobStore, ShardFence } from '../store.js'
import type { PostgresDatabase } from './postgres-database.js'

export class PostgresJobStore implements JobStore {
  readonly #db: PostgresDatabase
  readonly #s: ReturnType<typeof prepare>

  constructor(db: PostgresDatabase) {
    this.#db = db
    this.#s = prepare(db)
  }

  async createJob(req: ShardFence & { job: JobRecord }): Promise<void> {
    if ((await this.#db.run(this.#s.insert, jobParams(req, req.job))).rowCount === 0) {
      await this.#checkFence(req)
      throw new ConditionFailedError(`${describe(req.job)} already exists`)
    }
  }

  async getJob(req: JobKey): Promise<{ job: JobRecord | undefined }> {
    const row = (await this.#db.run(this.#s.get, { ...req })).rows[0] as JobRow | undefined
    return { job: row && toJobRecord(row) }
  }

  async updateJob(req: ShardFence & { job: JobRecord; expectedVersion: number }): Promise<void> {
    const params = { ...jobParams(req, req.job), expected: req.expectedVersion }
    if ((await this.#db.run(this.#s.update, params)).rowCount === 0) {
      await this.#checkFence(req)
      throw new ConditionFailedError(
        `${describe(req.job)} is not at version ${req.expectedVersion}`,
      )
    }
  }

  async deleteJob(req: ShardFence & JobKey): Promise<void> {
    if ((await this.#db.run(this.#s.delete, { ...req })).rowCount === 0) {
      await this.#checkFence(req)
    }
  }

  async listJobs(req: {
    namespaceId: string
    kind: JobRecord['kind']
    pageSize: number
    pageToken?: Uint8Array
  }): Promise<{ jobs: JobRecord[]; nextPageToken: Uint8Array }> {
    checkLimit('pageSize', req.pageSize)
    const { rows } = await this.#db.run(this.#s.list, {
      namespaceId: req.namespaceId,
      kind: req.kind,
      after: jobPageAfter(req.pageToken),
      limit: req.pageSize + 1,
    })
    return jobPage(rows as JobRow[], req.pageSize)
  }

  async listWakingJobs(req: { after?: JobKey; limit: number }): Promise<{ jobs: JobRecord[] }> {
    checkLimit('limit', req.limit)
    const after = req.after ?? { namespaceId: '', kind: '', jobId: '' }
    const { rows } = await this.#db.run(this.#s.listWaking, { ...after, limit: req.limit })
    return { jobs: (rows as JobRow[]).map(toJobRecord) }
  }

  /** After a write that changed nothing: was it the fence? */
  async #checkFence(fence: ShardFence): Promise<void> {
    const { rows } = await this.#db.run(this.#s.shardRange, { shardId: fence.shardId })
    const held = (rows[0] as { range_id?: number | string } | undefined)?.range_id
    if (held === undefined || Number(held) !== fence.rangeId) {
      throw new ShardOwnershipLostError(
        `shard ${fence.shardId} is at range ${held ?? 'none'}, not ${fence.rangeId}`,
      )
    }
  }
}

function describe(key: JobKey): string {
  return `${key.kind} ${key.jobId} of namespace ${key.namespaceId}`
}

function prepare(db: PostgresDatabase) {
  const { jobs } = statements(postgresDialect)
  return {
    insert: db.prepare(jobs.insert),
    get: db.prepare(jobs.get),
    update: db.prepare(jobs.update),
    delete: db.prepare(jobs.delete),
    list: db.prepare(jobs.list),
    listWaking: db.prepare(jobs.listWaking),
    shardRange: db.prepare(jobs.shardRange),
  }
}
