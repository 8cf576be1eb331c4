#!/usr/bin/env node
/**
 * The MCP server's command line: stdio by default (for Claude Desktop and other local MCP clients), or
 * Streamable HTTP on 127.0.0.1 with `--http [--port N]`. Configured by OAUTH2_BASE_URL, OAUTH2_CLIENT_ID
 * and OAUTH2_CLIENT_SECRET. Only protocol goes to stdout; diagnostics go to stderr.
 */
import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { OAuthServerApi } from './api/oauth-server-api.js';
import { ConfigError, configFromEnv } from './config.js';
import { startHttpServer } from './http-server.js';
import { keepStdoutForProtocol, log } from './log.js';
import { createServer } from './server.js';

const USAGE = `Usage: edge-oauth2-mcp [--http [--port N] [--allow-origin URL]...]

  (no flags)          serve MCP over stdio
  --http              serve MCP over Streamable HTTP at http://127.0.0.1:<port>/mcp
  --port N            HTTP port (default 3030; 0 picks a free one)
  --allow-origin URL  also accept browser requests from this origin (repeatable)

Environment:
  OAUTH2_BASE_URL       the authorization server (default http://127.0.0.1:8787)
  OAUTH2_CLIENT_ID      an admin client (client_credentials, scope admin)
  OAUTH2_CLIENT_SECRET  its secret
  OAUTH2_METRICS_TOKEN  the server's metrics token, when it sets one (for get_metrics)
`;

const DEFAULT_HTTP_PORT = 3030;

async function main(): Promise<void> {
  keepStdoutForProtocol();
  const { values } = parseArgs({
    options: {
      http: { type: 'boolean', default: false },
      port: { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stderr.write(USAGE);
    return;
  }
  const config = configFromEnv();
  if (!config.clientId || !config.clientSecret) {
    log('OAUTH2_CLIENT_ID / OAUTH2_CLIENT_SECRET are not set: only the public tools will work');
  }
  const api = new OAuthServerApi(config);

  if (values.http) {
    const port = values.port === undefined ? DEFAULT_HTTP_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new ConfigError(`--port: not a port: ${values.port}`);
    const running = await startHttpServer({ api, port, allowedOrigins: values['allow-origin'] ?? [] });
    log(`serving MCP over Streamable HTTP at ${running.url} for ${config.baseUrl}`);
    const stop = () => {
      running.close().finally(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return;
  }
  if (values.port !== undefined) throw new ConfigError('--port needs --http');

  const server = createServer({ api });
  const transport = new StdioServerTransport();
  // The client closing stdin ends the session.
  process.stdin.once('end', () => {
    server.close().finally(() => process.exit(0));
  });
  await server.connect(transport);
  log(`serving MCP over stdio for ${config.baseUrl}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    log(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  log(`fatal: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
