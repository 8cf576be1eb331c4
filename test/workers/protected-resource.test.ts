/**
 * RFC 9728 protected resource metadata (§3) and the `resource_metadata` challenge (§5.1) on this
 * server's own protected endpoints; the MCP endpoint's access rules (audience `{issuer}/mcp`; a client's
 * own token needs scope admin) and its Streamable HTTP answers.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { withResourceMetadata } from '../../src/oauth/resources/metadata';
import { createApp } from '../../worker/app';
import { ADMIN_ID, ADMIN_SECRET, basic, expectOAuthError, get, ORIGIN, post } from './helpers';

const ROOT_METADATA = `${ORIGIN}/.well-known/oauth-protected-resource`;
const MCP_METADATA = `${ORIGIN}/.well-known/oauth-protected-resource/mcp`;
const MCP = `${ORIGIN}/mcp`;

async function adminTokenFor(resource?: string, scope = 'admin'): Promise<string> {
  const res = await post(
    '/oauth/token',
    { grant_type: 'client_credentials', scope, ...(resource ? { resource } : {}) },
    { Authorization: basic(ADMIN_ID, ADMIN_SECRET) },
  );
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

function rpc(body: unknown, token?: string, headers: Record<string, string> = {}) {
  return SELF.fetch(MCP, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
};

describe('Protected Resource Metadata (RFC 9728 §3)', () => {
  it('describes the MCP endpoint at /.well-known/oauth-protected-resource/mcp', async () => {
    const res = await get('/.well-known/oauth-protected-resource/mcp');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.resource).toBe(MCP);
    expect(body.authorization_servers).toEqual([ORIGIN]);
    expect(body.bearer_methods_supported).toEqual(['header']);
    // `admin` is listed, so an MCP client asks for it; a user who is no administrator has it narrowed away.
    expect(body.scopes_supported).toEqual(['openid', 'offline_access', 'admin']);
  });

  it('describes the server’s own APIs at the path-less well-known URL', async () => {
    const body = (await (await get('/.well-known/oauth-protected-resource')).json()) as Record<
      string,
      unknown
    >;
    expect(body.resource).toBe(ORIGIN);
    expect(body.authorization_servers).toEqual([ORIGIN]);
  });

  it('serves configured resources on this origin by path insertion (§3.1), and only those', async () => {
    const vars = {
      ...env,
      OAUTH2_PROTECTED_RESOURCES: JSON.stringify([
        { resource: `${ORIGIN}/reports/v2`, scopes_supported: ['read'], name: 'Reports' },
        { resource: 'https://elsewhere.example.com/api' },
      ]),
    };
    const app = createApp();
    const res = await app.request(`${ORIGIN}/.well-known/oauth-protected-resource/reports/v2`, {}, vars);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      resource: `${ORIGIN}/reports/v2`,
      authorization_servers: [ORIGIN],
      bearer_methods_supported: ['header'],
      scopes_supported: ['read'],
      resource_name: 'Reports',
    });
    const elsewhere = await app.request(`${ORIGIN}/.well-known/oauth-protected-resource/api`, {}, vars);
    await expectOAuthError(elsewhere, 404, 'not_found');
  });

  it('lists the resources in the authorization server metadata (RFC 9728 §4 protected_resources)', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const body = (await (await get(path)).json()) as { protected_resources: string[] };
      expect(body.protected_resources).toEqual([ORIGIN, MCP]);
    }
  });

  it('answers 404 for a path no resource has', async () => {
    await expectOAuthError(await get('/.well-known/oauth-protected-resource/nothing'), 404, 'not_found');
  });

  it('uses OAUTH2_PUBLIC_URL as issuer and resource base', async () => {
    const app = createApp();
    const res = await app.request(
      `${ORIGIN}/.well-known/oauth-protected-resource/mcp`,
      {},
      { ...env, OAUTH2_PUBLIC_URL: 'https://auth.example.com' },
    );
    // The request arrives on another origin than the issuer's: the metadata still names the issuer's resource.
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.resource).toBe('https://auth.example.com/mcp');
    expect(body.authorization_servers).toEqual(['https://auth.example.com']);
  });
});

describe('WWW-Authenticate resource_metadata (RFC 9728 §5.1)', () => {
  it('UserInfo without a token: 401 Bearer challenge naming the metadata', async () => {
    const res = await get('/oauth/userinfo');
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain(`resource_metadata="${ROOT_METADATA}"`);
    expect(challenge).toContain('realm="oauth2"');
  });

  it('UserInfo with an invalid token: the invalid_token challenge keeps its error and gains the metadata', async () => {
    const res = await get('/oauth/userinfo', { Authorization: 'Bearer not-a-token' });
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toContain(`resource_metadata="${ROOT_METADATA}"`);
  });

  it('the admin API: 401 without a token and 403 insufficient_scope both name the metadata', async () => {
    const anonymous = await get('/admin/api/clients');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain(`resource_metadata="${ROOT_METADATA}"`);
    const weak = await get('/admin/api/clients', {
      Authorization: `Bearer ${await adminTokenFor(undefined, 'read')}`,
    });
    expect(weak.status).toBe(403);
    const challenge = weak.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain(`resource_metadata="${ROOT_METADATA}"`);
  });

  it('/mcp without a token: 401 naming the MCP metadata', async () => {
    const res = await rpc(INITIALIZE);
    await expectOAuthError(res.clone(), 401, 'invalid_token');
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="oauth2", resource_metadata="${MCP_METADATA}"`,
    );
  });

  it('appends the parameter to the Bearer challenge only, leaving a DPoP challenge alone', () => {
    expect(withResourceMetadata('Bearer realm="oauth2", DPoP algs="ES256"', 'https://a/m')).toBe(
      'Bearer realm="oauth2", resource_metadata="https://a/m", DPoP algs="ES256"',
    );
    expect(
      withResourceMetadata(
        'Bearer realm="oauth2", error_description="a, b=\\"c\\"", DPoP algs="ES256"',
        'https://a/m',
      ),
    ).toBe(
      'Bearer realm="oauth2", error_description="a, b=\\"c\\"", resource_metadata="https://a/m", DPoP algs="ES256"',
    );
    expect(withResourceMetadata('DPoP algs="ES256", Bearer', 'https://a/m')).toBe(
      'DPoP algs="ES256", Bearer resource_metadata="https://a/m"',
    );
    expect(withResourceMetadata('Basic realm="x"', 'https://a/m')).toBe('Basic realm="x"');
  });
});

describe('The MCP endpoint (Streamable HTTP, stateless)', () => {
  it('refuses a token for another audience (401 invalid_token)', async () => {
    const res = await rpc(INITIALIZE, await adminTokenFor());
    await expectOAuthError(res.clone(), 401, 'invalid_token');
    expect(res.headers.get('www-authenticate')).toContain(`resource_metadata="${MCP_METADATA}"`);
  });

  it('refuses an MCP token of a client without scope admin (403 insufficient_scope)', async () => {
    const res = await rpc(INITIALIZE, await adminTokenFor(MCP, 'read'));
    await expectOAuthError(res.clone(), 403, 'insufficient_scope');
    expect(res.headers.get('www-authenticate')).toContain(`resource_metadata="${MCP_METADATA}"`);
  });

  it('initializes, lists the admin tools and calls one with the caller’s rights', async () => {
    const token = await adminTokenFor(MCP);
    const init = await rpc(INITIALIZE, token);
    expect(init.status, await init.clone().text()).toBe(200);
    const initBody = (await init.json()) as { result: { serverInfo: { name: string } } };
    expect(initBody.result.serverInfo.name).toBe('edge-oauth2-admin');
    expect(init.headers.get('mcp-session-id')).toBeNull();

    const headers = { 'MCP-Protocol-Version': '2025-06-18' };
    const list = await rpc({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, token, headers);
    const tools = ((await list.json()) as { result: { tools: { name: string }[] } }).result.tools;
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining([
        'list_clients',
        'create_user',
        'revoke_grant',
        'rotate_keys',
        'get_openid_config',
      ]),
    );
    expect(tools).toHaveLength(39);

    const called = await rpc(
      {
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'list_clients', arguments: { limit: 5 } },
      },
      token,
      headers,
    );
    const result = (
      (await called.json()) as { result: { isError?: boolean; structuredContent: { items: unknown[] } } }
    ).result;
    expect(result.isError).toBeFalsy();
    expect(Array.isArray(result.structuredContent.items)).toBe(true);

    const health = await rpc(
      { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'get_openid_config', arguments: {} } },
      token,
      headers,
    );
    const config = ((await health.json()) as { result: { structuredContent: { issuer: string } } }).result;
    expect(config.structuredContent.issuer).toBe(ORIGIN);
  });

  it('answers a malformed body with a JSON-RPC parse error, never a 500', async () => {
    const token = await adminTokenFor(MCP);
    const res = await SELF.fetch(MCP, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        Authorization: `Bearer ${token}`,
      },
      body: '{"jsonrpc":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });

  it('answers GET with 405 (no server-initiated stream without sessions), after authenticating', async () => {
    const anonymous = await SELF.fetch(MCP, { headers: { Accept: 'text/event-stream' } });
    expect(anonymous.status).toBe(401);
    const res = await SELF.fetch(MCP, {
      headers: { Accept: 'text/event-stream', Authorization: `Bearer ${await adminTokenFor(MCP)}` },
    });
    await expectOAuthError(res.clone(), 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('POST');
  });
});
