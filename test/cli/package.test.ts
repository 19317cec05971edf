/**
 * The package as npm publishes it and a user gets it: `npm pack` of this repository (which
 * `npm test` has just built) holds the CLI and the UI and nothing else; `npm install <tarball>`
 * into an empty project gives the three bins, and `npx sundial-server server start-dev` there
 * serves gRPC and stops on SIGTERM; `npx <tarball>` picks the `sundial-server` bin, as
 * `npx sundial-server` will once it is published; and `npx sundial` works in a clone.
 *
 * No prebuilt better-sqlite3 binary can be downloaded here, so its install script
 * (`prebuild-install || node-gyp rebuild`) would compile it from source, about a minute on 2
 * cores. The installs are handed this repository's own build of the same version instead, as a
 * local prebuild (prebuild-install's documented `<package>_local_prebuilds` npm setting), which
 * prebuild-install unpacks and loads in place of the download. Everything else is as for a user:
 * npm resolves the dependency ranges, takes tarballs from its cache first (`--prefer-offline`,
 * the registry otherwise) and runs every install script.
 */
import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Connection } from '@temporalio/client'

interface Manifest {
  name: string
  version: string
  bin: Record<string, string>
}

const run = promisify(execFile)
const repo = fileURLToPath(new URL('../../../', import.meta.url))
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Manifest
const dir = mkdtempSync(join(tmpdir(), 'sundial-package-'))
const children: ChildProcess[] = []
after(() => {
  // Each server runs in a process group of its own (see startServer); a failed assertion may
  // have left one running.
  for (const c of children) {
    if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
      process.kill(-c.pid, 'SIGKILL')
    }
  }
  rmSync(dir, { recursive: true, force: true })
})

/**
 * The environment of a user's shell: without the `npm_*` variables `npm test` sets for its
 * scripts (the repository's own package, prefix and config), which a nested npm would take up.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v
  return { ...env, ...extra }
}

/** Runs npm (or npx) to completion; rejects with its output when it exits non-zero. */
async function npm(
  command: 'npm' | 'npx',
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<string> {
  const { stdout } = await run(command, args, {
    cwd,
    env: userEnv(env),
    maxBuffer: 64 * 1024 * 1024,
  })
  return stdout
}

let tarball: string
/** The npm setting that points prebuild-install at `<dir>/prebuilds` for better-sqlite3. */
let localPrebuilds: Record<string, string>

before(async () => {
  // --ignore-scripts: the build is there already; `prepare` would only run it again.
  const packed = await npm(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', dir],
    repo,
  )
  tarball = join(dir, (JSON.parse(packed) as { filename: string }[])[0]!.filename)

  // Named as prebuild-install names a release asset (util.js getDownloadUrl), holding what one
  // holds: build/Release/better_sqlite3.node.
  const sqlite = join(repo, 'node_modules/better-sqlite3')
  const { version } = JSON.parse(readFileSync(join(sqlite, 'package.json'), 'utf8')) as Manifest
  const libc = process.platform === 'linux' && !glibc() ? 'musl' : ''
  const asset = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}${libc}-${process.arch}.tar.gz`
  mkdirSync(join(dir, 'prebuilds'))
  await run('tar', [
    '-czf',
    join(dir, 'prebuilds', asset),
    '-C',
    sqlite,
    'build/Release/better_sqlite3.node',
  ])
  localPrebuilds = { npm_config_better_sqlite3_local_prebuilds: join(dir, 'prebuilds') }
})

function glibc(): boolean {
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } }
  return report.header?.glibcVersionRuntime !== undefined
}

test('the tarball holds the built CLI and UI, and no tests, benchmarks or TypeScript', async () => {
  const { stdout } = await run('tar', ['-tzf', tarball], { maxBuffer: 16 * 1024 * 1024 })
  const files = stdout.trim().split('\n')
  for (const f of [
    'package.json',
    'dist/src/cli/main.js',
    'dist/src/cli/sundial-test-server.js',
    'dist/ui/index.html',
  ]) {
    assert.ok(files.includes(`package/${f}`), `${f} is missing from the tarball`)
  }
  assert.deepEqual(
    files.filter(
      (f) =>
        /\.tsx?$|\.test\.js(\.map)?$/.test(f) ||
        /^package\/(src|test|bench|ui|dist\/test|dist\/bench|dist\/src\/testing)\//.test(f),
    ),
    [],
  )

  const { stdout: packed } = await run('tar', ['-xzOf', tarball, 'package/package.json'])
  const { name, bin } = JSON.parse(packed) as Manifest
  assert.equal(name, 'sundial-server')
  assert.deepEqual(bin, {
    sundial: 'dist/src/cli/main.js',
    'sundial-server': 'dist/src/cli/main.js',
    'sundial-test-server': 'dist/src/cli/sundial-test-server.js',
  })
})

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

interface Server {
  child: ChildProcess
  address: string
  out: { stdout: string; stderr: string }
  /** Resolves once the process has exited and its pipes are closed. */
  closed: Promise<Exit>
}

/**
 * Spawns a server command in a process group of its own, as a terminal or a service manager
 * runs it, and resolves once it prints its listening line.
 */
function startServer(command: string, args: string[], cwd: string): Promise<Server> {
  const child = spawn(command, args, {
    cwd,
    env: userEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  children.push(child)
  const out = { stdout: '', stderr: '' }
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()))
  const closed = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  )
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out.stdout += chunk.toString()
      const address = /^Sundial server listening on (\S+)$/m.exec(out.stdout)?.[1]
      if (address) resolve({ child, address, out, closed })
    })
    void closed.then(({ code }) =>
      reject(new Error(`${command} exited with ${code} before listening: ${out.stderr}`)),
    )
  })
}

test(
  'npm install <tarball> in an empty project, then npx sundial-server server start-dev',
  { timeout: 300_000 },
  async (t) => {
    const app = join(dir, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n')
    const started = performance.now()
    await npm(
      'npm',
      ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'],
      app,
      localPrebuilds,
    )
    t.diagnostic(`npm install of the tarball took ${Math.round(performance.now() - started)} ms`)
    for (const name of Object.keys(manifest.bin)) {
      assert.ok(existsSync(join(app, 'node_modules/.bin', name)), `no ${name} bin`)
    }

    const npx = await startServer(
      'npx',
      ['sundial-server', 'server', 'start-dev', '--port', '0', '--headless'],
      app,
    )
    const connection = await Connection.connect({ address: npx.address })
    try {
      const info = await connection.workflowService.getSystemInfo({})
      // The version comes from the installed package.json, found by the package's name.
      assert.equal(info.serverVersion, manifest.version)
    } finally {
      await connection.close()
    }
    // To the whole group, as a terminal's Ctrl-C or systemd's stop signals it. A SIGTERM sent to
    // npm alone goes on only to the `sh -c` it runs the bin under, which dies without passing it
    // on and leaves the server running; npm then ends itself by the same signal.
    process.kill(-npx.child.pid!, 'SIGTERM')
    await npx.closed
    assert.doesNotMatch(npx.out.stderr, /^sundial:/m)

    // The bin itself, as a service manager would run it: SIGTERM stops it with exit code 0.
    const bin = await startServer(
      join(app, 'node_modules/.bin/sundial'),
      ['server', 'start-dev', '--port', '0', '--headless'],
      app,
    )
    bin.child.kill('SIGTERM')
    assert.deepEqual(await bin.closed, { code: 0, signal: null }, bin.out.stderr)
  },
)

test(
  'npx <tarball> in an empty folder picks the sundial-server bin',
  { timeout: 300_000 },
  async () => {
    // npx installs the package into `<cache>/_npx`: a cache of the test's own, whose `_cacache`
    // (the tarballs and metadata) is npm's, so that nothing is left in ~/.npm/_npx.
    const realCache = (await npm('npm', ['config', 'get', 'cache'], dir)).trim()
    mkdirSync(join(realCache, '_cacache'), { recursive: true })
    const cache = join(dir, 'npx-cache')
    mkdirSync(cache)
    symlinkSync(join(realCache, '_cacache'), join(cache, '_cacache'))
    const empty = join(dir, 'empty')
    mkdirSync(empty)
    // With several bins and no command named, npx runs the one named like the package
    // (libnpmexec get-bin-from-manifest.js). `file:`, since npx runs a bare path as a program.
    const stdout = await npm(
      'npx',
      ['--yes', '--prefer-offline', '--cache', cache, '--', `file:${tarball}`, '--version'],
      empty,
      localPrebuilds,
    )
    assert.equal(stdout.trim(), manifest.version)
  },
)

test('npx sundial in the clone runs its own bin', async () => {
  // npx links the clone into `<cache>/_npx` and would run its `prepare` (the build) first, which
  // here would rebuild dist/ under the test files running beside this one: --ignore-scripts.
  const cache = join(dir, 'clone-npx-cache')
  const npx = (args: string[]) =>
    npm('npx', ['--ignore-scripts', '--cache', cache, '--', 'sundial', ...args], repo)
  assert.equal((await npx(['--version'])).trim(), manifest.version)
  assert.match(await npx(['--help']), /^Usage: sundial \[options\] \[command\]$/m)
})
