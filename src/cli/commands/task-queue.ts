/**
 * `sundial task-queue describe`: the workers that recently polled a task queue, per task queue
 * type, as Temporal's `temporal task-queue describe --legacy-mode` lists them (DescribeTaskQueue
 * with one type per call).
 */
import { Command, Option } from 'commander'
import { TaskQueueKind, TaskQueueType } from '../../common/proto.js'
import { withClientOptionsOnLeaves, type ClientFlags } from '../client/options.js'
import { formatTime, table } from '../client/render.js'
import { clientAction } from '../client/run.js'
import type { ClientSession } from '../client/session.js'
import { collectChoice } from './operator.js'

const TYPES = {
  workflow: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  activity: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
} as const
type QueueType = keyof typeof TYPES

interface DescribeFlags extends ClientFlags {
  taskQueue: string
  taskQueueType: QueueType[]
}

/** The `task-queue` command tree (`describe`). */
export function taskQueueCommand(): Command {
  const taskQueue = new Command('task-queue').description('Inspect task queues')
  taskQueue
    .command('describe')
    .description('Show the workers polling a task queue')
    .requiredOption('-t, --task-queue <name>', 'task queue')
    .addOption(
      new Option('--task-queue-type <type>', 'workflow or activity (repeatable; default both)')
        .argParser(collectChoice(Object.keys(TYPES)))
        .default([]),
    )
    .action(clientAction(describe))
  return withClientOptionsOnLeaves(taskQueue)
}

async function describe(s: ClientSession, flags: DescribeFlags): Promise<void> {
  const types = flags.taskQueueType.length
    ? flags.taskQueueType
    : (Object.keys(TYPES) as QueueType[])
  const described = await Promise.all(
    types.map(async (type) => {
      const response = await s.call(`describing task queue ${flags.taskQueue}`, () =>
        s.workflowService.describeTaskQueue({
          namespace: s.namespace,
          taskQueue: { name: flags.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: TYPES[type],
        }),
      )
      return { type, response }
    }),
  )
  s.out.list(
    described.map(({ type, response }) => ({
      taskQueueType: type,
      ...(s.out.protoJson(
        'temporal.api.workflowservice.v1.DescribeTaskQueueResponse',
        response,
      ) as object),
    })),
  )
  s.out.text(
    table(
      ['TaskQueueType', 'Identity', 'LastAccessTime', 'RatePerSecond'],
      described.flatMap(({ type, response }) =>
        response.pollers.map((p) => [
          type,
          p.identity ?? '',
          formatTime(p.lastAccessTime),
          String(p.ratePerSecond ?? 0),
        ]),
      ),
    ),
  )
}
