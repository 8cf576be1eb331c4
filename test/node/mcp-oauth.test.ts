/**
 * The MCP SDK's own OAuth client against the built Worker, given nothing but `{server}/mcp`: 401 →
 * RFC 9728 protected resource metadata → RFC 8414 metadata → anonymous dynamic registration → PKCE
 * authorization (the seed admin signs in and consents through our forms) → token with resource
 * `{server}/mcp` → Streamable HTTP → tools/list → tools/call.
 */
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, CookieAgent, signInAndApprove, startServer, type TestServer } from './support';

const REDIRECT = 'http://127.0.0.1:47321/callback';

/** An in-memory OAuthClientProvider; the "browser" is a scripted sign-in of the seed admin. */
class ScriptedProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  authorizationUrl: URL | undefined;

  get redirectUrl(): string {
    return REDIRECT;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'mcp-oauth.test',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation() {
    return this.client;
  }

  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }

  tokens() {
    return this.saved;
  }

  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }

  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }

  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }

  codeVerifier() {
    return this.verifier;
  }
}

function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

let server: TestServer;
let mcpUrl: URL;

beforeAll(async () => {
  server = await startServer({ OAUTH2_DYNAMIC_REGISTRATION_ENABLED: 'true' });
  mcpUrl = new URL(`${server.url}/mcp`);
});

afterAll(async () => {
  await server?.stop();
});

describe('MCP authorization: the SDK’s OAuth client from nothing but the URL', () => {
  it('discovers, registers, signs in with PKCE, and calls an admin tool', async () => {
    const provider = new ScriptedProvider();
    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    const client = new Client({ name: 'mcp-oauth.test', version: '1.0.0' });
    // 401 with resource_metadata → discovery → registration → the provider is asked to send the user away.
    await expect(client.connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    await first.close();

    const registered = provider.client as { client_id: string; client_secret?: string; scope?: string };
    expect(registered.client_id).toMatch(/^client_/);
    expect(registered.client_secret).toBeUndefined();
    const url = provider.authorizationUrl as URL;
    expect(`${url.origin}${url.pathname}`).toBe(`${server.url}/oauth/authorize`);
    expect(url.searchParams.get('resource')).toBe(mcpUrl.href);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('scope')).toBe('openid offline_access');

    const callback = await signInAndApprove(new CookieAgent(server.url), url, server.seedAdmin);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
    expect(callback.searchParams.get('iss')).toBe(server.url);
    const code = callback.searchParams.get('code') as string;
    await first.finishAuth(code);

    const tokens = provider.saved as OAuthTokens;
    expect(tokens.refresh_token).toMatch(/^ort_/);
    const access = claims(tokens.access_token);
    expect(access.aud).toBe(mcpUrl.href);
    expect(access.scope).toBe('openid offline_access');

    const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    const connected = new Client({ name: 'mcp-oauth.test', version: '1.0.0' });
    await connected.connect(transport);
    const { tools } = await connected.listTools();
    expect(tools).toHaveLength(22);
    expect(tools.map((tool) => tool.name)).toContain('list_clients');

    const result = (await connected.callTool({
      name: 'list_clients',
      arguments: { q: registered.client_id },
    })) as CallToolResult;
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const page = result.structuredContent as { items: { client_id: string }[] };
    expect(page.items.map((item) => item.client_id)).toContain(registered.client_id);

    // A failing tool is an isError result carrying the server's error, not a protocol error.
    const missing = (await connected.callTool({
      name: 'get_client',
      arguments: { client_id: 'no-such-client' },
    })) as CallToolResult;
    expect(missing.isError).toBe(true);
    await connected.close();
  });

  it('refuses a token for another audience at /mcp, with the RFC 9728 challenge', async () => {
    const token = await adminToken(server);
    const res = await fetch(mcpUrl, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
    expect(res.headers.get('www-authenticate')).toContain(
      `resource_metadata="${server.url}/.well-known/oauth-protected-resource/mcp"`,
    );

    // The SDK client with that token and no way to re-authorize: the connection fails.
    const transport = new StreamableHTTPClientTransport(mcpUrl, {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    });
    await expect(new Client({ name: 'x', version: '1' }).connect(transport)).rejects.toThrow();
  });
});
