import { env, runInDurableObject } from 'cloudflare:test';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuthActor } from '../../durable-objects/auth-actor';
import { systemClock } from '../../src/clock';
import { sha256 } from '../../src/crypto/hash';
import { ACR_PASSWORD } from '../../src/oauth/authorize/claims';
import {
  adminToken,
  Browser,
  basic,
  expectOAuthError,
  get,
  inputValue,
  ORIGIN,
  post,
  postJson,
} from './helpers';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

interface Client {
  client_id: string;
  client_secret?: string;
}

interface DeviceStart {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

async function register(metadata: Record<string, unknown>): Promise<Client> {
  const res = await postJson('/connect/register', metadata, {
    Authorization: `Bearer ${await adminToken()}`,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Client;
}

async function createUser() {
  const username = `dev-${crypto.randomUUID().slice(0, 8)}`;
  const password = `pw-${crypto.randomUUID()}`;
  const res = await postJson(
    '/admin/api/users',
    { username, password, email: `${username}@example.com`, name: 'Grace Hopper' },
    { Authorization: `Bearer ${await adminToken()}` },
  );
  expect(res.status, await res.clone().text()).toBe(201);
  const { id } = (await res.json()) as { id: string };
  return { id, username, password };
}

async function signedIn() {
  const user = await createUser();
  const browser = new Browser();
  expect((await browser.signIn(user.username, user.password)).status).toBe(303);
  return { browser, user };
}

function authHeaders(client: Client): Record<string, string> {
  return client.client_secret === undefined
    ? {}
    : { Authorization: basic(client.client_id, client.client_secret) };
}

function clientForm(client: Client): Record<string, string> {
  return client.client_secret === undefined ? { client_id: client.client_id } : {};
}

function startRaw(client: Client, form: Record<string, string> = {}) {
  return post('/oauth/device_authorization', { ...clientForm(client), ...form }, authHeaders(client));
}

async function start(client: Client, scope?: string): Promise<DeviceStart> {
  const res = await startRaw(client, scope === undefined ? {} : { scope });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as DeviceStart;
}

function poll(client: Client, deviceCode: string) {
  return post(
    '/oauth/token',
    { grant_type: DEVICE_GRANT, device_code: deviceCode, ...clientForm(client) },
    authHeaders(client),
  );
}

/** Runs SQL against the device code's row in its AuthActor (test-only time travel). */
async function onDeviceRow(deviceCode: string, sql: string): Promise<void> {
  const stub = env.AUTH_ACTOR.get(env.AUTH_ACTOR.idFromName(`auth-${deviceCode.slice(0, 2)}`));
  const hash = await sha256(deviceCode);
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec(`UPDATE devices SET ${sql} WHERE code_hash = ?`, hash);
  });
}

/** The device waited its interval. */
const waited = (deviceCode: string) => onDeviceRow(deviceCode, 'last_poll_at = NULL');

/** Opens the verification page for `code` and submits `decision`; returns the POST's response. */
async function decide(browser: Browser, code: string, decision: 'approve' | 'deny'): Promise<Response> {
  const page = await browser.get(`/oauth/device/verify?user_code=${encodeURIComponent(code)}`);
  const html = await page.text();
  expect(page.status, html).toBe(200);
  return browser.postForm('/oauth/device/verify', {
    csrf_token: inputValue(html, 'csrf_token') as string,
    user_code: inputValue(html, 'user_code') as string,
    decision,
  });
}

let tv: Client;
let confidential: Client;
let web: Client;

beforeAll(async () => {
  tv = await register({
    client_name: 'Living-room TV',
    grant_types: [DEVICE_GRANT, 'refresh_token'],
    token_endpoint_auth_method: 'none',
    scope: 'openid profile offline_access read',
  });
  confidential = await register({ client_name: 'Printer', grant_types: [DEVICE_GRANT], scope: 'read write' });
  web = await register({ client_name: 'Web', redirect_uris: ['https://web.example.com/cb'] });
});

describe('Device Authorization Request (RFC 8628 §3.1, §3.2)', () => {
  it('answers the codes, the verification URIs, expires_in 600 and interval 5', async () => {
    const res = await startRaw(tv, { scope: 'openid read' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    const body = (await res.json()) as DeviceStart;
    expect(body.user_code).toMatch(USER_CODE);
    expect(body.device_code).toMatch(/^[0-9a-z]{2}[A-Za-z0-9_-]{43}$/);
    expect(body.verification_uri).toBe(`${ORIGIN}/oauth/device/verify`);
    expect(body.verification_uri_complete).toBe(`${ORIGIN}/oauth/device/verify?user_code=${body.user_code}`);
    expect(body.expires_in).toBe(600);
    expect(body.interval).toBe(5);
  });

  it('gives every request its own codes', async () => {
    const codes = await Promise.all(Array.from({ length: 10 }, () => start(tv)));
    expect(new Set(codes.map((code) => code.user_code)).size).toBe(10);
    expect(new Set(codes.map((code) => code.device_code)).size).toBe(10);
  });

  it('authenticates confidential clients like the token endpoint', async () => {
    expect((await start(confidential)).user_code).toMatch(USER_CODE);
    await expectOAuthError(
      await post('/oauth/device_authorization', { client_id: confidential.client_id }),
      401,
      'invalid_client',
    );
    await expectOAuthError(
      await post(
        '/oauth/device_authorization',
        {},
        { Authorization: basic(confidential.client_id, 'wrong') },
      ),
      401,
      'invalid_client',
    );
    await expectOAuthError(await post('/oauth/device_authorization', {}), 401, 'invalid_client');
    await expectOAuthError(
      await post('/oauth/device_authorization', { client_id: 'no-such-client' }),
      401,
      'invalid_client',
    );
  });

  it('refuses clients not registered for the device grant, and scopes outside the registration', async () => {
    await expectOAuthError(await startRaw(web), 400, 'unauthorized_client');
    await expectOAuthError(await startRaw(tv, { scope: 'admin' }), 400, 'invalid_scope');
    await expectOAuthError(await startRaw(tv, { scope: 'write' }), 400, 'invalid_scope');
    await expectOAuthError(await startRaw(tv, { scope: 'bad"scope' }), 400, 'invalid_scope');
  });

  it('answers malformed requests with invalid_request, never a 500', async () => {
    const repeated = await post(
      '/oauth/device_authorization',
      `client_id=${tv.client_id}&scope=read&scope=openid`,
    );
    await expectOAuthError(repeated, 400, 'invalid_request');
    const badEncoding = await post('/oauth/device_authorization', `client_id=${tv.client_id}&scope=%E0%A4%A`);
    await expectOAuthError(badEncoding, 400, 'invalid_request');
    const json = await postJson('/oauth/device_authorization', { client_id: tv.client_id });
    await expectOAuthError(json, 400, 'invalid_request');
    const huge = await post('/oauth/device_authorization', {
      client_id: tv.client_id,
      scope: 'a'.repeat(200_000),
    });
    expect(huge.status).toBe(413);
    const wrongMethod = await get('/oauth/device_authorization');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });
});

describe('Device Access Token Request (RFC 8628 §3.4, §3.5)', () => {
  it('answers authorization_pending, then slow_down when polled faster than the interval', async () => {
    const device = await start(tv);
    await expectOAuthError(await poll(tv, device.device_code), 400, 'authorization_pending');
    const fast = await expectOAuthError(await poll(tv, device.device_code), 400, 'slow_down');
    expect(fast.error_description).toContain('10 seconds');
    // Every slow_down adds 5 seconds for good.
    const faster = await expectOAuthError(await poll(tv, device.device_code), 400, 'slow_down');
    expect(faster.error_description).toContain('15 seconds');
    await waited(device.device_code);
    await expectOAuthError(await poll(tv, device.device_code), 400, 'authorization_pending');
  });

  it('tells two polls a few milliseconds apart to slow down even when a wall-clock second begins between them', async () => {
    const device = await start(tv);
    await onDeviceRow(device.device_code, 'interval = 1');
    const stub = env.AUTH_ACTOR.get(env.AUTH_ACTOR.idFromName(`auth-${device.device_code.slice(0, 2)}`));
    let ms = Math.floor(Date.now() / 1000) * 1000 + 999; // the last millisecond of this second
    await runInDurableObject(stub, (instance: AuthActor) => {
      instance.clock = { nowMs: () => ms, nowSecs: () => Math.floor(ms / 1000) };
    });
    try {
      await expectOAuthError(await poll(tv, device.device_code), 400, 'authorization_pending');
      ms += 2;
      await expectOAuthError(await poll(tv, device.device_code), 400, 'slow_down');
    } finally {
      await runInDurableObject(stub, (instance: AuthActor) => {
        instance.clock = systemClock;
      });
    }
  });

  it('issues tokens once the user approves: access, refresh (offline_access) and ID token (openid)', async () => {
    const { browser, user } = await signedIn();
    const device = await start(tv, 'openid profile offline_access');
    await expectOAuthError(await poll(tv, device.device_code), 400, 'authorization_pending');
    const approved = await decide(browser, device.user_code, 'approve');
    expect(approved.status).toBe(303);
    expect(approved.headers.get('location')).toBe('/oauth/device/verify?done=approved');
    const done = await browser.get('/oauth/device/verify?done=approved');
    expect(await done.text()).toContain('Device connected');

    const res = await poll(tv, device.device_code);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    const tokens = (await res.json()) as Record<string, string | number>;
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.scope).toBe('openid profile offline_access');
    expect(String(tokens.refresh_token)).toMatch(/^ort_/);
    const idToken = decodeJwt(String(tokens.id_token));
    expect(idToken.sub).toBe(user.id);
    expect(idToken.aud).toBe(tv.client_id);
    expect(typeof idToken.auth_time).toBe('number');
    expect(decodeJwt(String(tokens.access_token)).sub).toBe(user.id);

    // The refresh token works like one from the code grant.
    const refreshed = await post('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.refresh_token),
      client_id: tv.client_id,
    });
    expect(refreshed.status, await refreshed.clone().text()).toBe(200);

    // The device code is spent.
    await expectOAuthError(await poll(tv, device.device_code), 400, 'invalid_grant');
  });

  it('carries amr, acr and auth_time of the approving sign-in into the ID tokens, refreshed ones too', async () => {
    const { browser } = await signedIn();
    const device = await start(tv, 'openid offline_access');
    expect((await decide(browser, device.user_code, 'approve')).status).toBe(303);
    const tokens = (await (await poll(tv, device.device_code)).json()) as Record<string, string>;
    const idToken = decodeJwt(String(tokens.id_token));
    expect(idToken.amr).toEqual(['pwd']);
    expect(idToken.acr).toBe(ACR_PASSWORD);
    expect(Math.abs(Number(idToken.auth_time) - Date.now() / 1000)).toBeLessThan(60);
    const refreshed = await post('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.refresh_token),
      client_id: tv.client_id,
    });
    const again = decodeJwt(String(((await refreshed.json()) as Record<string, string>).id_token));
    expect(again).toMatchObject({ amr: ['pwd'], acr: ACR_PASSWORD, auth_time: idToken.auth_time });
  });

  it('gives no refresh token without offline_access, and no ID token without openid', async () => {
    const { browser } = await signedIn();
    const device = await start(tv, 'read');
    expect((await decide(browser, device.user_code, 'approve')).status).toBe(303);
    const tokens = (await (await poll(tv, device.device_code)).json()) as Record<string, unknown>;
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();
  });

  it('works for a confidential client authenticating with its secret', async () => {
    const { browser } = await signedIn();
    const device = await start(confidential, 'read');
    expect((await decide(browser, device.user_code, 'approve')).status).toBe(303);
    const res = await poll(confidential, device.device_code);
    expect(res.status, await res.clone().text()).toBe(200);
    await expectOAuthError(
      await post('/oauth/token', {
        grant_type: DEVICE_GRANT,
        device_code: device.device_code,
        client_id: confidential.client_id,
      }),
      401,
      'invalid_client',
    );
  });

  it('answers access_denied once the user denies, on every later poll', async () => {
    const { browser } = await signedIn();
    const device = await start(tv);
    const denied = await decide(browser, device.user_code, 'deny');
    expect(denied.headers.get('location')).toBe('/oauth/device/verify?done=denied');
    await expectOAuthError(await poll(tv, device.device_code), 400, 'access_denied');
    await expectOAuthError(await poll(tv, device.device_code), 400, 'access_denied');
    // A decided code cannot be decided again.
    const again = await browser.get(`/oauth/device/verify?user_code=${device.user_code}`);
    expect(again.status).toBe(400);
  });

  it('answers expired_token after expiry, and the user code no longer opens', async () => {
    const { browser } = await signedIn();
    const device = await start(tv);
    await onDeviceRow(device.device_code, 'expires_at = 1');
    await expectOAuthError(await poll(tv, device.device_code), 400, 'expired_token');
    const page = await browser.get(`/oauth/device/verify?user_code=${device.user_code}`);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('not valid or has expired');
  });

  it('redeems an approved device code exactly once under 20 parallel polls', async () => {
    const { browser } = await signedIn();
    const device = await start(tv, 'openid offline_access');
    expect((await decide(browser, device.user_code, 'approve')).status).toBe(303);
    const results = await Promise.all(Array.from({ length: 20 }, () => poll(tv, device.device_code)));
    const statuses = results.map((res) => res.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(19);
    for (const res of results.filter((r) => r.status === 400))
      await expectOAuthError(res, 400, 'invalid_grant');
  });

  it('a device code presented after its redemption is refused and revokes its tokens (RFC 9700 §4.5.3)', async () => {
    const { browser } = await signedIn();
    const device = await start(confidential, 'read');
    expect((await decide(browser, device.user_code, 'approve')).status).toBe(303);
    const first = await poll(confidential, device.device_code);
    expect(first.status, await first.clone().text()).toBe(200);
    const { access_token: accessToken } = (await first.json()) as { access_token: string };
    const introspect = async () =>
      (
        await post(
          '/oauth/introspect',
          { token: accessToken },
          { Authorization: basic(confidential.client_id, confidential.client_secret as string) },
        )
      ).json();
    expect(await introspect()).toMatchObject({ active: true });

    const replay = await poll(confidential, device.device_code);
    const body = await expectOAuthError(replay, 400, 'invalid_grant');
    expect(JSON.stringify(body)).toContain('revoked');
    expect(await introspect()).toEqual({ active: false });
    // Every later presentation stays invalid_grant.
    await expectOAuthError(await poll(confidential, device.device_code), 400, 'invalid_grant');
  });

  it('a replayed device code also ends the refresh token family it produced', async () => {
    const { browser } = await signedIn();
    const device = await start(tv, 'openid offline_access');
    expect((await decide(browser, device.user_code, 'approve')).status).toBe(303);
    const first = await poll(tv, device.device_code);
    expect(first.status, await first.clone().text()).toBe(200);
    const { refresh_token: refreshToken } = (await first.json()) as { refresh_token: string };
    await expectOAuthError(await poll(tv, device.device_code), 400, 'invalid_grant');
    const refreshed = await post('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: tv.client_id,
    });
    await expectOAuthError(refreshed, 400, 'invalid_grant');
  });

  it('refuses a device code presented by another client, without spending it', async () => {
    const other = await register({
      client_name: 'Other TV',
      grant_types: [DEVICE_GRANT],
      token_endpoint_auth_method: 'none',
    });
    const { browser } = await signedIn();
    const device = await start(tv, 'read');
    expect((await decide(browser, device.user_code, 'approve')).status).toBe(303);
    await expectOAuthError(await poll(other, device.device_code), 400, 'invalid_grant');
    expect((await poll(tv, device.device_code)).status).toBe(200);
  });

  it('refuses clients without the grant and malformed or hostile device codes', async () => {
    await expectOAuthError(
      await post(
        '/oauth/token',
        { grant_type: DEVICE_GRANT, device_code: 'x'.repeat(45) },
        authHeaders(confidential),
      ),
      400,
      'invalid_grant',
    );
    await expectOAuthError(
      await post('/oauth/token', { grant_type: DEVICE_GRANT, client_id: tv.client_id }),
      400,
      'invalid_request',
    );
    for (const hostile of [
      `00${'A'.repeat(43)}`,
      'a'.repeat(5000),
      "00' OR 1=1 --",
      'ü'.repeat(45),
      '../../etc',
    ]) {
      await expectOAuthError(await poll(tv, hostile), 400, 'invalid_grant');
    }
    await expectOAuthError(
      await post(
        '/oauth/token',
        `grant_type=${encodeURIComponent(DEVICE_GRANT)}&client_id=${tv.client_id}&device_code=a%00b`,
      ),
      400,
      'invalid_request',
    );
    const webToken = await post('/oauth/token', {
      grant_type: DEVICE_GRANT,
      device_code: (await start(tv)).device_code,
      client_id: web.client_id,
    });
    await expectOAuthError(webToken, 401, 'invalid_client');
  });
});

describe('Device verification page (RFC 8628 §3.3)', () => {
  it('sends an anonymous browser to sign in and back to the same code', async () => {
    const device = await start(tv);
    const browser = new Browser();
    const res = await browser.get(`/oauth/device/verify?user_code=${device.user_code}`);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') as string, ORIGIN);
    expect(location.pathname).toBe('/auth/login');
    expect(location.searchParams.get('return_to')).toBe(`/oauth/device/verify?user_code=${device.user_code}`);
  });

  it('accepts the code in any case, with or without the dash, and shows client, scopes and code', async () => {
    const { browser, user } = await signedIn();
    const device = await start(tv, 'openid read');
    const typed = device.user_code.replace('-', '').toLowerCase();
    const entry = await browser.get('/oauth/device/verify');
    const entryHtml = await entry.text();
    expect(entry.status).toBe(200);
    const submitted = await browser.postForm('/oauth/device/verify', {
      csrf_token: inputValue(entryHtml, 'csrf_token') as string,
      user_code: ` ${typed.slice(0, 3)} ${typed.slice(3)} `,
    });
    expect(submitted.status).toBe(303);
    expect(submitted.headers.get('location')).toBe(`/oauth/device/verify?user_code=${device.user_code}`);
    const page = await browser.get(submitted.headers.get('location') as string);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Living-room TV');
    expect(html).toContain(device.user_code);
    expect(html).toContain(user.username);
    expect(html).toContain('<code class="muted">read</code>');
    expect(html).toMatch(/name="decision" value="approve"/);
    expect(html).toMatch(/name="decision" value="deny"/);
  });

  it('requires the CSRF token on every form', async () => {
    const { browser } = await signedIn();
    const device = await start(tv);
    const noToken = await browser.postForm('/oauth/device/verify', {
      user_code: device.user_code,
      decision: 'approve',
    });
    expect(noToken.status).toBe(403);
    const wrong = await browser.postForm('/oauth/device/verify', {
      csrf_token: 'x'.repeat(43),
      user_code: device.user_code,
      decision: 'approve',
    });
    expect(wrong.status).toBe(403);
    await expectOAuthError(await poll(tv, device.device_code), 400, 'authorization_pending');
  });

  it('answers hostile codes and decisions with a 4xx page, escaping what was typed', async () => {
    const { browser } = await signedIn();
    const page = await browser.get(
      `/oauth/device/verify?user_code=${encodeURIComponent('<script>x</script>')}`,
    );
    const html = await page.text();
    expect(page.status).toBe(400);
    expect(html).not.toContain('<script>');
    const repeated = await browser.get('/oauth/device/verify?user_code=BCDF-GHJK&user_code=BCDF-GHJK');
    expect(repeated.status).toBe(400);
    const token = inputValue(
      await (await browser.get('/oauth/device/verify')).text(),
      'csrf_token',
    ) as string;
    const device = await start(tv);
    const odd = await browser.postForm('/oauth/device/verify', {
      csrf_token: token,
      user_code: device.user_code,
      decision: 'maybe',
    });
    expect(odd.status).toBe(400);
    const long = await browser.postForm('/oauth/device/verify', {
      csrf_token: token,
      user_code: 'B'.repeat(5000),
    });
    expect(long.status).toBe(400);
    expect((await browser.fetch('/oauth/device/verify', { method: 'DELETE' })).status).toBe(405);
  });

  it('limits wrong codes per user and address (10 in 15 minutes), then answers 429', async () => {
    const { browser } = await signedIn();
    const device = await start(tv);
    // Valid-looking codes that are not issued (each costs the throttle one failure).
    let status = 0;
    for (let i = 0; i < 10; i++) {
      const wrong = `BBBB-${'CDFGHJKLMN'[i]}BBB`;
      status = (await browser.get(`/oauth/device/verify?user_code=${wrong}`)).status;
      expect(status).toBe(400);
    }
    const limited = await browser.get(`/oauth/device/verify?user_code=${device.user_code}`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Deciding is throttled too.
    const token = inputValue(
      await (await browser.get('/oauth/device/verify')).text(),
      'csrf_token',
    ) as string;
    const decided = await browser.postForm('/oauth/device/verify', {
      csrf_token: token,
      user_code: device.user_code,
      decision: 'approve',
    });
    expect(decided.status).toBe(429);
    await expectOAuthError(await poll(tv, device.device_code), 400, 'authorization_pending');
  });

  it('is advertised in discovery with the grant type', async () => {
    const metadata = (await (await get('/.well-known/openid-configuration')).json()) as Record<
      string,
      unknown
    >;
    expect(metadata.device_authorization_endpoint).toBe(`${ORIGIN}/oauth/device_authorization`);
    expect(metadata.grant_types_supported).toContain(DEVICE_GRANT);
  });
});
