/**
 * The MCP server (mcp-server/) against the built Worker under Miniflare: every tool through the SDK's
 * in-memory transport, the bin over stdio (nothing but JSON-RPC on stdout) and over Streamable HTTP.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../mcp-server/src/http-server';
import { createServer, OAuthServerApi, type OAuthServerApiOptions, TOOLS } from '../../mcp-server/src/server';
import { CookieAgent, REDIRECT_URI, signInAndApprove, startServer, type TestServer } from './support';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MCP_DIR = path.join(ROOT, 'mcp-server');
const BIN = path.join(MCP_DIR, 'dist', 'index.js');

const EXPECTED_TOOLS = [
  'register_client',
  'get_client',
  'list_clients',
  'update_client',
  'delete_client',
  'rotate_client_secret',
  'list_users',
  'create_user',
  'disable_user',
  'get_user_factors',
  'reset_user_factors',
  'list_scopes',
  'get_scope',
  'create_scope',
  'update_scope',
  'delete_scope',
  'list_resources',
  'get_resource',
  'create_resource',
  'update_resource',
  'delete_resource',
  'list_trusted_issuers',
  'get_trusted_issuer',
  'create_trusted_issuer',
  'update_trusted_issuer',
  'delete_trusted_issuer',
  'list_grants',
  'revoke_grant',
  'get_token',
  'exchange_code',
  'refresh_token',
  'introspect_token',
  'revoke_token',
  'rotate_keys',
  'recent_events',
  'get_health',
  'get_readiness',
  'get_metrics',
  'get_openid_config',
];

type Json = Record<string, unknown>;

/** An MCP client connected to createServer() through the SDK's in-memory transport pair. */
async function connect(options: OAuthServerApiOptions | { api: OAuthServerApi }): Promise<Client> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const server = createServer(options);
  await server.connect(serverTransport);
  const client = new Client({ name: 'mcp-server.test', version: '1.0.0' });
  await client.connect(clientTransport);
  return client;
}

function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first?.type === 'text' ? first.text : '';
}

/** Calls a tool that must succeed; its structured content (which must equal the JSON text). */
async function ok(client: Client, name: string, args: Json = {}): Promise<Json> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name}: ${textOf(result)}`).toBeFalsy();
  expect(result.structuredContent, name).toBeTypeOf('object');
  return result.structuredContent as Json;
}

/** Calls a tool that must fail as an expected failure; the error it carries. */
async function fails(client: Client, name: string, args: Json = {}): Promise<Json> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name} should fail: ${textOf(result)}`).toBe(true);
  expect(result.structuredContent).toBeUndefined();
  return JSON.parse(textOf(result)) as Json;
}

let server: TestServer;
let mcp: Client;
/** A fetch that records what the MCP server asked the authorization server. */
function recordingFetch() {
  const requests: { path: string; form: string; authorization: string | null }[] = [];
  const recorder: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    requests.push({
      path: url.pathname,
      form: typeof init?.body === 'string' ? init.body : '',
      authorization: new Headers(init?.headers).get('authorization'),
    });
    return fetch(input, init);
  };
  return { requests, fetch: recorder };
}

beforeAll(async () => {
  server = await startServer();
  mcp = await connect({
    baseUrl: server.url,
    clientId: server.adminClientId,
    clientSecret: server.adminClientSecret,
  });
});

afterAll(async () => {
  await mcp?.close();
  await server?.stop();
});

describe('MCP server: tools over the in-memory transport', () => {
  it('lists all 39 tools, each with an input and an output schema', async () => {
    const { tools } = await mcp.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...EXPECTED_TOOLS].sort());
    expect(TOOLS).toHaveLength(39);
    for (const tool of tools) {
      expect(tool.inputSchema.type, tool.name).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(tool.description, tool.name).toBeTruthy();
    }
  });

  it('get_openid_config: the discovery document', async () => {
    const config = await ok(mcp, 'get_openid_config');
    expect(config.issuer).toBe(server.url);
    expect(config.token_endpoint).toBe(`${server.url}/oauth/token`);
  });

  it('get_health and get_readiness', async () => {
    expect((await ok(mcp, 'get_health')).status).toBe('healthy');
    const ready = await ok(mcp, 'get_readiness');
    expect(ready.status).toBe('ready');
  });

  it('get_metrics sends OAUTH2_METRICS_TOKEN where the server requires it', async () => {
    const metricsToken = randomBytes(24).toString('hex');
    const guarded = await startServer({ OAUTH2_METRICS_TOKEN: metricsToken });
    const base = {
      baseUrl: guarded.url,
      clientId: guarded.adminClientId,
      clientSecret: guarded.adminClientSecret,
    };
    const withToken = await connect({ ...base, metricsToken });
    const without = await connect(base);
    try {
      const metrics = await ok(withToken, 'get_metrics');
      expect(metrics.content_type).toMatch(/^text\/plain/);
      expect(metrics.metrics).toContain('# TYPE');
      expect((await fails(without, 'get_metrics')).http_status).toBe(401);
    } finally {
      await withToken.close();
      await without.close();
      await guarded.stop();
    }
  });

  it('get_metrics: Prometheus text, or the server’s error while /metrics does not exist', async () => {
    const result = (await mcp.callTool({ name: 'get_metrics', arguments: {} })) as CallToolResult;
    if (result.isError) {
      const error = JSON.parse(textOf(result)) as Json;
      expect(error.http_status).toBe(404);
      expect(error.error).toBe('not_found');
    } else {
      const metrics = result.structuredContent as Json;
      expect(metrics.content_type).toMatch(/^text\/plain/);
      expect(typeof metrics.metrics).toBe('string');
    }
  });

  it('an expected failure is an isError result carrying the server’s error', async () => {
    const error = await fails(mcp, 'get_client', { client_id: 'no-such-client' });
    expect(error.http_status).toBe(404);
    expect(error.error).toBe('not_found');
    expect(typeof error.error_description).toBe('string');
  });

  it('invalid input is an isError result, not a protocol error', async () => {
    const result = (await mcp.callTool({ name: 'get_client', arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/client_id/);
  });

  it('clients: register, get, update, rotate the secret (the old one stops working), list, delete', async () => {
    const registered = await ok(mcp, 'register_client', {
      client_name: 'mcp-test service',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'read write',
    });
    const clientId = registered.client_id as string;
    const firstSecret = registered.client_secret as string;
    expect(typeof clientId).toBe('string');
    expect(typeof firstSecret).toBe('string');

    const fetched = await ok(mcp, 'get_client', { client_id: clientId });
    expect(fetched.client_id).toBe(clientId);
    expect(fetched.client_name).toBe('mcp-test service');
    expect(fetched.client_secret).toBeUndefined();

    const updated = await ok(mcp, 'update_client', { client_id: clientId, client_name: 'renamed by mcp' });
    expect(updated.client_name).toBe('renamed by mcp');
    expect((await ok(mcp, 'get_client', { client_id: clientId })).client_name).toBe('renamed by mcp');
    expect((await ok(mcp, 'get_client', { client_id: clientId })).scope).toBe('read write');

    const token = await ok(mcp, 'get_token', {
      client_id: clientId,
      client_secret: firstSecret,
      scope: 'read',
    });
    expect(token.scope).toBe('read');

    const rotated = await ok(mcp, 'rotate_client_secret', { client_id: clientId });
    const secondSecret = rotated.client_secret as string;
    expect(typeof secondSecret).toBe('string');
    expect(secondSecret).not.toBe(firstSecret);
    const refused = await fails(mcp, 'get_token', { client_id: clientId, client_secret: firstSecret });
    expect(refused.error).toBe('invalid_client');
    expect(refused.http_status).toBe(401);
    await ok(mcp, 'get_token', { client_id: clientId, client_secret: secondSecret });

    const page = await ok(mcp, 'list_clients', { limit: 200 });
    const ids = (page.items as Json[]).map((c) => c.client_id);
    expect(ids).toContain(clientId);
    const searched = await ok(mcp, 'list_clients', { q: 'renamed by' });
    expect((searched.items as Json[]).map((c) => c.client_id)).toEqual([clientId]);

    expect(await ok(mcp, 'delete_client', { client_id: clientId })).toEqual({
      deleted: true,
      client_id: clientId,
    });
    expect((await fails(mcp, 'get_client', { client_id: clientId })).error).toBe('not_found');
    expect((await fails(mcp, 'get_token', { client_id: clientId, client_secret: secondSecret })).error).toBe(
      'invalid_client',
    );
  });

  it('users: create, list, disable', async () => {
    const username = `mcp-${randomBytes(4).toString('hex')}`;
    const created = await ok(mcp, 'create_user', {
      username,
      password: `pw-${randomBytes(12).toString('hex')}`,
      email: `${username}@example.com`,
      name: 'Grace Hopper',
    });
    const userId = created.id as string;
    expect(created.username).toBe(username);
    expect(created.enabled).toBe(true);
    expect(created.password).toBeUndefined();

    const listed = await ok(mcp, 'list_users', { limit: 200 });
    const found = (listed.items as Json[]).find((u) => u.id === userId);
    expect(found?.username).toBe(username);

    const disabled = await ok(mcp, 'disable_user', { user_id: userId });
    expect(disabled.id).toBe(userId);
    expect(disabled.enabled).toBe(false);
    const after = await ok(mcp, 'list_users', { q: username });
    expect((after.items as Json[]).map((u) => [u.id, u.enabled])).toEqual([[userId, false]]);

    const taken = await fails(mcp, 'create_user', {
      username,
      password: `pw-${randomBytes(12).toString('hex')}`,
    });
    expect(taken.http_status).toBe(409);
  });

  it("users' second factors: read them, reset them; an unknown user fails", async () => {
    const username = `mcp-${randomBytes(4).toString('hex')}`;
    const created = await ok(mcp, 'create_user', {
      username,
      password: `pw-${randomBytes(12).toString('hex')}`,
    });
    const userId = created.id as string;
    const none = { totp: null, recovery_codes_left: 0, passkeys: [] };
    expect(await ok(mcp, 'get_user_factors', { user_id: userId })).toEqual(none);
    expect(await ok(mcp, 'reset_user_factors', { user_id: userId })).toEqual({
      reset: true,
      user_id: userId,
    });
    expect(await ok(mcp, 'get_user_factors', { user_id: userId })).toEqual(none);
    expect((await fails(mcp, 'get_user_factors', { user_id: 'no-such-user' })).http_status).toBe(404);
    expect((await fails(mcp, 'reset_user_factors', { user_id: 'no-such-user' })).http_status).toBe(404);
  });

  it('scopes and APIs: define a scope, list, get, update, define an API with it, delete the API then the scope', async () => {
    const name = `mcp:${randomBytes(4).toString('hex')}`;
    const created = await ok(mcp, 'create_scope', { name, description: 'Read MCP test orders' });
    expect(created).toMatchObject({
      name,
      description: 'Read MCP test orders',
      advertise: true,
      source: 'admin',
    });
    expect(created.read_only).toBe(false);

    const scopes = (await ok(mcp, 'list_scopes', { limit: 200 })).items as Json[];
    expect(scopes.map((scope) => scope.name)).toContain(name);
    expect(scopes.find((scope) => scope.name === 'admin')).toMatchObject({
      source: 'built_in',
      read_only: true,
    });
    expect(await ok(mcp, 'get_scope', { name })).toMatchObject({ name, resource: null });

    const updated = await ok(mcp, 'update_scope', { name, description: 'Read orders', advertise: false });
    expect(updated).toMatchObject({ name, description: 'Read orders', advertise: false });

    const identifier = `https://api.example.com/${name.replace(':', '-')}`;
    const api = await ok(mcp, 'create_resource', { identifier, name: 'MCP test API', scopes: [name] });
    const resourceId = api.id as string;
    expect(api).toMatchObject({ identifier, scopes: [name], source: 'admin', read_only: false });
    expect(await ok(mcp, 'get_resource', { resource_id: resourceId })).toMatchObject({ identifier });
    expect((await ok(mcp, 'get_scope', { name })).resource).toBe(identifier);
    const apis = (await ok(mcp, 'list_resources', { limit: 200 })).items as Json[];
    expect(apis.map((entry) => entry.id)).toContain(resourceId);

    const renamed = await ok(mcp, 'update_resource', {
      resource_id: resourceId,
      identifier,
      name: 'Renamed MCP test API',
      scopes: [name],
      access_token_format: 'opaque',
    });
    expect(renamed).toMatchObject({ name: 'Renamed MCP test API', access_token_format: 'opaque' });

    const held = await fails(mcp, 'delete_scope', { name });
    expect(held.http_status).toBe(409);
    expect(held.error_description).toContain(identifier);

    expect(await ok(mcp, 'delete_resource', { resource_id: resourceId })).toEqual({
      deleted: true,
      resource_id: resourceId,
    });
    expect((await fails(mcp, 'get_resource', { resource_id: resourceId })).error).toBe('not_found');
    expect(await ok(mcp, 'delete_scope', { name })).toEqual({ deleted: true, name });
    expect((await fails(mcp, 'get_scope', { name })).error).toBe('not_found');
  });

  it('trusted issuers: trust an issuer, list, get, update, refuse a bad one, delete', async () => {
    const issuer = `https://idp.example.com/mcp-${randomBytes(4).toString('hex')}`;
    const jwks = {
      keys: [
        {
          kty: 'EC',
          crv: 'P-256',
          x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
          y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
        },
      ],
    };
    const created = await ok(mcp, 'create_trusted_issuer', {
      issuer,
      jwks,
      allowed_subjects: ['alice'],
      allowed_scopes: ['read'],
    });
    const id = created.id as string;
    expect(created).toMatchObject({ issuer, jwks_uri: null, allowed_subjects: ['alice'], enabled: true });
    expect(await ok(mcp, 'get_trusted_issuer', { trusted_issuer_id: id })).toMatchObject({ issuer });
    const listed = (await ok(mcp, 'list_trusted_issuers', { limit: 200 })).items as Json[];
    expect(listed.map((entry) => entry.id)).toContain(id);

    const updated = await ok(mcp, 'update_trusted_issuer', {
      trusted_issuer_id: id,
      issuer,
      jwks_uri: 'https://idp.example.com/jwks.json',
      allowed_subjects: ['*'],
      allowed_scopes: [],
      enabled: false,
    });
    expect(updated).toMatchObject({ jwks: null, allowed_subjects: ['*'], enabled: false });

    const refused = await fails(mcp, 'create_trusted_issuer', {
      issuer: `${issuer}/admin`,
      jwks,
      allowed_subjects: ['*'],
      allowed_scopes: ['admin'],
    });
    expect(refused.http_status).toBe(400);
    expect(refused.error_description).toContain('allowed_scopes');

    expect(await ok(mcp, 'delete_trusted_issuer', { trusted_issuer_id: id })).toEqual({
      deleted: true,
      trusted_issuer_id: id,
    });
    expect((await fails(mcp, 'get_trusted_issuer', { trusted_issuer_id: id })).error).toBe('not_found');
  });

  it('create_scope refuses the built-in admin scope as an isError result', async () => {
    const error = await fails(mcp, 'create_scope', { name: 'admin', description: 'Everything' });
    expect(error.http_status).toBe(400);
    expect(error.error).toBe('invalid_request');
    expect(error.error_description).toMatch(/admin/);
  });

  it('tokens: get_token, introspect_token (active), revoke_token, introspect_token (inactive)', async () => {
    const token = await ok(mcp, 'get_token', { scope: 'admin' });
    const accessToken = token.access_token as string;
    expect(token.token_type).toMatch(/^bearer$/i);

    const active = await ok(mcp, 'introspect_token', { token: accessToken });
    expect(active.active).toBe(true);
    expect(active.client_id).toBe(server.adminClientId);
    expect(active.scope).toBe('admin');

    expect(await ok(mcp, 'revoke_token', { token: accessToken })).toEqual({ accepted: true });
    expect(await ok(mcp, 'introspect_token', { token: accessToken })).toEqual({ active: false });
  });

  it('grants: authorization code flow (exchange_code, refresh_token), list_grants, revoke_grant', async () => {
    const registered = await ok(mcp, 'register_client', {
      client_name: 'mcp-test web app',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    const clientId = registered.client_id as string;
    const clientSecret = registered.client_secret as string;
    const username = `mcp-${randomBytes(4).toString('hex')}`;
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const user = await ok(mcp, 'create_user', { username, password });

    // The user's part: sign in and approve; the code arrives at the (never fetched) redirect URI.
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL('/oauth/authorize', server.url);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'openid offline_access',
      state: randomBytes(8).toString('hex'),
      nonce: randomBytes(8).toString('hex'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const callback = await signInAndApprove(new CookieAgent(server.url), authorize, { username, password });
    const code = callback.searchParams.get('code') as string;
    expect(code).toBeTruthy();

    const auth = { client_id: clientId, client_secret: clientSecret, auth_method: 'client_secret_post' };
    const tokens = await ok(mcp, 'exchange_code', {
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      ...auth,
    });
    expect(typeof tokens.id_token).toBe('string');
    expect(typeof tokens.refresh_token).toBe('string');
    const refreshed = await ok(mcp, 'refresh_token', { refresh_token: tokens.refresh_token, ...auth });
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    const grants = await ok(mcp, 'list_grants', { client_id: clientId });
    const items = grants.items as Json[];
    expect(items).toHaveLength(1);
    const grant = items[0] as Json;
    expect(grant.client_id).toBe(clientId);
    expect(grant.user_id).toBe(user.id);
    expect((await ok(mcp, 'list_grants', { user_id: user.id as string })).items).toHaveLength(1);

    expect(grant.status).toBe('active');
    const revoked = await ok(mcp, 'revoke_grant', { grant_id: grant.id });
    expect(revoked.id).toBe(grant.id);
    expect(revoked.status).toBe('revoked');
    expect((await ok(mcp, 'list_grants', { client_id: clientId, active: true })).items).toEqual([]);
    const afterRevoke = await fails(mcp, 'refresh_token', {
      refresh_token: refreshed.refresh_token,
      ...auth,
    });
    expect(afterRevoke.error).toBe('invalid_grant');
    expect(await ok(mcp, 'introspect_token', { token: refreshed.access_token, ...auth })).toEqual({
      active: false,
    });
    // A code works once.
    const replay = await fails(mcp, 'exchange_code', {
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      ...auth,
    });
    expect(replay.error).toBe('invalid_grant');
  });

  it('revoke_grant of an unknown id is not_found', async () => {
    const error = await fails(mcp, 'revoke_grant', { grant_id: 'no-such-grant' });
    expect(error.http_status).toBe(404);
    expect(error.error).toBe('not_found');
  });

  it('rotate_keys: new signing keys; tokens signed before stay valid', async () => {
    const before = await ok(mcp, 'get_token', { scope: 'admin' });
    const keys = await ok(mcp, 'rotate_keys');
    const statuses = (keys.items as Json[]).map((k) => `${k.use}:${k.status}`);
    expect(statuses).toEqual(expect.arrayContaining(['access_token:active', 'access_token:retiring']));
    expect((await ok(mcp, 'introspect_token', { token: before.access_token })).active).toBe(true);
    const after = await ok(mcp, 'get_token', { scope: 'admin' });
    expect((await ok(mcp, 'introspect_token', { token: after.access_token })).active).toBe(true);
  });

  it('recent_events: the admin actions of this suite, newest first', async () => {
    // The events store is filled by the Queue consumer (batches of up to 5 s), not by the request itself.
    let items: Json[] = [];
    for (let attempt = 0; attempt < 40; attempt += 1) {
      items = (await ok(mcp, 'recent_events', { limit: 100 })).items as Json[];
      if (JSON.stringify(items).includes('user.create')) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(items.length).toBeGreaterThan(0);
    expect(JSON.stringify(items)).toContain('user.create');
    const times = items.map((item) => String(item.time));
    expect(times).toEqual([...times].sort().reverse());
  });

  it('caches the admin token, and fetches a new one once after a 401', async () => {
    const recorded = recordingFetch();
    const client = await connect({
      baseUrl: server.url,
      clientId: server.adminClientId,
      clientSecret: server.adminClientSecret,
      fetch: recorded.fetch,
    });
    const tokenRequests = () => recorded.requests.filter((r) => r.path === '/oauth/token').length;
    try {
      await ok(client, 'list_clients', { limit: 1 });
      await ok(client, 'list_users', { limit: 1 });
      expect(tokenRequests()).toBe(1);
      expect(recorded.requests[0]?.form).toBe('grant_type=client_credentials&scope=admin');

      // Revoke the cached admin token behind the MCP server's back: its next admin call gets a 401.
      const cached = recorded.requests.findLast((r) => r.path.startsWith('/admin/api/'))?.authorization;
      expect(cached).toMatch(/^Bearer /);
      const revoked = await fetch(`${server.url}/oauth/revoke`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${server.adminClientId}:${server.adminClientSecret}`).toString('base64')}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token: (cached as string).slice('Bearer '.length) }),
      });
      expect(revoked.status).toBe(200);

      await ok(client, 'list_clients', { limit: 1 });
      expect(tokenRequests()).toBe(2);
      await ok(client, 'list_users', { limit: 1 });
      expect(tokenRequests()).toBe(2);
    } finally {
      await client.close();
    }
  });

  it('a server that cannot be reached is an isError network_error', async () => {
    const offline = await connect({ baseUrl: 'http://127.0.0.1:1', clientId: 'x', clientSecret: 'y' });
    try {
      expect((await fails(offline, 'get_health')).error).toBe('network_error');
      expect((await fails(offline, 'list_clients')).error).toBe('network_error');
    } finally {
      await offline.close();
    }
  });

  it('wrong admin credentials: admin tools fail with the token endpoint’s invalid_client', async () => {
    const wrong = await connect({
      baseUrl: server.url,
      clientId: server.adminClientId,
      clientSecret: 'wrong',
    });
    try {
      const error = await fails(wrong, 'list_clients');
      expect(error.error).toBe('invalid_client');
      expect(error.http_status).toBe(401);
    } finally {
      await wrong.close();
    }
  });
});

describe('MCP server: the bin over stdio', () => {
  beforeAll(async () => {
    // Build from the current sources (npm install builds it too, through the package's prepare script).
    await promisify(execFile)(process.execPath, [
      path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      MCP_DIR,
    ]);
  });

  it('answers tools/list and get_health; nothing but JSON-RPC appears on stdout', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN],
      env: {
        OAUTH2_BASE_URL: server.url,
        OAUTH2_CLIENT_ID: server.adminClientId,
        OAUTH2_CLIENT_SECRET: server.adminClientSecret,
      },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // Every stdout line goes through the transport's JSON-RPC parser; anything else is reported here.
    const stdoutErrors: Error[] = [];
    transport.onerror = (error) => stdoutErrors.push(error);
    const client = new Client({ name: 'mcp-server.test stdio', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(39);
      const health = (await client.callTool({ name: 'get_health', arguments: {} })) as CallToolResult;
      expect(health.isError, textOf(health)).toBeFalsy();
      expect((health.structuredContent as Json).status).toBe('healthy');
      const clients = (await client.callTool({
        name: 'list_clients',
        arguments: { limit: 1 },
      })) as CallToolResult;
      expect(clients.isError, textOf(clients)).toBeFalsy();
    } finally {
      await client.close();
    }
    expect(stdoutErrors).toEqual([]);
    expect(stderr).toContain('serving MCP over stdio');
  });
});

describe('MCP server: Streamable HTTP', () => {
  it('serves tools on 127.0.0.1 and refuses foreign Host and Origin headers', async () => {
    const api = new OAuthServerApi({
      baseUrl: server.url,
      clientId: server.adminClientId,
      clientSecret: server.adminClientSecret,
    });
    const http = await startHttpServer({ api, port: 0 });
    try {
      expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const client = new Client({ name: 'mcp-server.test http', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
      expect((await client.listTools()).tools).toHaveLength(39);
      const health = (await client.callTool({ name: 'get_health', arguments: {} })) as CallToolResult;
      expect((health.structuredContent as Json).status).toBe('healthy');
      await client.close();

      const initialize = {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
      };
      const headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
      const crossSite = await fetch(http.url, {
        method: 'POST',
        headers: { ...headers, Origin: 'https://evil.example' },
        body: JSON.stringify(initialize),
      });
      expect(crossSite.status).toBe(403);
      const rebound = await new Promise<number>((resolve, reject) => {
        const req = request(
          http.url,
          { method: 'POST', headers: { ...headers, Host: 'evil.example' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(initialize));
      });
      expect(rebound).toBe(403);
    } finally {
      await http.close();
    }
  });
});
