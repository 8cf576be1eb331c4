/**
 * Administration is the scope `admin` (contracts.md, "Bootstrap and admin access"): an administrator's
 * token for `{issuer}/mcp` without the scope administers nothing; a client that registered itself may
 * only ask a user for `admin`, which only an administrator is granted, on a consent page naming it every
 * time; anyone else has it narrowed away (RFC 6749 §3.3). /mcp offers every user the self-service tools
 * and the admin tools only with the scope; /profile lists the connected apps and revokes one.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientRecord } from '../../src/storage/ports';
import { createApp } from '../../worker/app';
import {
  AdminApi,
  api,
  clientCredentials,
  createTestUser,
  json,
  signedIn,
  type TestUser,
} from './admin-helpers';
import { type Browser, expectOAuthError, inputValue, ORIGIN, post, SEED_ADMIN } from './helpers';

const MCP = `${ORIGIN}/mcp`;
const MCP_METADATA = `${ORIGIN}/.well-known/oauth-protected-resource/mcp`;
const REDIRECT = 'http://127.0.0.1/callback';
const ADMINISTER = 'Administer this server: clients, users, signing keys';
const SELF_REGISTERED = 'This app registered itself; it was not added by an administrator.';
const INSUFFICIENT_ADMIN = `Bearer realm="oauth2", error="insufficient_scope", scope="admin", resource_metadata="${MCP_METADATA}"`;

interface Tokens {
  access_token: string;
  refresh_token?: string;
  scope?: string;
}

/** An anonymous registration (open dynamic registration), as an MCP client makes it. */
async function registerAnonymously(
  metadata: Record<string, unknown>,
): Promise<{ client_id: string; client_secret?: string }> {
  const res = await createApp().request(
    `${ORIGIN}/connect/register`,
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(metadata) },
    { ...env, OAUTH2_DYNAMIC_REGISTRATION_ENABLED: 'true' },
  );
  return json(res, 201);
}

function publicMcpClient(scope?: string) {
  return registerAnonymously({
    client_name: 'Some MCP client',
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
    ...(scope === undefined ? {} : { scope }),
  });
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** GET /oauth/authorize with PKCE; the response (a redirect or the consent page) and the verifier. */
async function authorize(browser: Browser, clientId: string, params: Record<string, string>) {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    state: 'st',
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
    resource: MCP,
    ...params,
  });
  return { res: await browser.get(`/oauth/authorize?${query}`), verifier };
}

function approve(browser: Browser, page: string): Promise<Response> {
  return browser.postForm('/oauth/consent', {
    csrf_token: inputValue(page, 'csrf_token') as string,
    request_id: inputValue(page, 'request_id') as string,
    decision: 'approve',
  });
}

async function redeem(clientId: string, redirect: Response, verifier: string): Promise<Tokens> {
  const location = new URL(redirect.headers.get('location') ?? '', ORIGIN);
  const code = location.searchParams.get('code');
  expect(code, location.href).toBeTruthy();
  const res = await post('/oauth/token', {
    grant_type: 'authorization_code',
    client_id: clientId,
    code: code as string,
    code_verifier: verifier,
    redirect_uri: REDIRECT,
    resource: MCP,
  });
  return json<Tokens>(res, 200);
}

/** The whole code flow, approving the consent page when one is shown; the tokens and that page. */
async function codeFlow(browser: Browser, clientId: string, scope: string) {
  const { res, verifier } = await authorize(browser, clientId, { scope });
  let redirect = res;
  let consentPage: string | null = null;
  if (res.status === 200) {
    consentPage = await res.text();
    redirect = await approve(browser, consentPage);
  }
  expect([302, 303], await redirect.clone().text()).toContain(redirect.status);
  return { tokens: await redeem(clientId, redirect, verifier), consentPage };
}

function rpc(token: string, message: Record<string, unknown>): Promise<Response> {
  return api('POST', '/mcp', {
    token,
    body: { jsonrpc: '2.0', id: 1, ...message },
    headers: { Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18' },
  });
}

async function toolNames(token: string): Promise<string[]> {
  const res = await rpc(token, { method: 'tools/list' });
  const body = await json<{ result: { tools: { name: string }[] } }>(res, 200);
  return body.result.tools.map((tool) => tool.name);
}

async function callTool(token: string, name: string, args: Record<string, unknown> = {}) {
  const res = await rpc(token, { method: 'tools/call', params: { name, arguments: args } });
  const body = await json<{ result: { isError?: boolean; structuredContent?: Record<string, unknown> } }>(
    res,
    200,
  );
  return body.result;
}

async function expectNoAdministration(token: string): Promise<void> {
  const attempts = [
    api('GET', '/admin/api/users', { token }),
    api('POST', '/admin/api/users', {
      token,
      body: {
        username: `x-${crypto.randomUUID().slice(0, 8)}`,
        password: `pw-${crypto.randomUUID()}`,
        role: 'admin',
      },
    }),
    api('POST', '/admin/api/keys/rotate', { token }),
  ];
  for (const res of await Promise.all(attempts)) {
    await expectOAuthError(res.clone(), 403, 'insufficient_scope');
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope", scope="admin"');
  }
}

const SELF_SERVICE_TOOLS = ['get_openid_config', 'get_my_profile', 'list_my_grants', 'revoke_my_grant'];

let admin: AdminApi;
let user: TestUser;

beforeAll(async () => {
  admin = await AdminApi.create();
  user = await createTestUser(admin);
});

describe('Administration needs scope admin whatever the audience', () => {
  it('an administrator’s /mcp token without admin gets 403 insufficient_scope from the admin API', async () => {
    const client = await publicMcpClient();
    const browser = await signedIn(SEED_ADMIN);
    const { tokens, consentPage } = await codeFlow(browser, client.client_id, 'openid');
    expect(consentPage).not.toContain(ADMINISTER);
    expect(tokens.scope).toBe('openid');
    await expectNoAdministration(tokens.access_token);

    // After that one consent, prompt=none issues a code without a page: still no administration.
    const silent = await authorize(browser, client.client_id, { scope: 'openid', prompt: 'none' });
    expect(silent.res.status).toBe(302);
    const again = await redeem(client.client_id, silent.res, silent.verifier);
    await expectNoAdministration(again.access_token);
  });

  it('prompt=none never yields admin: the consent naming it is asked for every time', async () => {
    const client = await publicMcpClient('openid offline_access admin');
    const browser = await signedIn(SEED_ADMIN);
    const first = await codeFlow(browser, client.client_id, 'openid admin');
    expect(first.tokens.scope).toBe('openid admin');
    const silent = await authorize(browser, client.client_id, { scope: 'openid admin', prompt: 'none' });
    const location = new URL(silent.res.headers.get('location') ?? '', ORIGIN);
    expect(location.searchParams.get('error')).toBe('consent_required');
    expect(location.searchParams.get('code')).toBeNull();
    // And without prompt=none the page is shown again rather than remembered.
    const shown = await authorize(browser, client.client_id, { scope: 'openid admin' });
    expect(shown.res.status).toBe(200);
    expect(await shown.res.text()).toContain(ADMINISTER);
  });

  it('narrows admin away for a user who is not an administrator (RFC 6749 §3.3)', async () => {
    const client = await publicMcpClient('openid offline_access admin');
    const { tokens, consentPage } = await codeFlow(await signedIn(user), client.client_id, 'openid admin');
    expect(consentPage).not.toContain(ADMINISTER);
    expect(tokens.scope).toBe('openid');
    await expectNoAdministration(tokens.access_token);
  });

  it('grants admin to an administrator after a consent page that names it and the self-registration', async () => {
    const client = await publicMcpClient('openid offline_access admin');
    const { tokens, consentPage } = await codeFlow(
      await signedIn(SEED_ADMIN),
      client.client_id,
      'openid admin',
    );
    expect(consentPage).toContain(ADMINISTER);
    expect(consentPage).toContain(SELF_REGISTERED);
    expect(tokens.scope).toBe('openid admin');
    const users = await api('GET', '/admin/api/users', { token: tokens.access_token });
    expect(users.status).toBe(200);
  });

  it('a client that registered itself never uses admin for itself (client_credentials)', async () => {
    const client = await registerAnonymously({ grant_types: ['client_credentials'], scope: 'read' });
    // As if its record had come to hold admin: the grant still refuses it.
    const stub = env.CLIENT_ACTOR.get(env.CLIENT_ACTOR.idFromName(client.client_id));
    const record = (await stub.get(client.client_id)) as ClientRecord | null;
    expect(record?.metadata.self_registered).toBe(true);
    await stub.replace({ ...(record as ClientRecord), scope: 'read admin' });
    await expectOAuthError(await clientCredentials(client, 'admin'), 400, 'invalid_scope');
  });
});

describe('Device authorization (RFC 8628) narrows admin too', () => {
  it('a non-administrator approving a device that asks for admin grants it without admin', async () => {
    const client = await registerAnonymously({
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
      token_endpoint_auth_method: 'none',
      scope: 'openid admin',
    });
    const started = await json<{ device_code: string; user_code: string }>(
      await post('/oauth/device_authorization', { client_id: client.client_id, scope: 'openid admin' }),
      200,
    );
    const browser = await signedIn(user);
    const page = await browser.get(`/oauth/device/verify?user_code=${started.user_code}`);
    const html = await page.text();
    expect(html).not.toContain(ADMINISTER);
    expect(html).toContain(SELF_REGISTERED);
    const decided = await browser.postForm('/oauth/device/verify', {
      csrf_token: inputValue(html, 'csrf_token') as string,
      user_code: inputValue(html, 'user_code') as string,
      decision: 'approve',
    });
    expect(decided.headers.get('location')).toBe('/oauth/device/verify?done=approved');
    const res = await post('/oauth/token', {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: started.device_code,
      client_id: client.client_id,
    });
    expect((await json<Tokens>(res, 200)).scope).toBe('openid');
  });
});

describe('/mcp offers what the token may call', () => {
  it('lists the self-service tools to any user, the admin tools only with scope admin', async () => {
    const client = await publicMcpClient('openid offline_access admin');
    const plain = await codeFlow(await signedIn(user), client.client_id, 'openid admin');
    expect((await toolNames(plain.tokens.access_token)).sort()).toEqual([...SELF_SERVICE_TOOLS].sort());

    const administering = await codeFlow(await signedIn(SEED_ADMIN), client.client_id, 'openid admin');
    const names = await toolNames(administering.tokens.access_token);
    expect(names).toEqual(
      expect.arrayContaining([...SELF_SERVICE_TOOLS, 'list_users', 'rotate_keys', 'list_scopes']),
    );
  });

  it('answers an admin tool called without scope admin with the 403 insufficient_scope challenge', async () => {
    const client = await publicMcpClient();
    const { tokens } = await codeFlow(await signedIn(SEED_ADMIN), client.client_id, 'openid');
    for (const name of ['list_users', 'create_user', 'rotate_keys', 'create_scope']) {
      const res = await rpc(tokens.access_token, { method: 'tools/call', params: { name, arguments: {} } });
      await expectOAuthError(res.clone(), 403, 'insufficient_scope');
      expect(res.headers.get('www-authenticate')).toBe(INSUFFICIENT_ADMIN);
    }
    // A batch hiding the call is refused the same way.
    const batch = await api('POST', '/mcp', {
      token: tokens.access_token,
      body: [
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'rotate_keys', arguments: {} } },
      ],
      headers: { Accept: 'application/json, text/event-stream' },
    });
    expect(batch.status).toBe(403);
  });

  it('the self-service tools show and revoke only the caller’s own grants', async () => {
    const client = await publicMcpClient();
    const mine = await codeFlow(await signedIn(user), client.client_id, 'openid offline_access');
    const other = await codeFlow(await signedIn(SEED_ADMIN), client.client_id, 'openid offline_access');
    const token = mine.tokens.access_token;

    const profile = await callTool(token, 'get_my_profile');
    expect(profile.structuredContent).toMatchObject({
      id: user.id,
      username: user.username,
      scope: 'openid offline_access',
    });

    const listed = await callTool(token, 'list_my_grants');
    const items = (
      listed.structuredContent as { items: { grant_id: string; client_id: string; client_name: string }[] }
    ).items;
    const own = items.find((item) => item.client_id === client.client_id);
    expect(own?.client_name).toBe('Some MCP client');

    const foreignGrant = (await callTool(other.tokens.access_token, 'list_my_grants')).structuredContent as {
      items: { grant_id: string; client_id: string }[];
    };
    const foreign = foreignGrant.items.find((item) => item.client_id === client.client_id)
      ?.grant_id as string;
    const refused = await callTool(token, 'revoke_my_grant', { grant_id: foreign });
    expect(refused.isError).toBe(true);
    expect((await rpc(other.tokens.access_token, { method: 'tools/list' })).status).toBe(200);

    const revoked = await callTool(token, 'revoke_my_grant', { grant_id: own?.grant_id });
    expect(revoked.structuredContent).toMatchObject({ grant_id: own?.grant_id, status: 'revoked' });
    expect((await rpc(token, { method: 'tools/list' })).status).toBe(401);
  });
});

describe('Connected apps on /profile', () => {
  it('lists the apps holding access and revokes one with a CSRF-protected form', async () => {
    const owner = await createTestUser(admin);
    const client = await publicMcpClient();
    const browser = await signedIn(owner);
    const { tokens } = await codeFlow(browser, client.client_id, 'openid offline_access');
    const page = await browser.get('/profile');
    const html = await page.text();
    expect(html).toContain('Connected apps');
    expect(html).toContain('Some MCP client');
    const grantId = new RegExp(`data-grant-id="([^"]+)" data-client-id="${client.client_id}"`).exec(
      html,
    )?.[1];
    expect(grantId).toBeTruthy();

    const forged = await browser.postForm('/profile/connected-apps/revoke', { grant_id: grantId as string });
    expect(forged.status).toBe(403);
    const stranger = await signedIn(user);
    const notTheirs = await stranger.postForm('/profile/connected-apps/revoke', {
      csrf_token: await stranger.tokenOf('/profile'),
      grant_id: grantId as string,
    });
    expect(notTheirs.status).toBe(404);

    const res = await browser.postForm('/profile/connected-apps/revoke', {
      csrf_token: inputValue(html, 'csrf_token') as string,
      grant_id: grantId as string,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/profile');
    expect(await (await browser.get('/profile')).text()).not.toContain(`data-grant-id="${grantId}"`);
    expect((await rpc(tokens.access_token, { method: 'tools/list' })).status).toBe(401);
    const refreshed = await post('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token as string,
      client_id: client.client_id,
    });
    await expectOAuthError(refreshed, 400, 'invalid_grant');
  });

  it('answers hostile revoke forms with 4xx, never a 500', async () => {
    const browser = await signedIn(user);
    const csrf = await browser.tokenOf('/profile');
    const long = await browser.postForm('/profile/connected-apps/revoke', {
      csrf_token: csrf,
      grant_id: 'g'.repeat(5000),
    });
    expect(long.status).toBe(404);
    const missing = await browser.postForm('/profile/connected-apps/revoke', { csrf_token: csrf });
    expect(missing.status).toBe(400);
    const json = await browser.fetch('/profile/connected-apps/revoke', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBeGreaterThanOrEqual(400);
    expect(json.status).toBeLessThan(500);
  });

  it('shows an empty list to a user without grants', async () => {
    const fresh = await createTestUser(admin);
    const html = await (await (await signedIn(fresh)).get('/profile')).text();
    expect(html).toContain('No app holds access to your account.');
  });
});

describe('Refresh (RFC 6749 §6) keeps admin only while the user administers', () => {
  it('drops admin from a refreshed token once the user is no longer an administrator', async () => {
    const promoted = await createTestUser(admin, { role: 'admin' });
    const client = await publicMcpClient('openid offline_access admin');
    const { tokens } = await codeFlow(
      await signedIn(promoted),
      client.client_id,
      'openid offline_access admin',
    );
    expect(tokens.scope).toBe('openid offline_access admin');
    await admin.put(`/admin/api/users/${promoted.id}`, { role: 'user' });
    const res = await post('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token as string,
      client_id: client.client_id,
    });
    // A demotion may end the grant outright; if it does not, the refreshed token carries no admin.
    if (res.status === 200) expect(((await res.json()) as Tokens).scope).toBe('openid offline_access');
    else await expectOAuthError(res, 400, 'invalid_grant');
    const users = await api('GET', '/admin/api/users', { token: tokens.access_token });
    expect([401, 403]).toContain(users.status);
  });
});
