/**
 * The `sundial` command run as a user runs it: a child process whose output is collected, killed
 * at the end of the test file if a failed assertion left it running.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { after } from 'node:test'
import { fileURLToPath } from 'node:url'

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))
const children: ChildProcess[] = []

after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})

export interface Cli {
  child: ChildProcess
  /** stdout and stderr so far. */
  out: { stdout: string; stderr: string }
  /** The exit code; null when a signal ended the process. */
  exit: Promise<number | null>
}

/** `env` is added to this process's environment. */
export function spawnSundial(args: string[], env: Record<string, string> = {}): Cli {
  const child = spawn(process.execPath, [main, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  })
  children.push(child)
  const out = { stdout: '', stderr: '' }
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()))
  // 'close', not 'exit': it comes after the pipes are drained, so `out` is complete.
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return { child, out, exit }
}

export interface Started extends Cli {
  /** `host:port` from the listening line. */
  address: string
  port: number
  /** The start-up lines on stdout. */
  lines: string[]
}

/** Spawns a server command and resolves once it has printed its three start-up lines. */
export function startSundial(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const cli = spawnSundial(args, env)
  return new Promise((resolve, reject) => {
    cli.child.stdout?.on('data', () => {
      const lines = cli.out.stdout.split('\n')
      if (lines.length < 4) return
      const address = /^Sundial server listening on (\S+)$/.exec(lines[0]!)?.[1]
      if (!address) return reject(new Error(`unexpected output: ${cli.out.stdout}`))
      resolve({
        ...cli,
        address,
        port: Number(address.split(':').at(-1)),
        lines: lines.slice(0, 3),
      })
    })
    void cli.exit.then((code) =>
      reject(new Error(`exited with ${code} before listening: ${cli.out.stderr}`)),
    )
  })
}
