/**
 * `sundial schedule ...`: the commands and flags of Temporal's `temporal schedule`
 * (`internal/temporalcli/commands.yaml`, option sets `schedule-id`, `schedule-configuration`,
 * `schedule-create-only`, `overlap-policy`, `shared-workflow-start` and `payload-input`). The
 * requests are in schedule-control.ts and schedule-view.ts.
 */
import { Command, Option } from 'commander'
import { collect } from '../options.js'
import { clientAction } from '../client/run.js'
import {
  collectKeyJson,
  parseCount,
  parseDurationArg,
  withClientOptionsOnLeaves,
} from '../client/options.js'
import {
  backfillSchedule,
  createSchedule,
  deleteSchedule,
  prepareScheduleConfig,
  prepareToggle,
  toggleSchedule,
  triggerSchedule,
  updateSchedule,
} from './schedule-control.js'
import {
  collectCalendar,
  collectInterval,
  OVERLAP_POLICIES,
  parseTimestampArg,
} from './schedule-request.js'
import { describeSchedule, listMatchingTimes, listSchedules } from './schedule-view.js'
import { withWorkflowOptions } from './workflow-start.js'

export function scheduleCommand(): Command {
  const schedule = new Command('schedule').description(
    'Create, list, describe, update and operate on schedules',
  )
  const sub = (name: string, description: string) =>
    withScheduleId(schedule.command(name).description(description))

  withScheduleMemo(
    withConfiguration(sub('create', 'Create a schedule that starts workflows at the times given')),
  ).action(clientAction(createSchedule, prepareScheduleConfig))
  withConfiguration(
    sub('update', 'Replace a schedule: spec, action, policies and state (flags left out reset)'),
  ).action(clientAction(updateSchedule, prepareScheduleConfig))
  sub('describe', "Show a schedule's configuration, its recent and next runs").action(
    clientAction(describeSchedule),
  )
  schedule
    .command('list')
    .description('List the schedules of a namespace')
    .option('-q, --query <query>', "list filter (TemporalSchedulePaused = true, ScheduleId = 'x')")
    .option('-l, --long', 'show the spec and notes too')
    .option('--really-long', 'show every field')
    .action(clientAction(listSchedules))
  sub('toggle', 'Pause or unpause a schedule')
    .option('--pause', 'pause the schedule')
    .option('--unpause', 'unpause the schedule')
    .option('--reason <text>', 'why; becomes the notes', '(no reason provided)')
    .action(clientAction(toggleSchedule, prepareToggle))
  withOverlapPolicy(sub('trigger', "Start the schedule's workflow once, now")).action(
    clientAction(triggerSchedule),
  )
  withOverlapPolicy(sub('backfill', 'Start the runs the spec would have started in a time range'))
    .requiredOption('--start-time <time>', 'start of the range (RFC 3339)', parseTimestampArg)
    .requiredOption('--end-time <time>', 'end of the range, included (RFC 3339)', parseTimestampArg)
    .action(clientAction(backfillSchedule))
  sub('delete', 'Delete a schedule; the workflows it started keep running').action(
    clientAction(deleteSchedule),
  )
  sub('list-matching-times', "List the times in a range that the schedule's spec matches")
    .requiredOption('--start-time <time>', 'start of the range (RFC 3339)', parseTimestampArg)
    .requiredOption('--end-time <time>', 'end of the range (RFC 3339)', parseTimestampArg)
    .action(clientAction(listMatchingTimes))
  return withClientOptionsOnLeaves(schedule)
}

function withScheduleId(cmd: Command): Command {
  return cmd.requiredOption('-s, --schedule-id <id>', 'schedule id')
}

function withOverlapPolicy(cmd: Command): Command {
  return cmd.addOption(
    new Option('--overlap-policy <policy>', 'what to do when a started workflow is still running')
      .choices(OVERLAP_POLICIES)
      .default('Skip'),
  )
}

/** The spec, policy, state and action flags `create` and `update` share. */
function withConfiguration(cmd: Command): Command {
  return withWorkflowOptions(
    withOverlapPolicy(cmd)
      .option(
        '--cron <cron>',
        'a cron string, like "30 12 * * Fri" or @daily (repeatable)',
        collect,
        [],
      )
      .option(
        '--interval <every[/offset]>',
        'an interval, like 90m, or 60m/15m with an offset (repeatable)',
        collectInterval,
        [],
      )
      .option(
        '--calendar <json>',
        'a calendar in JSON, like {"dayOfWeek":"Fri","hour":"17","minute":"5"} (repeatable)',
        collectCalendar,
        [],
      )
      .option(
        '--exclude-calendar <json>',
        'a calendar in JSON whose times are skipped (repeatable)',
        collectCalendar,
        [],
      )
      .option('--start-time <time>', 'no actions before this time (RFC 3339)', parseTimestampArg)
      .option('--end-time <time>', 'no actions after this time (RFC 3339)', parseTimestampArg)
      .option('--jitter <duration>', 'delay each action by up to this much', parseDurationArg)
      .option('--time-zone <tz>', 'the time zone calendars and crons are read in (IANA name)')
      .option(
        '--catchup-window <duration>',
        'how late a missed action may still run (default 1 year)',
        parseDurationArg,
      )
      .option('--pause-on-failure', 'pause the schedule when a workflow it started fails')
      .option('--notes <text>', 'the notes field')
      .option('--paused', 'pause the schedule at once')
      .option(
        '--remaining-actions <n>',
        'stop after this many actions (default 0: unlimited)',
        parseCount,
      ),
    'schedule',
  )
}

/** `create` only: the schedule's own memo and search attributes. */
function withScheduleMemo(cmd: Command): Command {
  return cmd
    .option(
      '--schedule-search-attribute <KEY=JSON>',
      "the schedule's own search attribute (repeatable)",
      collectKeyJson,
      [],
    )
    .option(
      '--schedule-memo <KEY=JSON>',
      "the schedule's own memo field (repeatable)",
      collectKeyJson,
      [],
    )
}
