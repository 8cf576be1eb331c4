/**
 * The Worker's MCP server: the same admin tools as mcp-server/ (its tool definitions, bundled), over an
 * in-process API that acts with the caller's token. One server per request (stateless Streamable HTTP).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createServer } from '../../mcp-server/src/server';
import { InProcessApi, type InProcessApiOptions } from './in-process-api';

export function createMcpServer(options: InProcessApiOptions): McpServer {
  return createServer({ api: new InProcessApi(options) });
}
