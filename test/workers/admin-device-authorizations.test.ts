/**
 * Pending device authorizations for operators (RFC 8628): the admin API listing and expiry, the admin
 * page with its confirmed Expire action, the index kept as devices start and users decide, and its sweep.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/storage';
import { deviceAuthorizationSweepJob } from '../../worker/jobs/scheduled';
import { AdminApi, api, createTestUser, findListed, json, signedIn, unique } from './admin-helpers';
import { type Browser, expectOAuthError, inputValue, ORIGIN, post, SEED_ADMIN } from './helpers';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const LIST = '/admin/api/device-authorizations';
const PAGE = '/admin/device-authorizations';

interface Listed {
  user_code: string;
  client_id: string;
  client_name: string | null;
  scope: string;
  created_at: number;
  expires_at: number;
}

interface Device {
  device_code: string;
  user_code: string;
}

interface AuditView {
  action: string;
  target_kind: string;
  target_id: string | null;
  metadata: Record<string, unknown>;
}

let admin: AdminApi;
let tv: { client_id: string; client_name: string };

beforeAll(async () => {
  admin = await AdminApi.create();
  const name = unique('Kitchen TV');
  const client = await admin.post<{ client_id: string }>('/admin/api/clients', {
    client_name: name,
    grant_types: [DEVICE_GRANT],
    token_endpoint_auth_method: 'none',
    scope: 'openid profile read',
  });
  tv = { client_id: client.client_id, client_name: name };
});

async function startDevice(scope = 'openid read'): Promise<Device> {
  const res = await post('/oauth/device_authorization', { client_id: tv.client_id, scope });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Device;
}

function poll(device: Device): Promise<Response> {
  return post('/oauth/token', {
    grant_type: DEVICE_GRANT,
    device_code: device.device_code,
    client_id: tv.client_id,
  });
}

/** The listed entry of `userCode`, if any (walking every page: other tests add entries too). */
async function listed(userCode: string): Promise<Listed | undefined> {
  const found = await findListed<Listed>(admin, LIST, (item) => item.user_code === userCode);
  return found[0];
}

/** A signed-in user approves or denies `userCode` on the verification page. */
async function decide(browser: Browser, userCode: string, decision: 'approve' | 'deny'): Promise<void> {
  const page = await browser.get(`/oauth/device/verify?user_code=${encodeURIComponent(userCode)}`);
  const html = await page.text();
  expect(page.status, html).toBe(200);
  const res = await browser.postForm('/oauth/device/verify', {
    csrf_token: inputValue(html, 'csrf_token') as string,
    user_code: inputValue(html, 'user_code') as string,
    decision,
  });
  expect(res.status).toBe(303);
}

async function signedInUser(): Promise<Browser> {
  return signedIn(await createTestUser(admin));
}

describe('Admin API: GET /admin/api/device-authorizations', () => {
  it('lists a new device authorization with its client, scope and times, never its device code', async () => {
    const device = await startDevice();
    const item = await listed(device.user_code);
    expect(item).toEqual({
      user_code: device.user_code,
      client_id: tv.client_id,
      client_name: tv.client_name,
      scope: 'openid read',
      created_at: expect.any(Number),
      expires_at: expect.any(Number),
    });
    expect((item?.expires_at ?? 0) - (item?.created_at ?? 0)).toBe(600);
    const page = await admin.call('GET', `${LIST}?limit=200`);
    expect(page.headers.get('cache-control')).toContain('no-store');
    expect(await page.text()).not.toContain(device.device_code);
  });

  it('drops the authorization once the user approves it, or denies it', async () => {
    const approved = await startDevice();
    const denied = await startDevice();
    const browser = await signedInUser();
    await decide(browser, approved.user_code, 'approve');
    await decide(browser, denied.user_code, 'deny');
    expect(await listed(approved.user_code)).toBeUndefined();
    expect(await listed(denied.user_code)).toBeUndefined();
    expect((await poll(approved)).status).toBe(200);
  });

  it('pages with limit and cursor, and refuses a malformed paging parameter', async () => {
    await Promise.all([startDevice(), startDevice(), startDevice()]);
    const first = await admin.get<{ items: Listed[]; next_cursor: string | null }>(`${LIST}?limit=2`);
    expect(first.items).toHaveLength(2);
    expect(first.next_cursor).not.toBeNull();
    const next = await admin.get<{ items: Listed[] }>(
      `${LIST}?limit=2&cursor=${encodeURIComponent(first.next_cursor ?? '')}`,
    );
    expect(next.items.map((i) => i.user_code)).not.toContain(first.items[0]?.user_code);
    await expectOAuthError(await admin.call('GET', `${LIST}?limit=0`), 400, 'invalid_request');
    await expectOAuthError(await admin.call('GET', `${LIST}?cursor=%25`), 400, 'invalid_request');
  });

  it('needs an admin token', async () => {
    await expectOAuthError(await api('GET', LIST), 401, 'invalid_token');
  });
});

describe('Admin API: DELETE /admin/api/device-authorizations/{user_code}', () => {
  it("expires it: the device's next poll answers expired_token and the code no longer opens", async () => {
    const device = await startDevice();
    await expectOAuthError(await poll(device), 400, 'authorization_pending');
    const res = await admin.call('DELETE', `${LIST}/${device.user_code.toLowerCase().replace('-', '')}`);
    expect(res.status, await res.clone().text()).toBe(204);
    await expectOAuthError(await poll(device), 400, 'expired_token');
    expect(await listed(device.user_code)).toBeUndefined();
    const browser = await signedInUser();
    const page = await browser.get(`/oauth/device/verify?user_code=${device.user_code}`);
    expect(page.status).toBe(400);
  });

  it('writes an audit entry naming the user code, the client and the administrator', async () => {
    const device = await startDevice();
    expect((await admin.call('DELETE', `${LIST}/${device.user_code}`)).status).toBe(204);
    const [entry] = await findListed<AuditView>(
      admin,
      '/admin/api/audit',
      (e) => e.action === 'device_authorization.expire' && e.target_id === device.user_code,
    );
    expect(entry).toMatchObject({
      target_kind: 'device_authorization',
      metadata: expect.objectContaining({
        device_client_id: tv.client_id,
        scope: 'openid read',
        via: 'bearer',
      }),
    });
  });

  it('answers 404 for a code that is not pending: unknown, malformed, decided or expired already', async () => {
    const device = await startDevice();
    expect((await admin.call('DELETE', `${LIST}/${device.user_code}`)).status).toBe(204);
    await expectOAuthError(await admin.call('DELETE', `${LIST}/${device.user_code}`), 404, 'not_found');
    await expectOAuthError(await admin.call('DELETE', `${LIST}/BCDF-GHJK`), 404, 'not_found');
    await expectOAuthError(await admin.call('DELETE', `${LIST}/not%20a%20code`), 404, 'not_found');
    const approved = await startDevice();
    await decide(await signedInUser(), approved.user_code, 'approve');
    await expectOAuthError(await admin.call('DELETE', `${LIST}/${approved.user_code}`), 404, 'not_found');
    expect((await poll(approved)).status).toBe(200);
  });
});

describe('Admin page /admin/device-authorizations', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await signedIn(SEED_ADMIN);
  });

  it('lists client name, user code, scope and time left, linked from the navigation', async () => {
    const device = await startDevice('openid profile');
    const res = await browser.get(`${PAGE}?limit=200`);
    const html = await res.text();
    expect(res.status, html.slice(0, 500)).toBe(200);
    expect(html).toContain('href="/admin/device-authorizations" aria-current="page"');
    const row = html.slice(html.indexOf(`data-user-code="${device.user_code}"`));
    expect(row).toContain(tv.client_name);
    expect(row).toContain('openid profile');
    expect(row).toMatch(/(9|10) min/);
    expect(html).not.toContain(device.device_code);
  });

  it('expires one through the confirmation page, then shows the notice', async () => {
    const device = await startDevice();
    const path = `${PAGE}/${device.user_code}/expire`;
    const confirm = await browser.get(path);
    const html = await confirm.text();
    expect(confirm.status, html.slice(0, 500)).toBe(200);
    expect(html).toContain(device.user_code);
    const done = await browser.postForm(path, { csrf_token: inputValue(html, 'csrf_token') as string });
    expect(done.status).toBe(303);
    expect(new URL(done.headers.get('location') ?? '', ORIGIN).pathname).toBe(PAGE);
    const after = await (await browser.get(PAGE)).text();
    expect(after).toContain(`Device authorization ${device.user_code} expired.`);
    await expectOAuthError(await poll(device), 400, 'expired_token');
  });

  it('answers 404 in the admin layout for a code that is not pending', async () => {
    for (const code of ['BCDF-GHJK', 'nope']) {
      const res = await browser.get(`${PAGE}/${code}/expire`);
      expect(res.status).toBe(404);
      expect(await res.text()).toContain('aria-label="Admin sections"');
    }
    const csrf = await browser.tokenOf(PAGE);
    const refused = await browser.postForm(`${PAGE}/BCDF-GHJK/expire`, { csrf_token: csrf });
    expect(refused.status).toBe(404);
  });
});

describe('Sweep of the device authorization index', () => {
  it('removes rows whose authorization expired unanswered, and keeps the live ones', async () => {
    const storage = createStorage(env);
    const now = Math.floor(Date.now() / 1000);
    const stale = {
      userCode: 'ZZZZZZZZ',
      clientId: tv.client_id,
      scope: '',
      createdAt: now - 700,
      expiresAt: now - 100,
    };
    await storage.deviceAuthorizations.put(stale);
    const live = await startDevice();
    const ctx = createExecutionContext();
    const removed = await deviceAuthorizationSweepJob.run(env, ctx, now);
    await waitOnExecutionContext(ctx);
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await storage.deviceAuthorizations.get('ZZZZZZZZ')).toBeNull();
    expect(await listed(live.user_code)).toBeDefined();
  });
});

describe('The index is a view', () => {
  it('a device authorization missing from the index still works', async () => {
    const device = await startDevice();
    const storage = createStorage(env);
    expect(await storage.deviceAuthorizations.delete(device.user_code.replace('-', ''))).toBe(true);
    await decide(await signedInUser(), device.user_code, 'approve');
    const res = await poll(device);
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await json<{ access_token: string }>(res, 200)).access_token).toBeTruthy();
  });
});
