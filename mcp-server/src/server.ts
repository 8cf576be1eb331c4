/**
 * createServer(): an McpServer whose tools administer an edge-oauth2-server over its HTTP API (admin JSON
 * API with a client_credentials token of scope admin, OAuth endpoints, health and discovery). Transport-free:
 * connect it to stdio, Streamable HTTP or an in-memory pair.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { OAuthServerApi, type OAuthServerApiOptions } from './api/oauth-server-api.js';
import type { ServerApi } from './api/server-api.js';
import { registerTool, type ToolDefinition } from './tool.js';
import { TOOLS } from './tools/index.js';

export { OAuthServerApi, type OAuthServerApiOptions } from './api/oauth-server-api.js';
export type { ApiFailure, ApiResult, ApiSuccess } from './api/response.js';
export type { ClientCredentials, ServerApi } from './api/server-api.js';
export { TOOLS } from './tools/index.js';

export const SERVER_NAME = 'edge-oauth2-admin';
export const SERVER_VERSION = '0.1.0';

/**
 * Either how to reach the server, or an existing API client (to share its admin token across sessions);
 * and the tools to offer (default: every admin tool).
 */
export type CreateServerOptions = (OAuthServerApiOptions | { api: ServerApi }) & {
  tools?: readonly ToolDefinition[];
};

const INSTRUCTIONS = [
  'Administers an OAuth 2.1 / OpenID Connect authorization server: clients, users, grants, signing keys,',
  'events, and its token, introspection and revocation endpoints.',
  'Secrets (client_secret, tokens) appear only in the results that issue them; the server cannot show them again.',
  'Failures are error results carrying the server’s {error, error_description} and http_status.',
].join(' ');

export function createServer(options: CreateServerOptions): McpServer {
  const api = 'api' in options ? options.api : new OAuthServerApi(options);
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  for (const tool of options.tools ?? TOOLS) registerTool(server, tool, api);
  return server;
}
