/** AdminGuard on /admin and /admin/*: Bearer tokens, administrator sessions with CSRF, redirects. */
import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdminApi,
  adminSession,
  api,
  browserJson,
  codeFlow,
  configuredFetch,
  createTestUser,
  createWebClient,
  findListed,
  json,
  signedIn,
  unique,
} from './admin-helpers';
import { adminToken, Browser, expectOAuthError } from './helpers';

let admin: AdminApi;
beforeAll(async () => {
  admin = await AdminApi.create();
});

describe('AdminGuard: Bearer access tokens (RFC 6750)', () => {
  it('answers 401 invalid_token with a bare Bearer challenge without credentials', async () => {
    const res = await api('GET', '/admin/api/dashboard');
    await expectOAuthError(res, 401, 'invalid_token');
    // RFC 9728 §5.1: the challenge names the protected resource metadata of the server's own APIs.
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="oauth2", resource_metadata="http://localhost/.well-known/oauth-protected-resource"',
    );
  });

  it('answers 401 invalid_token with error="invalid_token" for a forged or malformed token', async () => {
    for (const token of ['forged.token.value', 'not-a-jwt']) {
      const res = await api('GET', '/admin/api/clients', { token });
      await expectOAuthError(res, 401, 'invalid_token');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="oauth2", error="invalid_token"/);
    }
    const malformed = await api('GET', '/admin/api/clients', { headers: { Authorization: 'Bearer a b' } });
    await expectOAuthError(malformed, 401, 'invalid_token');
  });

  it('answers 403 insufficient_scope for a valid token without scope admin', async () => {
    const res = await api('GET', '/admin/api/users', { token: await adminToken('read') });
    await expectOAuthError(res, 403, 'insufficient_scope');
    expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", scope="admin"/);
  });

  it('admits a token with scope admin, acting as its client', async () => {
    const me = await admin.get('/admin/api/me');
    expect(me).toEqual({
      actor_id: 'admin-client',
      actor_type: 'client',
      via: 'bearer',
      username: null,
      client_id: 'admin-client',
    });
  });

  it("admits an administrator's own admin-scoped token until the user is demoted or disabled", async () => {
    const user = await createTestUser(admin, { role: 'admin' });
    const console = await createWebClient(admin, { scope: 'openid read admin' });
    const { access_token: token } = await codeFlow(console, user, 'openid admin');
    const me = await json(await api('GET', '/admin/api/me', { token }), 200);
    expect(me).toMatchObject({
      actor_id: user.id,
      actor_type: 'user',
      via: 'bearer',
      client_id: console.client_id,
    });

    // Demotion ends the user's grants, so the token dies at once rather than at its expiry.
    await admin.put(`/admin/api/users/${user.id}`, { role: 'user' });
    await expectOAuthError(await api('GET', '/admin/api/me', { token }), 401, 'invalid_token');
    await admin.put(`/admin/api/users/${user.id}`, { role: 'admin' });
    const { access_token: again } = await codeFlow(console, user, 'openid admin');
    await json(await api('GET', '/admin/api/me', { token: again }), 200);
    await admin.put(`/admin/api/users/${user.id}`, { enabled: false });
    await expectOAuthError(await api('GET', '/admin/api/me', { token: again }), 401, 'invalid_token');
  });

  it('needs no CSRF token for Bearer changes', async () => {
    const res = await admin.call('POST', '/admin/api/users', {
      username: unique('bearer'),
      password: 'bearer passphrase',
    });
    expect(res.status).toBe(201);
  });
});

describe('AdminGuard: sessions', () => {
  it("admits an administrator's session for reads, and answers its CSRF token", async () => {
    const { browser, csrf } = await adminSession();
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const me = await json(await browser.get('/admin/api/me'), 200);
    expect(me).toMatchObject({ actor_type: 'user', via: 'session', username: 'admin', client_id: null });
    await json(await browser.get('/admin/api/dashboard'), 200);
  });

  it('admits session changes that carry the CSRF token in X-CSRF-Token, refuses them without (403)', async () => {
    const { browser, csrf } = await adminSession();
    const body = { username: unique('csrf'), password: 'session passphrase' };
    const without = await browserJson(browser, 'POST', '/admin/api/users', body);
    const error = await expectOAuthError(without, 403, 'access_denied');
    expect(error.error_description).toMatch(/X-CSRF-Token/);
    const wrong = await browserJson(browser, 'POST', '/admin/api/users', body, {
      'X-CSRF-Token': 'x'.repeat(43),
    });
    await expectOAuthError(wrong, 403, 'access_denied');
    const other = await adminSession();
    const foreign = await browserJson(browser, 'POST', '/admin/api/users', body, {
      'X-CSRF-Token': other.csrf,
    });
    await expectOAuthError(foreign, 403, 'access_denied');
    const ok = await browserJson(browser, 'POST', '/admin/api/users', body, { 'X-CSRF-Token': csrf });
    expect((await json(ok, 201)).username).toBe(body.username);
    const deleted = await browserJson(browser, 'DELETE', '/admin/api/denylist/unknown-id');
    await expectOAuthError(deleted, 403, 'access_denied');
  });

  it('records the signed-in administrator as the actor', async () => {
    const { browser, csrf } = await adminSession();
    const created = await json<{ id: string }>(
      await browserJson(
        browser,
        'POST',
        '/admin/api/users',
        { username: unique('actor'), password: 'actor passphrase' },
        { 'X-CSRF-Token': csrf },
      ),
      201,
    );
    const me = await json<{ actor_id: string }>(await browser.get('/admin/api/me'), 200);
    const [entry] = await findListed<{ action: string; target_id: string; actor_id: string }>(
      admin,
      '/admin/api/audit',
      (e) => e.action === 'user.create' && e.target_id === created.id,
    );
    expect(entry).toMatchObject({ actor_id: me.actor_id, actor_type: 'user' });
  });

  it('sends a signed-in user who is not an administrator to /profile, pages and API alike', async () => {
    const browser = await signedIn(await createTestUser(admin));
    for (const path of ['/admin', '/admin/clients', '/admin/api/dashboard']) {
      const res = await browser.get(path);
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location')).toBe('/profile');
    }
    const post = await browserJson(browser, 'POST', '/admin/api/users', { username: 'x', password: 'y' });
    expect(post.status).toBe(302);
    expect(post.headers.get('location')).toBe('/profile');
  });

  it('sends an anonymous browser to the sign-in page, which comes back', async () => {
    const browser = new Browser();
    for (const [path, accept] of [
      ['/admin', '*/*'],
      ['/admin/clients?q=x', '*/*'],
      ['/admin/api/dashboard', 'text/html,application/xhtml+xml'],
    ] as const) {
      const res = await browser.get(path, { Accept: accept });
      expect(res.status, path).toBe(302);
      const location = new URL(res.headers.get('location') ?? '', 'http://localhost');
      expect(location.pathname).toBe('/auth/login');
      expect(location.searchParams.get('return_to')).toBe(path);
    }
  });

  it('admits a user whose verified e-mail is in OAUTH2_ADMIN_EMAILS, not an unverified one', async () => {
    const verified = await createTestUser(admin, { email_verified: true });
    const unverified = await createTestUser(admin);
    const fetchAs = configuredFetch({
      OAUTH2_ADMIN_EMAILS: `other@example.com, ${verified.email.toUpperCase()},${unverified.email}`,
    });
    const cookie = async (user: { username: string; password: string }) => {
      const browser = await signedIn(user);
      return [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    };
    const admitted = await fetchAs('/admin/api/me', { headers: { Cookie: await cookie(verified) } });
    expect(await json(admitted, 200)).toMatchObject({ actor_id: verified.id, via: 'session' });
    const refused = await fetchAs('/admin/api/me', { headers: { Cookie: await cookie(unverified) } });
    expect(refused.status).toBe(302);
    expect(refused.headers.get('location')).toBe('/profile');
    // Without the setting the same verified user is not an administrator.
    const browser = await signedIn(verified);
    expect((await browser.get('/admin/api/me')).status).toBe(302);
  });
});

describe('Admin API: routing', () => {
  it('answers 404 not_found (JSON) for an unknown admin API path', async () => {
    await expectOAuthError(await admin.call('GET', '/admin/api/nothing-here'), 404, 'not_found');
  });

  it('answers 405 with Allow for a method a path does not take', async () => {
    const res = await admin.call('PATCH', '/admin/api/clients');
    await expectOAuthError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('GET, POST');
    expect((await admin.call('GET', '/admin/api/keys/rotate')).headers.get('allow')).toBe('POST');
  });

  it('answers JSON errors, not HTML pages, under /admin/api even to browsers', async () => {
    const { browser } = await adminSession();
    const res = await browser.get('/admin/api/users/unknown-user', { Accept: 'text/html' });
    await expectOAuthError(res, 404, 'not_found');
  });

  it('marks every answer no-store', async () => {
    const res = await admin.call('GET', '/admin/api/dashboard');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('Admin API: hostile bodies answer 4xx JSON, never 5xx', () => {
  const WRITES = [
    ['POST', '/admin/api/clients'],
    ['PUT', '/admin/api/clients/client_unknown'],
    ['POST', '/admin/api/users'],
    ['PUT', '/admin/api/users/unknown'],
    ['POST', '/admin/api/users/unknown/password'],
    ['POST', '/admin/api/grants/revoke'],
    ['POST', '/admin/api/denylist'],
  ] as const;
  const BODIES: [string, Record<string, string>, BodyInit][] = [
    ['no content type', {}, '{}'],
    ['text/plain', { 'Content-Type': 'text/plain' }, '{}'],
    ['empty body', { 'Content-Type': 'application/json' }, ''],
    ['oversized body', { 'Content-Type': 'application/json' }, `{"a":"${'x'.repeat(70_000)}"}`],
    ['invalid UTF-8', { 'Content-Type': 'application/json' }, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
    ['broken JSON', { 'Content-Type': 'application/json' }, '{"kind": ['],
    ['JSON array', { 'Content-Type': 'application/json' }, '[1,2]'],
    ['JSON null', { 'Content-Type': 'application/json' }, 'null'],
    ['deeply nested', { 'Content-Type': 'application/json' }, `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`],
    [
      'wrong types',
      { 'Content-Type': 'application/json' },
      JSON.stringify({ username: 1, password: [], kind: {}, value: null, redirect_uris: 'x', user_id: true }),
    ],
  ];
  for (const [method, path] of WRITES) {
    it.each(BODIES)(`${method} ${path}: %s`, async (_name, headers, body) => {
      const sent = await SELF.fetch(`http://localhost${path}`, {
        method,
        headers: { ...headers, Authorization: `Bearer ${admin.token}` },
        body,
      });
      const text = await sent.text();
      expect(sent.status, text).toBeGreaterThanOrEqual(400);
      expect(sent.status, text).toBeLessThan(500);
      const error = JSON.parse(text) as { error: unknown; error_description: unknown };
      expect(typeof error.error).toBe('string');
      expect(typeof error.error_description).toBe('string');
    });
  }
});
