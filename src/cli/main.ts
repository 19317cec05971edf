#!/usr/bin/env node
/**
 * The `sundial` command. Its commands mirror Temporal's CLI (`temporal server start-dev`, ...);
 * each command family lives in commands/<family>.ts.
 */
import { Command } from 'commander'
import { packageVersion } from '../frontend/handlers/system.js'
import { batchCommand } from './commands/batch.js'
import { dbCommand } from './commands/db.js'
import { operatorCommand } from './commands/operator.js'
import { scheduleCommand } from './commands/schedule.js'
import { serverCommand } from './commands/server.js'
import { taskQueueCommand } from './commands/task-queue.js'
import { workflowCommand } from './commands/workflow.js'

const program = new Command()
  .name('sundial')
  .description('Sundial: a Temporal-compatible durable-execution server')
  .version(packageVersion())
program.addCommand(serverCommand())
program.addCommand(dbCommand())
program.addCommand(workflowCommand())
program.addCommand(scheduleCommand())
program.addCommand(batchCommand())
program.addCommand(operatorCommand())
program.addCommand(taskQueueCommand())

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(1)
})
