/**
 * `sundial batch list | describe | terminate`: the batch jobs `workflow <command> -q` starts, as
 * Temporal's `temporal batch` shows them (`commands.batch.go`): a table of jobs, a card of one
 * job's state and counts, and StopBatchOperation. JSON output is the server's answer.
 */
import { Command } from 'commander'
import { api, enumWord, toNumber, type temporal } from '../../common/proto.js'
import { CliError } from '../client/cli-error.js'
import { parsePositiveInt, withClientOptionsOnLeaves, type ClientFlags } from '../client/options.js'
import { card, formatTime, table } from '../client/render.js'
import { clientAction } from '../client/run.js'
import type { ClientSession } from '../client/session.js'
import { stateWord } from './batch-start.js'

type BatchOperationInfo = temporal.api.batch.v1.IBatchOperationInfo

/** `--job-id`: the job a command is about. */
export interface JobFlags extends ClientFlags {
  jobId: string
}

/** `terminate`: the reason is required, as in Temporal. */
export interface TerminateJobFlags extends JobFlags {
  reason: string
}

/** `list --limit`. */
export interface ListJobsFlags extends ClientFlags {
  limit?: number
}

export function batchCommand(): Command {
  const batch = new Command('batch').description(
    'List, describe and terminate batch jobs (started by workflow commands with -q)',
  )
  batch
    .command('list')
    .description('List the batch jobs of a namespace')
    .option('--limit <n>', 'print at most this many', parsePositiveInt)
    .action(clientAction(listJobs))
  batch
    .command('describe')
    .description("Show a batch job's state and progress")
    .requiredOption('--job-id <id>', 'batch job id')
    .action(clientAction(describeJob))
  batch
    .command('terminate')
    .description('Stop a batch job; what it already did stays done')
    .requiredOption('--job-id <id>', 'batch job id')
    .requiredOption('--reason <reason>', 'why (recorded with the job)')
    .action(clientAction(terminateJob))
  return withClientOptionsOnLeaves(batch)
}

/** `TerminateWorkflow`, `SignalWorkflow`, ...: an operation type as Temporal's CLI prints it. */
function typeWord(type: number | null | undefined): string {
  return enumWord(api.enums.v1.BatchOperationType, type ?? 0, 'BATCH_OPERATION_TYPE_')
}

/** ListBatchOperations, page by page up to `--limit`: JobId, State, StartTime, CloseTime. */
export async function listJobs(s: ClientSession, flags: ListJobsFlags): Promise<void> {
  const limit = flags.limit ?? Infinity
  const jobs: BatchOperationInfo[] = []
  let nextPageToken: Uint8Array | undefined
  do {
    const page = await s.call('listing batch jobs', () =>
      s.workflowService.listBatchOperations({ namespace: s.namespace, nextPageToken }),
    )
    const infos = page.operationInfo.slice(0, limit - jobs.length)
    jobs.push(...infos)
    if (s.out.format === 'jsonl') {
      for (const j of infos) s.out.message('temporal.api.batch.v1.BatchOperationInfo', j)
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined
  } while (nextPageToken && jobs.length < limit)
  if (s.out.format === 'json') {
    s.out.list(jobs.map((j) => s.out.protoJson('temporal.api.batch.v1.BatchOperationInfo', j)))
  }
  // Temporal's CLI prints nothing at all when there are no jobs.
  if (jobs.length === 0) return
  s.out.text(
    table(
      ['JobId', 'State', 'StartTime', 'CloseTime'],
      jobs.map((j) => [
        j.jobId ?? '',
        stateWord(j.state),
        formatTime(j.startTime),
        formatTime(j.closeTime),
      ]),
    ),
  )
}

/** DescribeBatchOperation: State, Type, times, and the completed and failed counts. */
export async function describeJob(s: ClientSession, flags: JobFlags): Promise<void> {
  const response = await s.call('describing batch job', () =>
    notFoundAsJob(flags.jobId, () =>
      s.workflowService.describeBatchOperation({ namespace: s.namespace, jobId: flags.jobId }),
    ),
  )
  s.out.message('temporal.api.workflowservice.v1.DescribeBatchOperationResponse', response)
  const total = toNumber(response.totalOperationCount)
  s.out.text(
    card([
      ['State', stateWord(response.state)],
      ['Type', typeWord(response.operationType)],
      ['StartTime', formatTime(response.startTime)],
      ['CloseTime', formatTime(response.closeTime) || undefined],
      ['CompletedCount', `${toNumber(response.completeOperationCount)}/${total}`],
      ['FailureCount', `${toNumber(response.failureOperationCount)}/${total}`],
    ]),
  )
}

/** StopBatchOperation with the reason. */
export async function terminateJob(s: ClientSession, flags: TerminateJobFlags): Promise<void> {
  const response = await s.call('terminating batch job', () =>
    notFoundAsJob(flags.jobId, () =>
      s.workflowService.stopBatchOperation({
        namespace: s.namespace,
        jobId: flags.jobId,
        reason: flags.reason,
        identity: s.identity,
      }),
    ),
  )
  s.out.message('temporal.api.workflowservice.v1.StopBatchOperationResponse', response)
  s.out.text(`Terminated Batch Job '${flags.jobId}'`)
}

/** NOT_FOUND as Temporal's CLI says it: `could not find Batch Job '<id>'`. */
async function notFoundAsJob<T>(jobId: string, rpc: () => Promise<T>): Promise<T> {
  try {
    return await rpc()
  } catch (e: unknown) {
    if ((e as { code?: unknown }).code === 5)
      throw new CliError(`could not find Batch Job '${jobId}'`)
    throw e
  }
}
