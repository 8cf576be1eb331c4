/**
 * What an administrator decides ends what others held: a client's trust changed by an administrator ends
 * its registrant's RFC 7592 management; a user's password, role or standing changed ends their grants;
 * and OAUTH2_METRICS_TOKEN closes GET /metrics.
 */
import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdminApi,
  codeFlow,
  configuredFetch,
  createTestUser,
  createWebClient,
  findListed,
  isActive,
  json,
  signedIn,
  type TestClient,
} from './admin-helpers';
import { type Browser, basic, expectOAuthError, ORIGIN, post, postWith, SEED_ADMIN } from './helpers';

const APP_URI = 'https://registrant.example.com/cb';
const ATTACKER_URI = 'https://attacker.example/steal';

let admin: AdminApi;
beforeAll(async () => {
  admin = await AdminApi.create();
});

interface Registration {
  client_id: string;
  registration_access_token: string;
  registration_client_uri: string;
}

type Fetcher = (path: string, init?: RequestInit) => Response | Promise<Response>;

const viaSelf: Fetcher = (path, init) => SELF.fetch(`${ORIGIN}${path}`, init);

/** A public client registered through RFC 7591 (with the admin token as initial access token unless open). */
async function register(fetcher: Fetcher = viaSelf, initialAccess: string | null = admin.token) {
  const res = await fetcher('/connect/register', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(initialAccess === null ? {} : { Authorization: `Bearer ${initialAccess}` }),
    },
    body: JSON.stringify({
      redirect_uris: [APP_URI],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      scope: 'openid profile',
    }),
  });
  return json<Registration>(res, 201);
}

/** An RFC 7592 request with the registration access token. */
function manage(client: Registration, method: string, body?: unknown, fetcher: Fetcher = viaSelf) {
  return fetcher(`/connect/register/${client.client_id}`, {
    method,
    headers: {
      Authorization: `Bearer ${client.registration_access_token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The registrant's attempt to send codes elsewhere. */
const hijack = (client: Registration) => ({
  client_id: client.client_id,
  redirect_uris: [ATTACKER_URI],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code'],
  scope: 'openid profile',
});

async function authorizeTo(browser: Browser, clientId: string, redirectUri: string): Promise<Response> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid',
    state: 'st',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  return browser.get(`/oauth/authorize?${query}`);
}

describe('Client Registration Management (RFC 7592) after an administrator changes trust', () => {
  it('revokes the registration access token when the client is made first-party: no redirect URI hijack', async () => {
    const client = await register();
    const trusted = await admin.put<{ first_party: boolean; registration_access: boolean }>(
      `/admin/api/clients/${client.client_id}`,
      { first_party: true },
    );
    expect(trusted).toMatchObject({
      first_party: true,
      dynamically_registered: true,
      registration_access: false,
    });

    await expectOAuthError(await manage(client, 'PUT', hijack(client)), 401, 'invalid_token');
    await expectOAuthError(await manage(client, 'GET'), 401, 'invalid_token');
    await expectOAuthError(await manage(client, 'DELETE'), 401, 'invalid_token');
    const stored = await admin.get<{ redirect_uris: string[] }>(`/admin/api/clients/${client.client_id}`);
    expect(stored.redirect_uris).toEqual([APP_URI]);

    const browser = await signedIn(await createTestUser(admin));
    const stolen = await authorizeTo(browser, client.client_id, ATTACKER_URI);
    expect(stolen.headers.get('location') ?? '').not.toContain('attacker.example');
    // The administrator's trust still works for the URI the administrator saw.
    const legit = await authorizeTo(browser, client.client_id, APP_URI);
    expect(legit.status).toBe(302);
    expect(new URL(legit.headers.get('location') ?? '').searchParams.get('code')).toBeTruthy();
  });

  it.each([
    ['scope', { scope: 'openid profile email' }],
    ['enabled', { enabled: false }],
    ['first_party', { first_party: true }],
  ])('a change of %s ends RFC 7592 management (401 invalid_token)', async (_field, change) => {
    const client = await register();
    expect((await manage(client, 'GET')).status).toBe(200);
    await admin.put(`/admin/api/clients/${client.client_id}`, change);
    await expectOAuthError(await manage(client, 'GET'), 401, 'invalid_token');
  });

  it('keeps RFC 7592 management when the change does not touch trust', async () => {
    const client = await register();
    const renamed = await admin.put<{ registration_access: boolean }>(
      `/admin/api/clients/${client.client_id}`,
      {
        client_name: 'Renamed by an administrator',
        scope: 'profile openid',
      },
    );
    expect(renamed.registration_access).toBe(true);
    expect((await manage(client, 'GET')).status).toBe(200);
  });

  it('the admin pages revoke it too (disabling from the client page)', async () => {
    const client = await register();
    const browser = await signedIn(SEED_ADMIN);
    const csrf = await browser.tokenOf('/admin');
    const res = await browser.postForm(`/admin/clients/${client.client_id}/enabled`, {
      csrf_token: csrf,
      enabled: 'false',
    });
    expect(res.status).toBe(303);
    await expectOAuthError(await manage(client, 'GET'), 401, 'invalid_token');
  });

  it('an isolate still holding the old registration cannot write it back (the ClientActor refuses)', async () => {
    // A separate app: its own client cache keeps the registration with the token's hash for 10 s.
    const other = configuredFetch({ OAUTH2_DYNAMIC_REGISTRATION_ENABLED: 'true' });
    const client = await register(other, null);
    await admin.put(`/admin/api/clients/${client.client_id}`, { first_party: true });
    await expectOAuthError(await manage(client, 'PUT', hijack(client), other), 401, 'invalid_token');
    const stored = await admin.get<{ redirect_uris: string[]; first_party: boolean }>(
      `/admin/api/clients/${client.client_id}`,
    );
    expect(stored).toMatchObject({ redirect_uris: [APP_URI], first_party: true });
  });
});

interface Held {
  client: TestClient;
  jwt: string;
  opaque: string;
  refreshToken: string;
}

/** A grant of `user` holding a JWT access token, an opaque one, and the current refresh token. */
async function grantOf(user: { username: string; password: string }): Promise<Held> {
  const client = await createWebClient(admin);
  const flow = await codeFlow(client, user);
  const refreshed = await postWith({ OAUTH2_ACCESS_TOKENS_OPAQUE: 'true' })(
    '/oauth/token',
    { grant_type: 'refresh_token', refresh_token: flow.refresh_token ?? '' },
    { Authorization: basic(client.client_id, client.client_secret ?? '') },
  );
  const tokens = await json<{ access_token: string; refresh_token: string }>(refreshed, 200);
  expect(tokens.access_token).toMatch(/^oat_/);
  const held = {
    client,
    jwt: flow.access_token,
    opaque: tokens.access_token,
    refreshToken: tokens.refresh_token,
  };
  expect(await isActive(held.jwt, client)).toBe(true);
  expect(await isActive(held.opaque, client)).toBe(true);
  return held;
}

function refresh(held: Held): Promise<Response> {
  return post(
    '/oauth/token',
    { grant_type: 'refresh_token', refresh_token: held.refreshToken },
    { Authorization: basic(held.client.client_id, held.client.client_secret ?? '') },
  );
}

describe('Credential changes end the user’s grants', () => {
  it.each([
    [
      'an admin password reset',
      'user',
      (id: string) =>
        admin.post(`/admin/api/users/${id}/password`, { password: 'a brand new passphrase 7' }, 200),
    ],
    [
      'a password set with PUT',
      'user',
      (id: string) => admin.put(`/admin/api/users/${id}`, { password: 'another new passphrase 8' }),
    ],
    [
      'a role downgrade (admin to user)',
      'admin',
      (id: string) => admin.put(`/admin/api/users/${id}`, { role: 'user' }),
    ],
    ['disabling the user', 'user', (id: string) => admin.put(`/admin/api/users/${id}`, { enabled: false })],
  ] as const)(
    '%s: refresh token invalid_grant, JWT and opaque access tokens inactive',
    async (_what, role, change) => {
      const user = await createTestUser(admin, { role });
      const held = await grantOf(user);
      await change(user.id);
      expect(await isActive(held.jwt, held.client)).toBe(false);
      expect(await isActive(held.opaque, held.client)).toBe(false);
      await expectOAuthError(await refresh(held), 400, 'invalid_grant');
      const audited = await findListed<{ action: string; metadata: { filter?: { user_id?: string } } }>(
        admin,
        '/admin/api/audit',
        (entry) => entry.action === 'grant.revoke_bulk' && entry.metadata.filter?.user_id === user.id,
      );
      expect(audited.length).toBeGreaterThan(0);
    },
  );

  it('a change that leaves credentials and standing alone keeps the grants', async () => {
    const user = await createTestUser(admin);
    const held = await grantOf(user);
    await admin.put(`/admin/api/users/${user.id}`, { name: 'Renamed' });
    expect(await isActive(held.jwt, held.client)).toBe(true);
    expect((await refresh(held)).status).toBe(200);
  });

  it('the admin pages’ password reset revokes them too', async () => {
    const user = await createTestUser(admin);
    const held = await grantOf(user);
    const browser = await signedIn(SEED_ADMIN);
    const csrf = await browser.tokenOf('/admin');
    const res = await browser.postForm(`/admin/users/${user.id}/password`, {
      csrf_token: csrf,
      password: 'a page-set passphrase 9',
    });
    expect(res.status).toBe(303);
    expect(await isActive(held.jwt, held.client)).toBe(false);
    await expectOAuthError(await refresh(held), 400, 'invalid_grant');
  });
});

describe('GET /metrics with OAUTH2_METRICS_TOKEN', () => {
  const TOKEN = 'metrics-scrape-token-6b1f0e9d8c7a6b5c4d3e2f1a0b9c8d7e';
  const scrape = configuredFetch({ OAUTH2_METRICS_TOKEN: TOKEN });

  it('answers 401 with a Bearer challenge without the token, or with a wrong one', async () => {
    const missing = await scrape('/metrics');
    await expectOAuthError(missing, 401, 'invalid_token');
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    const wrong = await scrape('/metrics', { headers: { Authorization: `Bearer ${TOKEN}x` } });
    await expectOAuthError(wrong, 401, 'invalid_token');
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer\b.*error="invalid_token"/);
    const basicAuth = await scrape('/metrics', { headers: { Authorization: basic('metrics', TOKEN) } });
    expect(basicAuth.status).toBe(401);
  });

  it('answers 200 with the metrics for the right token', async () => {
    const res = await scrape('/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('oauth2_server_');
  });

  it('unset, /metrics stays public', async () => {
    expect((await SELF.fetch(`${ORIGIN}/metrics`)).status).toBe(200);
  });

  it('a short OAUTH2_METRICS_TOKEN is a configuration error (503 naming the setting)', async () => {
    const res = await configuredFetch({ OAUTH2_METRICS_TOKEN: 'tiny-value-42' })('/metrics');
    const body = await expectOAuthError(res, 503, 'server_misconfigured');
    expect(body.error_description).toContain('OAUTH2_METRICS_TOKEN');
    expect(body.error_description).not.toContain('tiny-value-42');
  });
});
