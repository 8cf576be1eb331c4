import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/crypto/password';
import { randomId } from '../../src/crypto/random';
import {
  ipBucket,
  LOGIN_MAX_FAILURES,
  LOGIN_MAX_FAILURES_PER_IP,
  throttleKeys,
} from '../../src/sign-in/login-throttle';
import { createStorage } from '../../src/storage';
import type { UserRecord } from '../../src/storage/ports';
import { Browser, inputValue, parseSetCookies, SEED_ADMIN } from './helpers';

const storage = createStorage(env);
const PASSWORD = 'correct horse battery staple';
const INVALID = 'Invalid username or password.';

/** A user stored directly (not through the API), with PASSWORD unless given another hash. */
async function storedUser(overrides: Partial<UserRecord> = {}): Promise<UserRecord> {
  const now = Math.floor(Date.now() / 1000);
  const user: UserRecord = {
    id: randomId(),
    username: `user-${randomId().toLowerCase()}`,
    email: 'someone@example.com',
    name: 'Some One',
    passwordHash: await hashPassword(PASSWORD),
    role: 'user',
    enabled: true,
    emailVerified: false,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
  await storage.users.create(user);
  return user;
}

/** The text of the login page's error banner. */
function banner(html: string): string | undefined {
  return /<p class="alert" role="alert">([^<]*)<\/p>/.exec(html)?.[1];
}

async function signedIn(user: UserRecord): Promise<Browser> {
  const browser = new Browser();
  const res = await browser.signIn(user.username, PASSWORD);
  expect(res.status).toBe(303);
  return browser;
}

let alice: UserRecord;
beforeAll(async () => {
  alice = await storedUser();
});

describe('Login page (contracts.md browser forms)', () => {
  it('has exactly one POST form with username, password and a hidden CSRF input', async () => {
    const res = await new Browser().get('/auth/login');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html.match(/<form /g)).toHaveLength(1);
    expect(html).toMatch(/<form method="post"/);
    expect(html).toMatch(/<input[^>]*name="username"/);
    expect(html).toMatch(
      /<input[^>]*name="password"[^>]*type="password"|type="password"[^>]*name="password"/,
    );
    expect(html).toMatch(/<input type="hidden" name="csrf_token" value="[A-Za-z0-9_-]{43}"/);
    expect(html).toMatch(/<label for="username">/);
    expect(html).toMatch(/<label for="password">/);
  });

  it('pre-fills the username from login_hint, escaped', async () => {
    const hint = 'eve"><script>alert(1)</script>';
    const html = await (await new Browser().get(`/auth/login?login_hint=${encodeURIComponent(hint)}`)).text();
    expect(inputValue(html, 'username')).toBe(hint);
    expect(html).not.toContain('<script>');
  });

  it('sends a signed-in user straight on, unless prompt=login', async () => {
    const browser = await signedIn(alice);
    const res = await browser.get('/auth/login?return_to=%2Fprofile%3Fx%3D1');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/profile?x=1');
    const forced = await browser.get('/auth/login?prompt=login');
    expect(forced.status).toBe(200);
    expect(await forced.text()).toContain('name="password"');
  });
});

describe('Password sign-in', () => {
  it('answers 303 to /profile and sets an HttpOnly, SameSite=Lax, Path=/ session cookie (no Secure on http://localhost)', async () => {
    const browser = new Browser();
    const res = await browser.signIn(alice.username, PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/profile');
    const cookie = parseSetCookies(res).find((c) => c.name === 'session');
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie?.attributes.has('httponly')).toBe(true);
    expect(cookie?.attributes.get('samesite')).toBe('Lax');
    expect(cookie?.attributes.get('path')).toBe('/');
    expect(cookie?.attributes.get('max-age')).toBe('43200');
    expect(cookie?.attributes.has('secure')).toBe(false);
    expect(cookie?.attributes.has('domain')).toBe(false);
  });

  it('uses a Secure __Host-session cookie on https', async () => {
    const browser = new Browser('https://localhost');
    const res = await browser.signIn(alice.username, PASSWORD);
    expect(res.status).toBe(303);
    const cookies = parseSetCookies(res);
    const cookie = cookies.find((c) => c.name === '__Host-session');
    expect(cookie?.attributes.has('secure')).toBe(true);
    expect(cookie?.attributes.get('path')).toBe('/');
    expect(cookie?.attributes.has('domain')).toBe(false);
    expect(cookies.find((c) => c.name === 'session')).toBeUndefined();
    expect((await browser.get('/profile')).status).toBe(200);
  });

  it('finds the username case-insensitively', async () => {
    const res = await new Browser().signIn(alice.username.toUpperCase(), PASSWORD);
    expect(res.status).toBe(303);
  });

  it('re-renders the form with 401 and the same generic message for a wrong password and an unknown user', async () => {
    const wrong = await new Browser().signIn(alice.username, 'not the password');
    const unknown = await new Browser().signIn(`nobody-${randomId()}`, PASSWORD);
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(parseSetCookies(res).some((c) => c.name === 'session')).toBe(false);
      const html = await res.text();
      expect(banner(html)).toBe(INVALID);
      expect(html.match(/<form /g)).toHaveLength(1);
      expect(inputValue(html, 'csrf_token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it('refuses a disabled user exactly like a wrong password', async () => {
    const disabled = await storedUser({ enabled: false });
    const res = await new Browser().signIn(disabled.username, PASSWORD);
    expect(res.status).toBe(401);
    expect(banner(await res.text())).toBe(INVALID);
  });

  it('asks for both fields when one is empty (400, no session)', async () => {
    const res = await new Browser().signIn(alice.username, '');
    expect(res.status).toBe(400);
    expect(parseSetCookies(res).some((c) => c.name === 'session')).toBe(false);
  });

  it('signs in the seed admin from OAUTH2_SEED_* (created on first use, role admin)', async () => {
    const browser = new Browser();
    expect((await browser.signIn(SEED_ADMIN.username, SEED_ADMIN.password)).status).toBe(303);
    const seed = await storage.users.getByUsername(SEED_ADMIN.username);
    expect(seed).toMatchObject({ role: 'admin', enabled: true, emailVerified: true });
    const profile = await (await browser.get('/profile')).text();
    expect(profile).toContain('href="/admin"');
  });
});

describe('CSRF protection of forms', () => {
  async function attempt(browser: Browser, csrf: string | undefined) {
    return browser.postForm('/auth/login', {
      username: alice.username,
      password: PASSWORD,
      ...(csrf === undefined ? {} : { csrf_token: csrf }),
    });
  }

  it('refuses a login without a token with the 403 error page', async () => {
    const browser = new Browser();
    await browser.loginToken();
    const res = await attempt(browser, undefined);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(parseSetCookies(res).some((c) => c.name === 'session')).toBe(false);
  });

  it('refuses a forged token, and a token issued to another browser', async () => {
    const browser = new Browser();
    const mine = await browser.loginToken();
    expect((await attempt(browser, `${mine.slice(0, -2)}AA`)).status).toBe(403);
    const other = await new Browser().loginToken();
    expect((await attempt(browser, other)).status).toBe(403);
    expect((await attempt(browser, mine)).status).toBe(303);
  });

  it('refuses a token without its csrf cookie', async () => {
    const browser = new Browser();
    const token = await browser.loginToken();
    browser.cookies.clear();
    expect((await attempt(browser, token)).status).toBe(403);
  });

  it('refuses logout without the session-bound token', async () => {
    const browser = await signedIn(alice);
    const res = await browser.postForm('/auth/logout', { csrf_token: 'x'.repeat(43) });
    expect(res.status).toBe(403);
    expect((await browser.get('/profile')).status).toBe(200);
  });
});

describe('Sessions', () => {
  it('issues a new cookie value at every sign-in and ends the previous session (no fixation)', async () => {
    const browser = await signedIn(alice);
    const first = browser.cookies.get('session');
    expect(first).toBeDefined();
    const again = await browser.signIn(alice.username, PASSWORD);
    expect(again.status).toBe(303);
    const second = browser.cookies.get('session');
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    const stale = new Browser();
    stale.cookies.set('session', first as string);
    expect((await stale.get('/profile')).status).toBe(302);
  });

  it('never adopts a session id planted by someone else', async () => {
    const browser = new Browser();
    browser.cookies.set('session', 'A'.repeat(43));
    expect((await browser.signIn(alice.username, PASSWORD)).status).toBe(303);
    expect(browser.cookies.get('session')).not.toBe('A'.repeat(43));
  });

  it('logout answers 303 to the login page, and the old cookie stops working at once', async () => {
    const browser = await signedIn(alice);
    const cookie = browser.cookies.get('session') as string;
    const token = await browser.tokenOf('/profile');
    const res = await browser.postForm('/auth/logout', { csrf_token: token });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/auth/login');
    const cleared = parseSetCookies(res).find((c) => c.name === 'session');
    expect(cleared?.attributes.get('max-age')).toBe('0');
    const replay = new Browser();
    replay.cookies.set('session', cookie);
    const profile = await replay.get('/profile');
    expect(profile.status).toBe(302);
    expect(profile.headers.get('location')).toMatch(/^\/auth\/login\?/);
  });

  it('treats the session of a user disabled or deleted meanwhile as absent', async () => {
    const bob = await storedUser();
    const browser = await signedIn(bob);
    expect((await browser.get('/profile')).status).toBe(200);
    await storage.users.update({ ...bob, enabled: false });
    expect((await browser.get('/profile')).status).toBe(302);

    const carol = await storedUser();
    const other = await signedIn(carol);
    await storage.users.delete(carol.id);
    expect((await other.get('/profile')).status).toBe(302);
  });

  it('stores only the SHA-256 of the cookie value', async () => {
    const browser = await signedIn(alice);
    const cookie = browser.cookies.get('session') as string;
    const rows = await env.DB.prepare('SELECT id_hash, sid FROM sessions').all<{
      id_hash: string;
      sid: string;
    }>();
    expect(rows.results.some((row) => row.id_hash === cookie || row.sid === cookie)).toBe(false);
  });
});

describe('Profile and return paths', () => {
  it('GET / redirects to /profile', async () => {
    const res = await new Browser().get('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/profile');
  });

  it('sends an anonymous visitor to the login page and back to /profile afterwards', async () => {
    const browser = new Browser();
    const res = await browser.get('/profile');
    expect(res.status).toBe(302);
    const location = res.headers.get('location') as string;
    expect(location).toBe('/auth/login?return_to=%2Fprofile');
    const form = await (await browser.get(location)).text();
    expect(inputValue(form, 'return_to')).toBe('/profile');
    const login = await browser.postForm('/auth/login', {
      username: alice.username,
      password: PASSWORD,
      csrf_token: inputValue(form, 'csrf_token') as string,
      return_to: inputValue(form, 'return_to') as string,
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/profile');
    const profile = await browser.get('/profile');
    expect(profile.status).toBe(200);
    const html = await profile.text();
    for (const shown of [alice.username, alice.id, 'someone@example.com', 'user'])
      expect(html).toContain(shown);
    expect(html).toContain('/.well-known/openid-configuration');
    expect(html).not.toContain('href="/admin"');
    expect(html).toMatch(/<form method="post" action="\/auth\/logout">/);
  });

  it('keeps a safe relative return path with its query', async () => {
    const target = '/oauth/authorize?client_id=abc&scope=openid%20profile&state=x';
    const res = await new Browser().signIn(alice.username, PASSWORD, target);
    expect(res.headers.get('location')).toBe(target);
  });

  it.each([
    '//evil.com',
    '/\\evil.com',
    '\\\\evil.com',
    'https://evil.com',
    'http:evil.com',
    'javascript:alert(1)',
    '/%2F%2Fevil.com',
    '/%2f/evil.com',
    '/%5Cevil.com',
    '/%5C%5Cevil.com',
    '/\tevil.com',
    '/\n/evil.com',
    ' //evil.com',
    'evil.com',
    '',
  ])('falls back to /profile for return_to %j', async (returnTo) => {
    const browser = new Browser();
    const page = await (await browser.get(`/auth/login?return_to=${encodeURIComponent(returnTo)}`)).text();
    expect(inputValue(page, 'return_to')).toBe('/profile');
    const res = await browser.signIn(alice.username, PASSWORD, returnTo);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/profile');
  });

  it('logout follows only a safe return_to', async () => {
    for (const [returnTo, expected] of [
      ['/profile', '/profile'],
      ['//evil.com', '/auth/login'],
    ]) {
      const browser = await signedIn(alice);
      const token = await browser.tokenOf('/profile');
      const res = await browser.postForm('/auth/logout', {
        csrf_token: token,
        return_to: returnTo as string,
      });
      expect(res.headers.get('location')).toBe(expected);
    }
  });
});

describe('Login throttling (per username and address 10, per address 50, per username 100 in 15 minutes)', () => {
  it('refuses the 11th attempt for a username from one address with 429, even with the right password', async () => {
    const target = await storedUser();
    const attacker = new Browser();
    for (let i = 0; i < LOGIN_MAX_FAILURES; i++) {
      const res = await attacker.signIn(target.username.toUpperCase(), `wrong-${i}`);
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    const res = await attacker.signIn(target.username, PASSWORD);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(banner(await res.text())).toMatch(/too many/i);
    expect(parseSetCookies(res).some((c) => c.name === 'session')).toBe(false);
    expect((await new Browser().signIn(target.username, PASSWORD)).status).toBe(303);
  }, 30_000);

  it('refuses a client IP after 50 failures across usernames', async () => {
    const browser = new Browser();
    // The first 49 failures straight into the address's object: 49 PBKDF2 runs would only cost time.
    const ip = throttleKeys(browser.ip, 'anyone').ip;
    const stub = env.LOGIN_THROTTLE.get(env.LOGIN_THROTTLE.idFromName(ip.name));
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < LOGIN_MAX_FAILURES_PER_IP - 1; i++) await stub.reserve(now, ip.limit);
    expect((await browser.signIn(`nobody-${randomId()}`, 'whatever')).status).toBe(401);
    expect((await browser.signIn(alice.username, PASSWORD)).status).toBe(429);
    expect((await new Browser().signIn(alice.username, PASSWORD)).status).toBe(303);
  });

  it('counts IPv6 clients by their /64 prefix', async () => {
    const target = await storedUser();
    for (let i = 0; i < LOGIN_MAX_FAILURES; i++) {
      const browser = new Browser(undefined, `2001:db8:77:0:${i + 1}::1`);
      expect((await browser.signIn(target.username, 'whatever')).status).toBe(401);
    }
    const sameSubnet = new Browser(undefined, '2001:0db8:0077:0000:ffff:1:2:3');
    expect((await sameSubnet.signIn(target.username, PASSWORD)).status).toBe(429);
    const otherSubnet = new Browser(undefined, '2001:db8:77:1::1');
    expect((await otherSubnet.signIn(target.username, PASSWORD)).status).toBe(303);
  }, 30_000);

  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['2001:db8:a:b:c:d:e:f', '2001:db8:a:b::/64'],
    ['2001:DB8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8:9'],
    ['1::2::3', '1::2::3'],
  ])('throttles address %s as %s', (ip, bucket) => {
    expect(ipBucket(ip)).toBe(bucket);
  });

  it('clears the count of the username at that address after a successful sign-in there', async () => {
    const target = await storedUser();
    const browser = new Browser();
    for (let i = 0; i < LOGIN_MAX_FAILURES - 1; i++) await browser.signIn(target.username, 'wrong');
    expect((await browser.signIn(target.username, PASSWORD)).status).toBe(303);
    for (let i = 0; i < LOGIN_MAX_FAILURES - 1; i++) await browser.signIn(target.username, 'wrong');
    expect((await browser.signIn(target.username, PASSWORD)).status).toBe(303);
  }, 30_000);

  it('frees a key 15 minutes after the oldest of its last 10 attempts (sliding window)', async () => {
    const stub = env.LOGIN_THROTTLE.get(env.LOGIN_THROTTLE.idFromName(`user:window-${randomId()}`));
    const t0 = 2_000_000_000;
    const limit = LOGIN_MAX_FAILURES;
    for (let i = 0; i < limit; i++) expect((await stub.reserve(t0 + i * 10, limit)).granted).toBe(true);
    expect(await stub.reserve(t0 + 95, limit)).toMatchObject({ granted: false, retryAfterSecs: 900 - 95 });
    expect((await stub.reserve(t0 + 899, limit)).granted).toBe(false);
    expect(await stub.reserve(t0 + 900, limit)).toMatchObject({ granted: true, attempts: 10 });
    expect((await stub.reserve(t0 + 901, limit)).granted).toBe(false);
    await stub.release(t0 + 900);
    expect(await stub.reserve(t0 + 902, limit)).toMatchObject({ granted: true, attempts: 10 });
    await stub.reset();
    expect(await stub.reserve(t0 + 903, limit)).toMatchObject({ granted: true, attempts: 1 });
  });
});
