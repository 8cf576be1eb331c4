/**
 * The Worker's MCP server, one per request (stateless Streamable HTTP), offering what the caller's token
 * may call: server metadata and the self-service tools to every signed-in user, and the admin tools of
 * mcp-server/ (its tool definitions, bundled, over an in-process API acting with the caller's token) only
 * to a token that administers (scope `admin`).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createServer } from '../../mcp-server/src/server';
import type { ToolDefinition } from '../../mcp-server/src/tool';
import { TOOLS } from '../../mcp-server/src/tools/index';
import { InProcessApi, type InProcessApiOptions } from './in-process-api';
import { type AccountPort, METADATA_TOOLS, selfServiceTools } from './self-service-tools';

export interface McpServerOptions extends InProcessApiOptions {
  /** The caller's own account; null for a client acting for itself. */
  account: AccountPort | null;
  /** Whether the caller's token administers: the admin tools are offered only then. */
  admin: boolean;
}

const EVERYONE = new Set(METADATA_TOOLS.map((tool) => tool.name));

/** Tools that need scope `admin`: calling one without it is a 403 insufficient_scope challenge. */
export const ADMIN_TOOL_NAMES: ReadonlySet<string> = new Set(
  TOOLS.map((tool) => tool.name).filter((name) => !EVERYONE.has(name)),
);

/** The tools `tools/list` shows this caller, in order: metadata, self-service, then admin. */
export function offeredTools(account: AccountPort | null, admin: boolean): ToolDefinition[] {
  const tools = [...METADATA_TOOLS, ...(account ? selfServiceTools(account) : [])];
  if (admin) tools.push(...TOOLS.filter((tool) => ADMIN_TOOL_NAMES.has(tool.name)));
  return tools;
}

export function createMcpServer(options: McpServerOptions): McpServer {
  return createServer({
    api: new InProcessApi(options),
    tools: offeredTools(options.account, options.admin),
  });
}
