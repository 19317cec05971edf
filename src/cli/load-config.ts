/**
 * The settings a command runs with (src/server/config.ts): the file from `--config` or
 * SUNDIAL_CONFIG, then SUNDIAL_* variables, then the command's flags. A configuration that
 * cannot be used ends the command with its problem on stderr and exit code 1.
 */
import type { ConfigOverrides, ServerConfig } from '../server/config.js'

export async function loadConfig(
  configPath: string | undefined,
  flags: ConfigOverrides,
): Promise<ServerConfig> {
  // Loaded here so that start-dev does not pay for the YAML and schema libraries.
  const { ConfigError, readConfigFile, resolveServerConfig } = await import('../server/config.js')
  try {
    const path = configPath ?? process.env.SUNDIAL_CONFIG
    const file = path ? await readConfigFile(path) : {}
    return resolveServerConfig(file, process.env, flags)
  } catch (e: unknown) {
    if (!(e instanceof ConfigError)) throw e
    console.error(`sundial: ${e.message}`)
    process.exit(1)
  }
}
