/** The activity of the SDK's hello-world sample, run by the CLI test's worker. */
export function greet(name: string): Promise<string> {
  return Promise.resolve(`Hello, ${name}!`)
}
