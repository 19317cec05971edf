/** The activity of the test-environment tests' workflows. */
export function greet(name: string): Promise<string> {
  return Promise.resolve(`Hello, ${name}!`)
}
