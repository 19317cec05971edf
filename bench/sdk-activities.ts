/** The SDK benchmark's activity: trivial, so the run measures the server and the SDK, not work. */
// eslint-disable-next-line @typescript-eslint/require-await
export async function act(name: string): Promise<string> {
  return `Hello, ${name}!`
}
