/**
 * Brute-force bounds that hostile clients must not be able to race past or turn against others: the
 * sign-in throttle and the device user-code throttle reserve each attempt atomically before it is
 * evaluated, and count per (username, address) low, per address and per username higher; the
 * invalid_client penalty counts per (client_id, address) and never counts a public client.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/crypto/password';
import { randomId } from '../../src/crypto/random';
import {
  LOGIN_MAX_FAILURES,
  LOGIN_MAX_FAILURES_PER_USER,
  throttleKeys,
  userCodeThrottleKeys,
} from '../../src/sign-in/login-throttle';
import { createStorage } from '../../src/storage';
import type { UserRecord } from '../../src/storage/ports';
import { createApp } from '../../worker/app';
import {
  ADMIN_ID,
  ADMIN_SECRET,
  adminToken,
  Browser,
  basic,
  expectOAuthError,
  ORIGIN,
  postJson,
  uniqueIp,
} from './helpers';

const storage = createStorage(env);
const PASSWORD = 'correct horse battery staple';
const CONCURRENT = 40;

async function storedUser(): Promise<UserRecord> {
  const now = Math.floor(Date.now() / 1000);
  const user: UserRecord = {
    id: randomId(),
    username: `throttled-${randomId().toLowerCase()}`,
    email: 'someone@example.com',
    name: 'Some One',
    passwordHash: await hashPassword(PASSWORD),
    role: 'user',
    enabled: true,
    emailVerified: false,
    createdAt: now,
    updatedAt: now,
  };
  await storage.users.create(user);
  return user;
}

function throttleStub(name: string) {
  return env.LOGIN_THROTTLE.get(env.LOGIN_THROTTLE.idFromName(name));
}

/** How many attempts the LoginThrottle object of `name` holds. */
function heldAttempts(name: string): Promise<number> {
  return runInDurableObject(
    throttleStub(name),
    (_instance, state) => state.storage.kv.get<number[]>('attempts')?.length ?? 0,
  );
}

function count(statuses: number[], status: number): number {
  return statuses.filter((s) => s === status).length;
}

describe('Sign-in throttle: attempts are reserved before the password is checked', () => {
  it(`evaluates at most ${LOGIN_MAX_FAILURES} of ${CONCURRENT} concurrent wrong passwords for one username`, async () => {
    const target = await storedUser();
    const attacker = new Browser();
    const csrf = await attacker.loginToken();
    const statuses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        attacker
          .postForm('/auth/login', { username: target.username, password: `guess-${i}`, csrf_token: csrf })
          .then((res) => res.status),
      ),
    );
    // 401 is an evaluated wrong password; 429 was refused before any hash was computed.
    expect(count(statuses, 401)).toBe(LOGIN_MAX_FAILURES);
    expect(count(statuses, 429)).toBe(CONCURRENT - LOGIN_MAX_FAILURES);
    const keys = throttleKeys(attacker.ip, target.username);
    expect(await heldAttempts(keys.ipUser.name)).toBe(LOGIN_MAX_FAILURES);
    // The refused attempts gave back what they had reserved on the wider keys.
    expect(await heldAttempts(keys.user.name)).toBe(LOGIN_MAX_FAILURES);
    expect(await heldAttempts(keys.ip.name)).toBe(LOGIN_MAX_FAILURES);
  }, 30_000);

  it('does not lock the user out from another address after a lock from the attacker’s address', async () => {
    const target = await storedUser();
    const attacker = new Browser();
    for (let i = 0; i < LOGIN_MAX_FAILURES; i++) {
      expect((await attacker.signIn(target.username, `guess-${i}`)).status).toBe(401);
    }
    expect((await attacker.signIn(target.username, PASSWORD)).status).toBe(429);
    expect((await new Browser().signIn(target.username, PASSWORD)).status).toBe(303);
  }, 30_000);

  it('bounds guesses at one username from many addresses (per-username limit)', async () => {
    const target = await storedUser();
    const now = Math.floor(Date.now() / 1000);
    const user = throttleKeys(uniqueIp(), target.username).user;
    const stub = throttleStub(user.name);
    for (let i = 0; i < LOGIN_MAX_FAILURES_PER_USER; i++) await stub.reserve(now, user.limit);
    const res = await new Browser().signIn(target.username, PASSWORD);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('gives a successful attempt back, so the owner’s sign-ins never fill the wider keys', async () => {
    const target = await storedUser();
    const browser = new Browser();
    for (let i = 0; i < 3; i++) expect((await browser.signIn(target.username, PASSWORD)).status).toBe(303);
    const keys = throttleKeys(browser.ip, target.username);
    expect(await heldAttempts(keys.user.name)).toBe(0);
    expect(await heldAttempts(keys.ip.name)).toBe(0);
    expect(await heldAttempts(keys.ipUser.name)).toBe(0);
  });
});

describe('Device user-code throttle (RFC 8628 §5.1): attempts are reserved before the lookup', () => {
  it(`looks up at most ${LOGIN_MAX_FAILURES} of ${CONCURRENT} concurrent wrong codes`, async () => {
    const user = await storedUser();
    const browser = new Browser();
    expect((await browser.signIn(user.username, PASSWORD)).status).toBe(303);
    const letters = 'BCDFGHJKLMNPQRSTVWXZ';
    const statuses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => {
        const code = `BBBB-${letters[i % 20]}${letters[Math.floor(i / 20)]}BB`;
        return browser.get(`/oauth/device/verify?user_code=${code}`).then((res) => res.status);
      }),
    );
    // 400 is a looked-up unknown code; 429 was refused before any lookup.
    expect(count(statuses, 400)).toBe(LOGIN_MAX_FAILURES);
    expect(count(statuses, 429)).toBe(CONCURRENT - LOGIN_MAX_FAILURES);
    const [userKey, ipKey] = userCodeThrottleKeys(browser.ip, user.id);
    expect(await heldAttempts(userKey?.name ?? '')).toBe(LOGIN_MAX_FAILURES);
    expect(await heldAttempts(ipKey?.name ?? '')).toBe(LOGIN_MAX_FAILURES);
  }, 30_000);
});

describe('The invalid_client penalty is per client_id and address', () => {
  const app = createApp();
  const configured = {
    ...env,
    OAUTH2_RATE_LIMIT_INVALID_CLIENT_MAX_REQUESTS: '5',
    OAUTH2_RATE_LIMIT_WINDOW_SECS: '3600',
  } as Env;
  const token = (ip: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    app.request(
      `${ORIGIN}/oauth/token`,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'CF-Connecting-IP': ip,
          ...headers,
        },
        body: new URLSearchParams(form).toString(),
      },
      configured,
    );
  const adminGrant = (ip: string, secret: string) =>
    token(ip, { grant_type: 'client_credentials' }, { Authorization: basic(ADMIN_ID, secret) });

  let publicClientId: string;
  beforeAll(async () => {
    const res = await postJson(
      '/connect/register',
      {
        client_name: 'Public app',
        redirect_uris: ['http://127.0.0.1/callback'],
        token_endpoint_auth_method: 'none',
      },
      { Authorization: `Bearer ${await adminToken()}` },
    );
    expect(res.status, await res.clone().text()).toBe(201);
    publicClientId = ((await res.json()) as { client_id: string }).client_id;
  });

  it('five wrong secrets for admin-client from one address do not lock it out from another', async () => {
    const [attacker, owner] = [uniqueIp(), uniqueIp()];
    for (let i = 0; i < 5; i++) {
      await expectOAuthError(await adminGrant(attacker, `wrong-${i}`), 401, 'invalid_client');
    }
    await expectOAuthError(await adminGrant(attacker, ADMIN_SECRET), 429, 'too_many_requests');
    const res = await adminGrant(owner, ADMIN_SECRET);
    expect(res.status, await res.clone().text()).toBe(200);
  });

  it('never penalises a public client for a secret it does not have', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 8; i++) {
      const res = await token(ip, {
        grant_type: 'client_credentials',
        client_id: publicClientId,
        client_secret: `guess-${i}`,
      });
      await expectOAuthError(res, 401, 'invalid_client');
    }
    // The client itself, from the same address, is still heard: its bad code is a grant error, not a 429.
    const res = await token(ip, {
      grant_type: 'authorization_code',
      client_id: publicClientId,
      code: 'not-a-code',
      redirect_uri: 'http://127.0.0.1/callback',
      code_verifier: 'v'.repeat(43),
    });
    await expectOAuthError(res, 400, 'invalid_grant');
  });
});
