/**
 * Streamable HTTP transport on loopback: POST/GET/DELETE /mcp, one MCP session (and McpServer) per
 * client, all sharing one API client and so one cached admin token. Binds 127.0.0.1 only and refuses
 * requests whose Host or Origin is not this server's (DNS rebinding, cross-site requests from a browser).
 * It has no authentication of its own: whoever can reach the port acts as the admin client.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { OAuthServerApi } from './api/oauth-server-api.js';
import { log } from './log.js';
import { createServer } from './server.js';

export const MCP_PATH = '/mcp';
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_SESSIONS = 100;

export interface HttpServerOptions {
  api: OAuthServerApi;
  /** 0 picks a free port. */
  port: number;
  /** Extra browser origins allowed to call (e.g. an MCP inspector's); loopback on this port always is. */
  allowedOrigins?: string[];
}

export interface RunningHttpServer {
  url: string;
  close(): Promise<void>;
}

function sendJsonRpcError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  let allowedHosts: string[] = [];
  let allowedOrigins: string[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== MCP_PATH) return sendJsonRpcError(res, 404, `not found: the MCP endpoint is ${MCP_PATH}`);
    if (!allowedHosts.includes(req.headers.host ?? '')) return sendJsonRpcError(res, 403, 'Host not allowed');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.includes(origin)) {
      return sendJsonRpcError(res, 403, 'Origin not allowed');
    }

    const sessionId = req.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (sessionId !== undefined && !existing) return sendJsonRpcError(res, 404, 'Session not found');

    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = await readJsonBody(req);
      } catch (error) {
        return sendJsonRpcError(res, 400, `Parse error: ${(error as Error).message}`);
      }
    }
    if (existing) return existing.handleRequest(req, res, body);

    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return sendJsonRpcError(res, 400, 'Bad Request: no valid session id; start with an initialize request');
    }
    if (sessions.size >= MAX_SESSIONS) return sendJsonRpcError(res, 503, 'too many open sessions');
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    const server = createServer({ api: options.api });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  const http: Server = createHttpServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`HTTP ${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) sendJsonRpcError(res, 500, 'Internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;
  allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  allowedOrigins = [
    `http://127.0.0.1:${port}`,
    `http://localhost:${port}`,
    ...(options.allowedOrigins ?? []),
  ];

  return {
    url: `http://127.0.0.1:${port}${MCP_PATH}`,
    async close() {
      await Promise.allSettled([...sessions.values()].map((transport) => transport.close()));
      sessions.clear();
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections(); // keep-alive sockets would hold close() open
      await closed;
    },
  };
}
