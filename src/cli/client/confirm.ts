/**
 * Confirmation before a destructive command (`workflow delete`, `operator namespace delete`,
 * `operator search-attribute remove`), skipped by `-y/--yes`. Without a terminal to ask on,
 * the command refuses rather than guess, so scripts must say `--yes`.
 */
import { createInterface } from 'node:readline/promises'
import { CliError } from './cli-error.js'

/** Resolves when confirmed; throws a CliError when refused or when nobody can be asked. */
export async function confirm(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return
  if (!process.stdin.isTTY) {
    throw new CliError(`${question} needs confirmation, and stdin is not a terminal: pass -y/--yes`)
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    const answer = await rl.question(`${question}? [y/N] `)
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('not confirmed; nothing was changed')
  } finally {
    rl.close()
  }
}
