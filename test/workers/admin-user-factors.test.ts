/**
 * Users' second factors for administrators: the admin API view (never a secret or a public key), the
 * reset (factors deleted, sign-ins ended, grants revoked, audited, `mfa_removed` naming the administrator)
 * and the user page with its confirmed reset. Factors are seeded directly through storage.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/storage';
import type { PasskeyRecord } from '../../src/storage/mfa';
import {
  AdminApi,
  api,
  codeFlow,
  createTestUser,
  createWebClient,
  findListed,
  isActive,
  json,
  signedIn,
  type TestClient,
  type TestUser,
} from './admin-helpers';
import { ADMIN_ID, type Browser, expectOAuthError, inputValue, ORIGIN, SEED_ADMIN } from './helpers';
import { CapturingQueue, envWith, workerFor } from './telemetry-helpers';

const SECRET_ENCRYPTED = 'encrypted-totp-secret-never-shown';
const PUBLIC_KEY = 'pQECAyYgASFYIPublicKeyNeverShown';

interface FactorsView {
  totp: { confirmed: boolean; created_at: number } | null;
  recovery_codes_left: number;
  passkeys: {
    name: string;
    created_at: number;
    last_used_at: number | null;
    device_type: string;
    backed_up: boolean;
  }[];
}

let admin: AdminApi;
let web: TestClient;

beforeAll(async () => {
  admin = await AdminApi.create();
  web = await createWebClient(admin);
});

const factorsPath = (user: { id: string }) => `/admin/api/users/${user.id}/factors`;

function passkey(userId: string, overrides: Partial<PasskeyRecord> = {}): PasskeyRecord {
  return {
    credentialId: `cred-${crypto.randomUUID()}`,
    userId,
    publicKey: PUBLIC_KEY,
    signCount: 0,
    transports: ['internal'],
    name: 'Work laptop',
    deviceType: 'multiDevice',
    backedUp: true,
    createdAt: 1_800_000_000,
    lastUsedAt: 1_800_000_600,
    ...overrides,
  };
}

/** Gives `userId` a confirmed TOTP factor, three recovery codes and a passkey, through storage. */
async function seedFactors(userId: string): Promise<PasskeyRecord> {
  const { mfa } = createStorage(env);
  await mfa.putPendingTotp({
    userId,
    secretEncrypted: SECRET_ENCRYPTED,
    confirmed: false,
    lastUsedStep: 0,
    createdAt: 1_800_000_000,
  });
  expect(await mfa.acceptTotpStep(userId, 60_000_000)).toBe(true);
  await mfa.setRecoveryCodes(userId, ['hash-a', 'hash-b', 'hash-c'], 1_800_000_000);
  const key = passkey(userId);
  await mfa.addPasskey(key);
  return key;
}

/** A user signed in (a browser) with a live grant, who then enrolled second factors. */
async function enrolledUser(): Promise<{
  user: TestUser;
  browser: Browser;
  token: string;
  key: PasskeyRecord;
}> {
  const user = await createTestUser(admin);
  const browser = await signedIn(user);
  const { access_token } = await codeFlow(web, user, 'openid read', browser);
  const key = await seedFactors(user.id);
  return { user, browser, token: access_token, key };
}

async function stillSignedIn(browser: Browser): Promise<boolean> {
  return (await browser.get('/profile')).status === 200;
}

describe('Admin API: GET /admin/api/users/{id}/factors', () => {
  it('shows TOTP, recovery codes left and passkeys, never a secret, credential or public key', async () => {
    const { user, key } = await enrolledUser();
    const res = await admin.call('GET', factorsPath(user));
    const text = await res.clone().text();
    expect(await json<FactorsView>(res, 200)).toEqual({
      totp: { confirmed: true, created_at: 1_800_000_000 },
      recovery_codes_left: 3,
      passkeys: [
        {
          name: 'Work laptop',
          created_at: 1_800_000_000,
          last_used_at: 1_800_000_600,
          device_type: 'multiDevice',
          backed_up: true,
        },
      ],
    });
    expect(res.headers.get('cache-control')).toContain('no-store');
    for (const hidden of [SECRET_ENCRYPTED, PUBLIC_KEY, key.credentialId, 'hash-a']) {
      expect(text).not.toContain(hidden);
    }
  });

  it('answers no factors for a user without any, 404 for an unknown user, 401 without a token', async () => {
    const user = await createTestUser(admin);
    expect(await admin.get<FactorsView>(factorsPath(user))).toEqual({
      totp: null,
      recovery_codes_left: 0,
      passkeys: [],
    });
    await expectOAuthError(await admin.call('GET', factorsPath({ id: 'no-such-user' })), 404, 'not_found');
    await expectOAuthError(await api('GET', factorsPath(user)), 401, 'invalid_token');
  });
});

describe('Admin API: DELETE /admin/api/users/{id}/factors', () => {
  it('deletes every factor, ends the sign-ins and revokes the grants', async () => {
    const { user, browser, token } = await enrolledUser();
    expect(await stillSignedIn(browser)).toBe(true);
    expect(await isActive(token, web)).toBe(true);
    const res = await admin.call('DELETE', factorsPath(user));
    expect(res.status, await res.clone().text()).toBe(204);
    expect(await admin.get<FactorsView>(factorsPath(user))).toEqual({
      totp: null,
      recovery_codes_left: 0,
      passkeys: [],
    });
    expect(await stillSignedIn(browser)).toBe(false);
    expect(await isActive(token, web)).toBe(false);
    // The password alone signs the user in again (no code is asked for).
    await signedIn(user);
  });

  it('writes an audit entry and publishes mfa_removed naming the administrator', async () => {
    const { user } = await enrolledUser();
    const queue = new CapturingQueue();
    const call = workerFor(envWith({}, queue));
    const res = await call(factorsPath(user), {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${admin.token}` },
    });
    expect(res.status, await res.clone().text()).toBe(204);
    const [event] = queue.of('mfa_removed');
    expect(event).toMatchObject({
      user_id: user.id,
      metadata: expect.objectContaining({
        factor: 'all',
        totp: true,
        passkeys: 1,
        actor_id: ADMIN_ID,
        actor_type: 'client',
      }),
    });
    const [entry] = await findListed<{
      action: string;
      target_id: string;
      metadata: Record<string, unknown>;
    }>(admin, '/admin/api/audit', (e) => e.action === 'user.factors.reset' && e.target_id === user.id);
    expect(entry?.metadata).toMatchObject({
      username: user.username,
      totp: true,
      passkeys: 1,
      recovery_codes: 3,
      sessions_ended: true,
      grants_revoked: true,
    });
  });

  it('answers 404 for an unknown user', async () => {
    await expectOAuthError(await admin.call('DELETE', factorsPath({ id: 'no-such-user' })), 404, 'not_found');
  });
});

describe('Admin user page: second factors', () => {
  let adminBrowser: Browser;
  beforeAll(async () => {
    adminBrowser = await signedIn(SEED_ADMIN);
  });

  it('lists the factors and resets them through the confirmation page, with a notice after', async () => {
    const { user, browser } = await enrolledUser();
    const page = await adminBrowser.get(`/admin/users/${user.id}`);
    const html = await page.text();
    expect(page.status, html.slice(0, 500)).toBe(200);
    expect(html).toContain('data-factor="totp"');
    expect(html).toContain('data-factor="passkey"');
    expect(html).toContain('Work laptop');
    expect(html).toContain('Recovery codes left: 3');
    expect(html).not.toContain(PUBLIC_KEY);
    const reset = `/admin/users/${user.id}/factors/reset`;
    expect(html).toContain(`href="${reset}"`);

    const confirm = await adminBrowser.get(reset);
    const confirmHtml = await confirm.text();
    expect(confirm.status).toBe(200);
    expect(confirmHtml).toContain(user.username);
    const done = await adminBrowser.postForm(reset, {
      csrf_token: inputValue(confirmHtml, 'csrf_token') as string,
    });
    expect(done.status).toBe(303);
    const location = new URL(done.headers.get('location') ?? '', ORIGIN);
    expect(location.pathname).toBe(`/admin/users/${user.id}`);
    const after = await (await adminBrowser.get(location.pathname)).text();
    expect(after).toContain('Second factors reset');
    expect(after).not.toContain('data-factor=');
    expect(await stillSignedIn(browser)).toBe(false);
  });

  it('shows no reset action for a user without factors', async () => {
    const user = await createTestUser(admin);
    const html = await (await adminBrowser.get(`/admin/users/${user.id}`)).text();
    expect(html).toContain('No second factor');
    expect(html).not.toContain('/factors/reset');
  });
});
