/**
 * Diagnostics go to stderr only: on stdio, stdout carries the MCP protocol and nothing else.
 */
export function log(message: string): void {
  process.stderr.write(`[edge-oauth2-mcp] ${message}\n`);
}

/**
 * Routes console.log/info/debug/warn to stderr, so that a stray log line from any dependency cannot
 * corrupt the JSON-RPC stream on stdout.
 */
export function keepStdoutForProtocol(): void {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  console.warn = toStderr;
}
