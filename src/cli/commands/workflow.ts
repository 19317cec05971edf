/**
 * `sundial workflow ...`: the command tree and flags of Temporal's `temporal workflow`
 * (`internal/temporalcli/commands.yaml`), so that habits carry over. The requests themselves are
 * in workflow-start.ts, workflow-view.ts and workflow-control.ts; signal, cancel, terminate,
 * reset and delete take `-q` for a batch job instead of `-w` (batch-start.ts).
 */
import { Command, Option } from 'commander'
import { collect } from '../options.js'
import { clientAction } from '../client/run.js'
import {
  collectJson,
  parseCount,
  parsePositiveInt,
  withClientOptionsOnLeaves,
} from '../client/options.js'
import { withRefOrBatch } from './batch-start.js'
import {
  cancel,
  deleteWorkflow,
  prepareCancelOrTerminate,
  prepareDelete,
  prepareInput,
  prepareReset,
  prepareSignal,
  query,
  reset,
  signal,
  stack,
  terminate,
  updateExecute,
} from './workflow-control.js'
import {
  execute,
  prepareSignalWithStart,
  prepareStart,
  signalWithStart,
  start,
  withStartOptions,
} from './workflow-start.js'
import { count, describe, list, result, show } from './workflow-view.js'

export function workflowCommand(): Command {
  const workflow = new Command('workflow').description(
    'Start, list and operate on workflow executions',
  )
  const sub = (parent: Command, name: string, description: string) =>
    parent.command(name).description(description)

  withStartOptions(sub(workflow, 'start', 'Start a workflow execution and print its ids')).action(
    clientAction(start, prepareStart),
  )
  withStartOptions(
    sub(workflow, 'execute', 'Start a workflow execution, show its progress and its result'),
  ).action(clientAction(execute, prepareStart))
  withStartOptions(
    sub(workflow, 'signal-with-start', 'Signal a workflow execution, starting it if not running'),
  )
    .requiredOption('--signal-name <name>', 'signal name')
    .option('--signal-input <json>', 'a signal argument as JSON (repeatable)', collectJson, [])
    .option(
      '--signal-input-file <path>',
      'a file holding a signal argument (repeatable)',
      collect,
      [],
    )
    .action(clientAction(signalWithStart, prepareSignalWithStart))

  sub(workflow, 'list', 'List workflow executions')
    .option(
      '-q, --query <query>',
      "list filter (WorkflowType = 'x' AND ExecutionStatus = 'Running')",
    )
    .option('--limit <n>', 'print at most this many', parsePositiveInt)
    .option('--page-size <n>', 'executions to fetch per request', parsePositiveInt)
    .action(clientAction(list))
  sub(workflow, 'count', 'Count workflow executions')
    .option('-q, --query <query>', 'list filter; GROUP BY ExecutionStatus counts per status')
    .action(clientAction(count))
  withRef(sub(workflow, 'describe', 'Show information about a workflow execution')).action(
    clientAction(describe),
  )
  withRef(sub(workflow, 'show', "Show a workflow execution's event history"))
    .option('-f, --follow', 'keep printing events as they happen, until the execution closes')
    .option(
      '--max-field-length <n>',
      'cut event details to this many characters (0: no limit)',
      parseCount,
      500,
    )
    .action(clientAction(show))
  withRef(
    sub(workflow, 'result', 'Wait for a workflow execution to close and print its result'),
  ).action(clientAction(result))

  withInput(withRefOrBatch(sub(workflow, 'signal', 'Send a signal to a workflow execution')))
    .requiredOption('--name <name>', 'signal name')
    .option('--reason <reason>', 'batch job: why (default: who asked)')
    .action(clientAction(signal, prepareSignal))
  withRejectCondition(withInput(withRef(sub(workflow, 'query', 'Query a workflow execution'))))
    .requiredOption('--name <name>', 'query type')
    .action(clientAction(query, prepareInput))
  withRejectCondition(
    withRef(sub(workflow, 'stack', "Print a workflow execution's stack trace")),
  ).action(clientAction(stack))
  const update = workflow.command('update').description('Send updates to a workflow execution')
  withInput(withRef(sub(update, 'execute', 'Send an update and wait for its result')))
    .requiredOption('--name <name>', 'update name')
    .option('--update-id <id>', 'update id (default: a new UUID)')
    .option('--first-execution-run-id <id>', 'run id that started the chain of runs to update')
    .action(clientAction(updateExecute, prepareInput))

  withRefOrBatch(sub(workflow, 'cancel', 'Request cancellation of a workflow execution'))
    .option('--reason <reason>', 'why')
    .action(clientAction(cancel, prepareCancelOrTerminate))
  withRefOrBatch(sub(workflow, 'terminate', 'Terminate a workflow execution'))
    .option('--reason <reason>', 'why (recorded in the terminated event)')
    .action(clientAction(terminate, prepareCancelOrTerminate))
  withRefOrBatch(sub(workflow, 'reset', 'Reset a workflow execution to an earlier workflow task'))
    .option(
      '-e, --event-id <id>',
      'a WorkflowTaskCompleted (or later task) event to reset to',
      parseCount,
    )
    .addOption(
      new Option('-t, --type <type>', 'reset to this point instead of an event id').choices([
        'FirstWorkflowTask',
        'LastWorkflowTask',
        'LastContinuedAsNew',
      ]),
    )
    .requiredOption('--reason <reason>', 'why (recorded in the history)')
    .action(clientAction(reset, prepareReset))
  withRefOrBatch(sub(workflow, 'delete', 'Delete a workflow execution and its history'))
    .option('--reason <reason>', 'batch job: why (default: who asked)')
    .action(clientAction(deleteWorkflow, prepareDelete))
  return withClientOptionsOnLeaves(workflow)
}

/** `-w` and `-r`, as Temporal's option set `workflow-reference`. */
function withRef(cmd: Command): Command {
  return cmd
    .requiredOption('-w, --workflow-id <id>', 'workflow id')
    .option('-r, --run-id <id>', 'run id (default: the latest run)')
}

/** `-i` and `--input-file`, as Temporal's option set `payload-input`. */
function withInput(cmd: Command): Command {
  return cmd
    .option('-i, --input <json>', 'an argument as JSON (repeatable)', collectJson, [])
    .option('--input-file <path>', 'a file holding an argument as JSON (repeatable)', collect, [])
}

function withRejectCondition(cmd: Command): Command {
  return cmd.addOption(
    new Option('--reject-condition <condition>', 'reject the query when the workflow is').choices([
      'not_open',
      'not_completed_cleanly',
    ]),
  )
}
