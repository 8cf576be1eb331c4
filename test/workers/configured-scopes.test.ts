/**
 * Scopes and APIs an operator configures: `OAUTH2_SCOPES` and the `scopes` of `OAUTH2_PROTECTED_RESOURCES`,
 * judged by one registry at registration (RFC 7591), authorization and token requests (RFC 6749 §3.3),
 * discovery (RFC 8414), protected resource metadata (RFC 9728) and the consent page; the audience of a
 * token follows the API of its scopes (RFC 8707).
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app';
import { AdminApi, createTestUser, json, type TestClient, unique } from './admin-helpers';
import { Browser, basic, expectOAuthError, inputValue, ORIGIN, pkce, uniqueIp } from './helpers';

const REDIRECT = 'https://app.example.com/cb';
const ORDERS = `${ORIGIN}/orders`;
const BILLING = 'https://billing.example.com';

/** A Worker with extra configuration: fetch, form POST, JSON POST and a browser over it. */
function server(vars: Record<string, string>) {
  const app = createApp();
  const configured = { ...env, ...vars };
  const fetch = async (path: string, init: RequestInit = {}) =>
    app.request(path.startsWith('http') ? path : `${ORIGIN}${path}`, init, configured);
  return {
    fetch,
    form: (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
      }),
    json: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    browser: () => new Browser(ORIGIN, uniqueIp(), (url, init) => fetch(url, init)),
  };
}
type Server = ReturnType<typeof server>;

function decodeJwt(token: string): Record<string, unknown> {
  const part = (token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(part)) as Record<string, unknown>;
}

function clientCredentials(srv: Server, client: TestClient, form: Record<string, string> = {}) {
  return srv.form(
    '/oauth/token',
    { grant_type: 'client_credentials', ...form },
    { Authorization: basic(client.client_id, client.client_secret ?? '') },
  );
}

async function introspect(srv: Server, client: TestClient, token: string) {
  const res = await srv.form(
    '/oauth/introspect',
    { token },
    { Authorization: basic(client.client_id, client.client_secret ?? '') },
  );
  return json<Record<string, unknown>>(res, 200);
}

/** Registers a client over RFC 7591 with an administrator's token as initial access token. */
async function register(srv: Server, admin: AdminApi, metadata: Record<string, unknown>) {
  return srv.json(
    '/connect/register',
    { client_name: unique('svc'), ...metadata },
    { Authorization: `Bearer ${admin.token}` },
  );
}

/** A client created through the admin API of `srv` (so its scopes are judged by its configuration). */
async function createClient(srv: Server, admin: AdminApi, fields: Record<string, unknown>) {
  const res = await srv.json(
    '/admin/api/clients',
    { client_name: unique('client'), ...fields },
    { Authorization: `Bearer ${admin.token}` },
  );
  return json<TestClient>(res, 201);
}

/** A signed-in user's way through the authorization endpoint and consent page to a token response. */
async function codeFlow(
  srv: Server,
  client: TestClient,
  scope: string,
  onConsent: (page: string) => void = () => {},
  extra: Record<string, string> = {},
) {
  const admin = await AdminApi.create();
  const user = await createTestUser(admin);
  const browser = srv.browser();
  expect((await browser.signIn(user.username, user.password)).status).toBe(303);
  const { verifier, challenge } = await pkce();
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope,
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const page = await browser.get(`/oauth/authorize?${query}`);
  const html = await page.text();
  expect(page.status, html).toBe(200);
  onConsent(html);
  const approved = await browser.postForm('/oauth/consent', {
    csrf_token: inputValue(html, 'csrf_token') as string,
    request_id: inputValue(html, 'request_id') as string,
    decision: 'approve',
  });
  const location = new URL(approved.headers.get('location') ?? '');
  const code = location.searchParams.get('code');
  expect(code, location.toString()).toBeTruthy();
  return srv.form(
    '/oauth/token',
    {
      grant_type: 'authorization_code',
      code: code as string,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
      ...extra,
    },
    { Authorization: basic(client.client_id, client.client_secret ?? '') },
  );
}

/** An authorization request of a signed-out user agent: its redirect (an error one here). */
async function authorizeError(srv: Server, client: TestClient, scope: string) {
  const { challenge } = await pkce();
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope,
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const res = await srv.fetch(`/oauth/authorize?${query}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '').searchParams;
}

describe('Scopes from OAUTH2_SCOPES (RFC 6749 §3.3)', () => {
  const srv = server({ OAUTH2_SCOPES: 'api:read api:write' });
  let admin: AdminApi;
  beforeAll(async () => {
    admin = await AdminApi.create();
  });

  it('registers a client for them (RFC 7591) and issues them by client_credentials; introspection reports them', async () => {
    const client = await json<TestClient & { scope: string }>(
      await register(srv, admin, { grant_types: ['client_credentials'], scope: 'api:read api:write' }),
      201,
    );
    expect(client.scope).toBe('api:read api:write');
    const asked = await json<{ access_token: string; scope: string }>(
      await clientCredentials(srv, client, { scope: 'api:read' }),
      200,
    );
    expect(asked.scope).toBe('api:read');
    const byDefault = await json<{ access_token: string; scope: string }>(
      await clientCredentials(srv, client),
      200,
    );
    expect(byDefault.scope).toBe('api:read api:write');
    const info = await introspect(srv, client, byDefault.access_token);
    expect(info).toMatchObject({ active: true, scope: 'api:read api:write', client_id: client.client_id });
    // Without a `resource` and with no API behind the scopes, the client is the audience, as before.
    expect(decodeJwt(byDefault.access_token).aud).toEqual(client.client_id);
  });

  it('issues them through the authorization code flow, and the consent page names them', async () => {
    const client = await createClient(srv, admin, {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      scope: 'openid api:read api:write',
    });
    const res = await codeFlow(srv, client, 'openid api:read', (page) => {
      expect(page).toContain('<code class="muted">api:read</code>');
    });
    const tokens = await json<{ access_token: string; scope: string }>(res, 200);
    expect(tokens.scope).toBe('openid api:read');
    expect((await introspect(srv, client, tokens.access_token)).scope).toBe('openid api:read');
  });

  it('refuses an unknown scope at registration, naming it', async () => {
    const body = await expectOAuthError(
      await register(srv, admin, { grant_types: ['client_credentials'], scope: 'api:read orders:read' }),
      400,
      'invalid_client_metadata',
    );
    expect(body.error_description).toContain('orders:read');
    expect(body.error_description).not.toContain('api:read');
    // The admin API answers invalid_request naming it.
    const adminRes = await srv.json(
      '/admin/api/clients',
      { client_name: unique('svc'), grant_types: ['client_credentials'], scope: 'orders:read' },
      { Authorization: `Bearer ${admin.token}` },
    );
    expect((await expectOAuthError(adminRes, 400, 'invalid_request')).error_description).toContain(
      'orders:read',
    );
  });

  it('is unknown to a server without it', async () => {
    const plain = server({});
    const body = await expectOAuthError(
      await register(plain, admin, { grant_types: ['client_credentials'], scope: 'api:read' }),
      400,
      'invalid_client_metadata',
    );
    expect(body.error_description).toContain('api:read');
  });

  it('refuses an unknown scope at the token endpoint (invalid_scope naming it)', async () => {
    const client = await json<TestClient>(
      await register(srv, admin, { grant_types: ['client_credentials'], scope: 'api:read' }),
      201,
    );
    const body = await expectOAuthError(
      await clientCredentials(srv, client, { scope: 'api:read orders:read' }),
      400,
      'invalid_scope',
    );
    expect(body.error_description).toContain('orders:read');
    // A scope this server no longer knows is refused too, though the client was registered with it.
    const without = server({});
    const gone = await expectOAuthError(
      await clientCredentials(without, client, { scope: 'api:read' }),
      400,
      'invalid_scope',
    );
    expect(gone.error_description).toContain('api:read');
    // ... and left out of the default.
    const byDefault = await clientCredentials(without, client);
    expect(((await byDefault.json()) as { scope?: string }).scope).toBeUndefined();
  });

  it('refuses an unknown scope at the authorization endpoint (invalid_scope naming it, by redirect)', async () => {
    const client = await createClient(srv, admin, {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      scope: 'openid api:read',
    });
    const params = await authorizeError(srv, client, 'openid orders:read');
    expect(params.get('error')).toBe('invalid_scope');
    expect(params.get('error_description')).toContain('orders:read');
  });

  it('lists them in the discovery scopes_supported (RFC 8414 §2)', async () => {
    const metadata = await json<{ scopes_supported: string[] }>(
      await srv.fetch('/.well-known/openid-configuration'),
      200,
    );
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'admin', 'api:read', 'api:write']),
    );
  });
});

describe('Scopes from OAUTH2_SCOPES as JSON', () => {
  const srv = server({
    OAUTH2_SCOPES: JSON.stringify([
      { name: 'reports:read', description: 'Read your monthly reports' },
      'reports:write',
      { name: 'reports:beta', description: 'Try unreleased report features', advertise: false },
    ]),
  });

  it('shows each description beside the scope name on the consent page', async () => {
    const admin = await AdminApi.create();
    const client = await createClient(srv, admin, {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      scope: 'openid reports:read reports:beta',
    });
    const res = await codeFlow(srv, client, 'openid reports:read reports:beta', (page) => {
      expect(page).toMatch(/Read your monthly reports\s*<code class="muted">reports:read<\/code>/);
      expect(page).toMatch(/Try unreleased report features\s*<code class="muted">reports:beta<\/code>/);
    });
    expect((await json<{ scope: string }>(res, 200)).scope).toBe('openid reports:read reports:beta');
  });

  it('leaves an unadvertised scope out of discovery', async () => {
    const metadata = await json<{ scopes_supported: string[] }>(
      await srv.fetch('/.well-known/oauth-authorization-server'),
      200,
    );
    expect(metadata.scopes_supported).toContain('reports:read');
    expect(metadata.scopes_supported).toContain('reports:write');
    expect(metadata.scopes_supported).not.toContain('reports:beta');
  });
});

describe('OAUTH2_SCOPES validation', () => {
  it.each([
    ['admin', 'admin'],
    ['a built-in scope', 'api:read openid'],
    ['admin in JSON', '[{"name":"admin","description":"Own everything"}]'],
    ['a duplicate', 'api:read api:read'],
    ['a character RFC 6749 does not allow', 'api:"read"'],
    ['malformed JSON', '[{"name":'],
    ['an unknown field', '[{"name":"api:read","scope":"x"}]'],
    ['a name with a space', '[{"name":"api read"}]'],
    ['an empty description', '[{"name":"api:read","description":""}]'],
  ])('refuses %s (503 naming the setting)', async (_, value) => {
    const res = await server({ OAUTH2_SCOPES: value }).fetch('/health');
    const body = await expectOAuthError(res, 503, 'server_misconfigured');
    expect(body.error_description).toContain('OAUTH2_SCOPES');
  });

  it.each([
    ['a resource defining admin', [{ resource: BILLING, scopes: ['admin'] }]],
    [
      'a scope given to two resources',
      [
        { resource: BILLING, scopes: ['pay:read'] },
        { resource: ORDERS, scopes_supported: ['pay:read'] },
      ],
    ],
    ['a lifetime above OAUTH2_ACCESS_TOKEN_TTL_SECS', [{ resource: BILLING, access_token_ttl_secs: 7200 }]],
    ['an unknown token format', [{ resource: BILLING, access_token_format: 'paseto' }]],
  ])('refuses %s in OAUTH2_PROTECTED_RESOURCES (503 naming the setting)', async (_, value) => {
    const res = await server({ OAUTH2_PROTECTED_RESOURCES: JSON.stringify(value) }).fetch('/health');
    const body = await expectOAuthError(res, 503, 'server_misconfigured');
    expect(body.error_description).toContain('OAUTH2_PROTECTED_RESOURCES');
  });
});

describe('Scopes of an API: audience from the API (RFC 8707)', () => {
  const srv = server({
    OAUTH2_PROTECTED_RESOURCES: JSON.stringify([
      {
        resource: ORDERS,
        name: 'Orders',
        scopes: [
          { name: 'orders:read', description: 'See your orders' },
          'orders:write',
          { name: 'orders:audit', advertise: false },
        ],
        access_token_ttl_secs: 600,
      },
      { resource: BILLING, scopes: ['billing:read'], access_token_format: 'opaque' },
    ]),
  });
  let admin: AdminApi;
  let service: TestClient;
  beforeAll(async () => {
    admin = await AdminApi.create();
    service = await createClient(srv, admin, {
      grant_types: ['client_credentials'],
      scope: 'read orders:read orders:write billing:read',
    });
  });

  it("gives a token for one API's scopes that API as audience, with its lifetime", async () => {
    const body = await json<{ access_token: string; expires_in: number; scope: string }>(
      await clientCredentials(srv, service, { scope: 'orders:read read' }),
      200,
    );
    expect(decodeJwt(body.access_token).aud).toEqual(ORDERS);
    expect(body.expires_in).toBe(600);
    expect(body.scope).toBe('orders:read read');
  });

  it('issues the token format the API asks for', async () => {
    const body = await json<{ access_token: string }>(
      await clientCredentials(srv, service, { scope: 'billing:read' }),
      200,
    );
    expect(body.access_token).toMatch(/^oat_/);
    const info = await introspect(srv, service, body.access_token);
    expect(info).toMatchObject({ active: true, scope: 'billing:read', aud: BILLING });
  });

  it('refuses scopes of two APIs in one request without a resource (invalid_scope)', async () => {
    const body = await expectOAuthError(
      await clientCredentials(srv, service, { scope: 'orders:read billing:read' }),
      400,
      'invalid_scope',
    );
    expect(body.error_description).toContain(ORDERS);
    expect(body.error_description).toContain(BILLING);
    // The default (no scope asked) holds both APIs' scopes: refused the same way.
    await expectOAuthError(await clientCredentials(srv, service), 400, 'invalid_scope');
  });

  it("refuses a scope of another API than the requested resource, and narrows the default to the resource's", async () => {
    const body = await expectOAuthError(
      await clientCredentials(srv, service, { scope: 'orders:read', resource: BILLING }),
      400,
      'invalid_scope',
    );
    expect(body.error_description).toContain('orders:read');
    const narrowed = await json<{ access_token: string; scope: string }>(
      await clientCredentials(srv, service, { resource: ORDERS }),
      200,
    );
    expect(narrowed.scope).toBe('read orders:read orders:write');
    expect(decodeJwt(narrowed.access_token).aud).toEqual(ORDERS);
  });

  it('lists the advertised API scopes in its protected resource metadata (RFC 9728 §2)', async () => {
    const metadata = await json<Record<string, unknown>>(
      await srv.fetch('/.well-known/oauth-protected-resource/orders'),
      200,
    );
    expect(metadata).toMatchObject({
      resource: ORDERS,
      scopes_supported: ['orders:read', 'orders:write'],
      resource_name: 'Orders',
    });
  });

  it('gives the device flow the API as audience and describes its scopes on the verification page (RFC 8628)', async () => {
    const device = await createClient(srv, admin, {
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
      scope: 'orders:read billing:read',
    });
    const auth = { Authorization: basic(device.client_id, device.client_secret ?? '') };
    await expectOAuthError(
      await srv.form('/oauth/device_authorization', { scope: 'orders:read billing:read' }, auth),
      400,
      'invalid_scope',
    );
    const started = await json<{ device_code: string; user_code: string }>(
      await srv.form('/oauth/device_authorization', { scope: 'orders:read' }, auth),
      200,
    );
    const user = await createTestUser(admin);
    const browser = srv.browser();
    expect((await browser.signIn(user.username, user.password)).status).toBe(303);
    const page = await browser.get(`/oauth/device/verify?user_code=${encodeURIComponent(started.user_code)}`);
    const html = await page.text();
    expect(html).toMatch(/See your orders\s*<code class="muted">orders:read<\/code>/);
    const approved = await browser.postForm('/oauth/device/verify', {
      csrf_token: inputValue(html, 'csrf_token') as string,
      user_code: inputValue(html, 'user_code') as string,
      decision: 'approve',
    });
    expect(approved.status).toBe(303);
    const tokens = await json<{ access_token: string; scope: string }>(
      await srv.form(
        '/oauth/token',
        { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: started.device_code },
        auth,
      ),
      200,
    );
    expect(tokens.scope).toBe('orders:read');
    expect(decodeJwt(tokens.access_token).aud).toEqual(ORDERS);
  });

  it('gives the code flow the API as audience, describes its scopes, and lets `resource` name it again', async () => {
    const client = await createClient(srv, admin, {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access orders:read billing:read',
    });
    const res = await codeFlow(
      srv,
      client,
      'openid offline_access orders:read',
      (page) => expect(page).toMatch(/See your orders\s*<code class="muted">orders:read<\/code>/),
      { resource: ORDERS },
    );
    const tokens = await json<{ access_token: string; refresh_token: string }>(res, 200);
    expect(decodeJwt(tokens.access_token).aud).toEqual(ORDERS);
    const refreshed = await json<{ access_token: string }>(
      await srv.form(
        '/oauth/token',
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        { Authorization: basic(client.client_id, client.client_secret ?? '') },
      ),
      200,
    );
    expect(decodeJwt(refreshed.access_token).aud).toEqual(ORDERS);
    const params = await authorizeError(srv, client, 'openid orders:read billing:read');
    expect(params.get('error')).toBe('invalid_scope');
  });
});
