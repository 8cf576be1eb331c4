/**
 * The MCP SDK's own OAuth client against the built Worker, given nothing but `{server}/mcp`: 401 →
 * RFC 9728 protected resource metadata → RFC 8414 metadata → anonymous dynamic registration → PKCE
 * authorization (a user signs in and consents through our forms) → token with resource `{server}/mcp`
 * → Streamable HTTP → tools/list → tools/call. A user who is no administrator gets the self-service
 * tools; an administrator consents to `admin` and gets the admin tools too, also by the SDK's step-up
 * on a 403 insufficient_scope challenge.
 */
import { createHash, randomBytes } from 'node:crypto';
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
import {
  adminToken,
  CookieAgent,
  createUser,
  signInAndApprove,
  startServer,
  type TestServer,
} from './support';

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

const SELF_SERVICE_TOOLS = ['get_my_profile', 'get_openid_config', 'list_my_grants', 'revoke_my_grant'];

/**
 * 401 → discovery → registration → authorization URL (the provider is asked to send the user away),
 * then `user` signs in and consents through our forms and the SDK redeems the code.
 */
async function authorizeThroughSdk(provider: ScriptedProvider, user: { username: string; password: string }) {
  const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
  await expect(
    new Client({ name: 'mcp-oauth.test', version: '1.0.0' }).connect(first),
  ).rejects.toBeInstanceOf(UnauthorizedError);
  const url = provider.authorizationUrl as URL;
  const callback = await signInAndApprove(new CookieAgent(server.url), url, user);
  expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
  expect(callback.searchParams.get('iss')).toBe(server.url);
  await first.finishAuth(callback.searchParams.get('code') as string);
  await first.close();
  return url;
}

/**
 * A token of the provider's registered client for the seed admin with scope openid only (prompt=consent
 * shows the page again), as a client that did not ask for admin would hold; no refresh token.
 */
async function narrowToken(provider: ScriptedProvider): Promise<OAuthTokens> {
  const clientId = (provider.client as { client_id: string }).client_id;
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const url = new URL(`${server.url}/oauth/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'openid',
    prompt: 'consent',
    resource: mcpUrl.href,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  const callback = await signInAndApprove(new CookieAgent(server.url), url, server.seedAdmin);
  const res = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      code: callback.searchParams.get('code') as string,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
      resource: mcpUrl.href,
    }),
  });
  const tokens = (await res.json()) as OAuthTokens;
  expect(res.status, JSON.stringify(tokens)).toBe(200);
  expect(tokens.scope).toBe('openid');
  expect(tokens.refresh_token).toBeUndefined();
  return tokens;
}

async function connected(provider: ScriptedProvider): Promise<Client> {
  const client = new Client({ name: 'mcp-oauth.test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
  return client;
}

describe('MCP authorization: the SDK’s OAuth client from nothing but the URL', () => {
  it('connects a user who is no administrator, who gets the self-service tools only', async () => {
    const user = await createUser(server, await adminToken(server));
    const provider = new ScriptedProvider();
    const url = await authorizeThroughSdk(provider, user);

    const registered = provider.client as { client_id: string; client_secret?: string; scope?: string };
    expect(registered.client_id).toMatch(/^client_/);
    expect(registered.client_secret).toBeUndefined();
    expect(`${url.origin}${url.pathname}`).toBe(`${server.url}/oauth/authorize`);
    expect(url.searchParams.get('resource')).toBe(mcpUrl.href);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    // The SDK asks for the resource's scopes_supported, admin included; the server narrows it away.
    expect(url.searchParams.get('scope')).toBe('openid offline_access admin');

    const tokens = provider.saved as OAuthTokens;
    expect(tokens.refresh_token).toMatch(/^ort_/);
    expect(tokens.scope).toBe('openid offline_access');
    const access = claims(tokens.access_token);
    expect(access.aud).toBe(mcpUrl.href);
    expect(access.scope).toBe('openid offline_access');

    const client = await connected(provider);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(SELF_SERVICE_TOOLS);
    const profile = (await client.callTool({ name: 'get_my_profile', arguments: {} })) as CallToolResult;
    expect(profile.isError, JSON.stringify(profile.content)).toBeFalsy();
    expect(profile.structuredContent).toMatchObject({ id: user.id, username: user.username });
    const grants = (await client.callTool({ name: 'list_my_grants', arguments: {} })) as CallToolResult;
    const items = (grants.structuredContent as { items: { client_id: string }[] }).items;
    expect(items.map((item) => item.client_id)).toContain(registered.client_id);
    await client.close();
  });

  it('lets an administrator call the admin tools after consenting to admin', async () => {
    const provider = new ScriptedProvider();
    await authorizeThroughSdk(provider, server.seedAdmin);
    const tokens = provider.saved as OAuthTokens;
    expect(tokens.scope).toBe('openid offline_access admin');
    expect(claims(tokens.access_token).scope).toBe('openid offline_access admin');

    const client = await connected(provider);
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining([...SELF_SERVICE_TOOLS, 'list_clients', 'rotate_keys']));
    expect(tools).toHaveLength(SELF_SERVICE_TOOLS.length + 38);

    const registered = provider.client as { client_id: string };
    const result = (await client.callTool({
      name: 'list_clients',
      arguments: { q: registered.client_id },
    })) as CallToolResult;
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const page = result.structuredContent as { items: { client_id: string }[] };
    expect(page.items.map((item) => item.client_id)).toContain(registered.client_id);

    // A failing tool is an isError result carrying the server's error, not a protocol error.
    const missing = (await client.callTool({
      name: 'get_client',
      arguments: { client_id: 'no-such-client' },
    })) as CallToolResult;
    expect(missing.isError).toBe(true);
    await client.close();
  });

  it('asks for admin when an admin tool answers 403 insufficient_scope, then calls it', async () => {
    const provider = new ScriptedProvider();
    await authorizeThroughSdk(provider, server.seedAdmin);
    // As if the first authorization had been granted without admin: the token of a narrower request.
    const narrow = await narrowToken(provider);
    provider.saveTokens(narrow);

    const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    const client = new Client({ name: 'mcp-oauth.test', version: '1.0.0' });
    await client.connect(transport);
    expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain('list_users');
    provider.authorizationUrl = undefined;
    await expect(client.callTool({ name: 'list_users', arguments: {} })).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    const url = provider.authorizationUrl as URL | undefined;
    expect(url?.searchParams.get('scope')).toBe('admin');
    const callback = await signInAndApprove(new CookieAgent(server.url), url as URL, server.seedAdmin);
    await transport.finishAuth(callback.searchParams.get('code') as string);
    await client.close();

    const upgraded = await connected(provider);
    const users = (await upgraded.callTool({ name: 'list_users', arguments: {} })) as CallToolResult;
    expect(users.isError, JSON.stringify(users.content)).toBeFalsy();
    await upgraded.close();
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
