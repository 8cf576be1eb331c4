/**
 * POST /mcp: MCP Streamable HTTP (stateless: one McpServer and transport per request, JSON responses, no
 * session), for this server's own access tokens with audience `{issuer}/mcp` (src/mcp/caller.ts). Every
 * signed-in user gets the self-service tools; the admin tools need scope `admin`, and calling one without
 * it is answered 403 insufficient_scope before it runs, so an MCP client asks the user for the scope.
 * The admin tools call this app in-process with the caller's token.
 * GET (a server-to-client event stream) and DELETE (ending a session) have nothing to offer without
 * sessions: 405, as the Streamable HTTP transport allows. Every 401/403 names the resource metadata
 * (RFC 9728 §5.1), which is how an MCP client given only this URL finds the authorization server.
 */

import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Context } from 'hono';
import { listConnectedApps, revokeConnectedApp } from '../../src/account/connected-apps';
import { requireMcpCaller } from '../../src/mcp/caller';
import type { AccountPort } from '../../src/mcp/self-service-tools';
import { ADMIN_TOOL_NAMES, createMcpServer } from '../../src/mcp/server';
import { InsufficientScopeError, MethodNotAllowedError } from '../../src/oauth/errors';
import type { OAuthContext } from '../../src/oauth/ports';
import { MCP_PATH, mcpResource } from '../../src/oauth/resources/indicators';
import { ADMIN_SCOPE } from '../../src/oauth/scopes/admin-scope';
import type { AccessTokenInfo } from '../../src/oauth/tokens/access-token';
import { readBearer } from '../../src/oauth/tokens/bearer';
import type { UserRecord } from '../../src/storage/ports';
import type { AppEnv } from '../context';
import { accountContext } from '../http/admin-context';
import { readText } from '../middleware/body';
import { executionContextOf } from '../wiring/request-storage';
import { oauthContext } from '../wiring/services';
import { resourceChallenge } from './protected-resource';
import { answer, handParsedBody, jsonError, jsonResponse, registerBodySchema } from './schemas';

/** JSON-RPC bodies of the tools are small. */
const MAX_BODY_BYTES = 256 * 1024;
/** Headers of the caller that the in-process requests keep (its address: rate limits, denylist, logs). */
const FORWARDED = ['cf-connecting-ip', 'x-forwarded-for', 'user-agent'];

async function handleMcp(c: Context<AppEnv>, app: OpenAPIHono<AppEnv>): Promise<Response> {
  const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
  const token = readBearer(c.req.header('authorization'));
  const caller = await requireMcpCaller(ctx, token);
  if (!caller.admin && (await callsAdminTool(c.req.raw))) throw new InsufficientScopeError(ADMIN_SCOPE);
  const forwardHeaders: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = c.req.header(name);
    if (value !== undefined) forwardHeaders[name] = value;
  }
  const executionCtx = executionContextOf(c) as ExecutionContext | undefined;
  const server = createMcpServer({
    baseUrl: ctx.issuer,
    accessToken: token as string,
    forwardHeaders,
    fetch: async (request) => app.fetch(request, c.env, executionCtx),
    account: caller.user ? accountPort(c, ctx, caller.user, caller.token) : null,
    admin: caller.admin,
  });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
    maxRequestBodySize: MAX_BODY_BYTES,
  });
  try {
    await server.connect(transport);
    const response = await transport.handleRequest(c.req.raw);
    // Fully buffered (enableJsonResponse), so the server can be closed before the response is sent.
    const body = await response.arrayBuffer();
    return new Response(body, response);
  } finally {
    await server.close();
  }
}

/**
 * Whether the JSON-RPC body (one message or a batch) calls an admin tool. Read from a copy, so the
 * transport still reads the original; a body that is not JSON is left to the transport to refuse.
 */
async function callsAdminTool(request: Request): Promise<boolean> {
  let body: unknown;
  try {
    body = JSON.parse(await readText(request.clone(), MAX_BODY_BYTES));
  } catch {
    return false;
  }
  const messages: unknown[] = Array.isArray(body) ? body : [body];
  return messages.some((message) => {
    if (typeof message !== 'object' || message === null) return false;
    const { method, params } = message as { method?: unknown; params?: unknown };
    const name = typeof params === 'object' && params !== null ? (params as { name?: unknown }).name : null;
    return method === 'tools/call' && typeof name === 'string' && ADMIN_TOOL_NAMES.has(name);
  });
}

/** The caller's own account for the self-service tools. */
function accountPort(
  c: Context<AppEnv>,
  ctx: OAuthContext,
  user: UserRecord,
  token: AccessTokenInfo,
): AccountPort {
  return {
    profile: async () => ({
      id: user.id,
      username: user.username,
      name: user.name,
      email: user.email,
      email_verified: user.emailVerified,
      role: user.role,
      scope: token.scope,
    }),
    connectedApps: () => listConnectedApps(ctx, user.id),
    revoke: (grantId) =>
      revokeConnectedApp(accountContext(c, user, 'bearer', token.clientId), user.id, grantId),
  };
}

const mcpRoute = createRoute({
  method: 'post',
  path: MCP_PATH,
  tags: ['MCP'],
  summary:
    'MCP Streamable HTTP endpoint: self-service and admin tools (JSON-RPC 2.0, stateless, JSON responses)',
  description:
    'Needs an access token of this server with audience {issuer}/mcp (RFC 8707 resource) of an enabled user, or of a client with scope admin. tools/list shows the self-service tools to every user and the admin tools only with scope admin; calling an admin tool without it is 403 insufficient_scope (scope="admin"). 401/403 challenges carry resource_metadata (RFC 9728).',
  security: [{ bearer: [] }],
  request: {
    // Read after the token is checked, by the MCP transport (which answers JSON-RPC errors).
    body: handParsedBody('McpRequest', 'application/json'),
  },
  responses: {
    200: jsonResponse('JSON-RPC response', z.object({ jsonrpc: z.literal('2.0') }).passthrough()),
    400: { description: 'Malformed JSON-RPC (a JSON-RPC error object)' },
    401: jsonError('No or invalid token, or a token for another audience'),
    403: jsonError(
      'An admin tool called without scope admin, or a client token without it (insufficient_scope)',
    ),
  },
});

/** GET (event stream) and DELETE (session end) of Streamable HTTP: 405 for an authorized caller. */
const mcpUnsupportedRoute = (method: 'get' | 'delete') =>
  createRoute({
    method,
    path: MCP_PATH,
    tags: ['MCP'],
    summary: `${method.toUpperCase()} is not offered (stateless server, no sessions or server-sent stream)`,
    security: [{ bearer: [] }],
    responses: {
      401: jsonError('No or invalid token (checked first, so the challenge names the resource metadata)'),
      405: jsonError('Method not allowed (Allow: POST)'),
    },
  });

/** The documented body of POST /mcp (parsed by the MCP transport). */
export const McpRequestSchema = z.object({ jsonrpc: z.literal('2.0') }).passthrough();

export function registerMcpRoutes(app: OpenAPIHono<AppEnv>): void {
  app.use(MCP_PATH, resourceChallenge(mcpResource));
  registerBodySchema(app, 'McpRequest', McpRequestSchema);
  app.openapi(mcpRoute, async (c) => answer(await handleMcp(c, app)));
  const unsupported = async (c: Context<AppEnv>): Promise<never> => {
    // Authenticate first, so an MCP client probing with GET also learns where to get a token.
    const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
    await requireMcpCaller(ctx, readBearer(c.req.header('authorization')));
    throw new MethodNotAllowedError('POST');
  };
  app.openapi(mcpUnsupportedRoute('get'), unsupported);
  app.openapi(mcpUnsupportedRoute('delete'), unsupported);
  app.on(['PUT', 'PATCH'], MCP_PATH, unsupported);
}
