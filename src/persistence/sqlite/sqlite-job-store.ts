/**
 * The internal worker's jobs on SQLite. Writes share group commits (a thousand schedules waking
 * in the same second commit together instead of one fsync each); reads are single statements.
 */
import type Database from 'better-sqlite3'
import { ConditionFailedError, ShardOwnershipLostError } from '../errors.js'
import { sqliteDialect } from '../sql/dialect.js'
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
import { settle } from './settle.js'
import { SqliteGroupCommit } from './sqlite-group-commit.js'

type Params = Record<string, unknown>

/** One write, applied inside a group commit; throwing rolls back that write alone. */
type JobWrite = () => void

export class SqliteJobStore implements JobStore {
  readonly #db: Database.Database
  readonly #s: ReturnType<typeof prepare>
  readonly #groupCommit: SqliteGroupCommit<JobWrite>

  constructor(db: Database.Database, opts: { maxGroupSize?: number } = {}) {
    this.#db = db
    this.#s = prepare(db)
    this.#groupCommit = new SqliteGroupCommit<JobWrite>({
      db,
      apply: (write) => write(),
      maxGroupSize: opts.maxGroupSize ?? 1000,
    })
  }

  createJob(req: ShardFence & { job: JobRecord }): Promise<void> {
    return this.#groupCommit.submit(() => {
      if (this.#s.insert.run(jobParams(req, req.job)).changes === 0) {
        this.#checkFence(req)
        throw new ConditionFailedError(`${describe(req.job)} already exists`)
      }
    })
  }

  getJob(req: JobKey): Promise<{ job: JobRecord | undefined }> {
    return settle(this.#db, () => {
      const row = this.#s.get.get(req)
      return { job: row && toJobRecord(row) }
    })
  }

  updateJob(req: ShardFence & { job: JobRecord; expectedVersion: number }): Promise<void> {
    return this.#groupCommit.submit(() => {
      const params = { ...jobParams(req, req.job), expected: req.expectedVersion }
      if (this.#s.update.run(params).changes === 0) {
        this.#checkFence(req)
        throw new ConditionFailedError(
          `${describe(req.job)} is not at version ${req.expectedVersion}`,
        )
      }
    })
  }

  deleteJob(req: ShardFence & JobKey): Promise<void> {
    return this.#groupCommit.submit(() => {
      if (this.#s.delete.run({ ...req }).changes === 0) this.#checkFence(req)
    })
  }

  /** Commits the writes still queued, then refuses more. */
  close(): void {
    this.#groupCommit.close()
  }

  listJobs(req: {
    namespaceId: string
    kind: JobRecord['kind']
    pageSize: number
    pageToken?: Uint8Array
  }): Promise<{ jobs: JobRecord[]; nextPageToken: Uint8Array }> {
    return settle(this.#db, () => {
      checkLimit('pageSize', req.pageSize)
      const rows = this.#s.list.all({
        namespaceId: req.namespaceId,
        kind: req.kind,
        after: jobPageAfter(req.pageToken),
        limit: req.pageSize + 1,
      })
      return jobPage(rows, req.pageSize)
    })
  }

  listWakingJobs(req: { after?: JobKey; limit: number }): Promise<{ jobs: JobRecord[] }> {
    return settle(this.#db, () => {
      checkLimit('limit', req.limit)
      const after = req.after ?? { namespaceId: '', kind: '', jobId: '' }
      return { jobs: this.#s.listWaking.all({ ...after, limit: req.limit }).map(toJobRecord) }
    })
  }

  /** After a write that changed nothing: was it the fence? */
  #checkFence(fence: ShardFence): void {
    const held = this.#s.shardRange.get({ shardId: fence.shardId })
    if (held !== fence.rangeId) {
      throw new ShardOwnershipLostError(
        `shard ${fence.shardId} is at range ${held ?? 'none'}, not ${fence.rangeId}`,
      )
    }
  }
}

function describe(key: JobKey): string {
  return `${key.kind} ${key.jobId} of namespace ${key.namespaceId}`
}

function prepare(db: Database.Database) {
  const { jobs } = statements(sqliteDialect)
  return {
    insert: db.prepare<Params, void>(jobs.insert),
    get: db.prepare<JobKey, JobRow>(jobs.get),
    update: db.prepare<Params, void>(jobs.update),
    delete: db.prepare<Params, void>(jobs.delete),
    list: db.prepare<Params, JobRow>(jobs.list),
    listWaking: db.prepare<Params, JobRow>(jobs.listWaking),
    shardRange: db.prepare<{ shardId: number }, number>(jobs.shardRange).pluck(),
  }
}
