/** Admin API: the denylist (ip, user, username, email, client), its enforcement before authentication, its cache. */
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DENYLIST_CACHE_TTL_SECS,
  DenylistCache,
  formatIpBlock,
  parseIp,
  parseIpBlock,
} from '../../src/denylist';
import { createD1Storage } from '../../src/storage/d1';
import type { DenyEntry } from '../../src/storage/ports';
import {
  AdminApi,
  clientCredentials,
  createServiceClient,
  createTestUser,
  findListed,
  json,
  signedIn,
  unique,
} from './admin-helpers';
import { ADMIN_ID, Browser, expectOAuthError, ORIGIN } from './helpers';

interface DenyView {
  id: string;
  kind: string;
  value: string;
  reason: string | null;
  created_by: string;
  created_at: number;
  expires_at: number | null;
  active: boolean;
}

let admin: AdminApi;
beforeAll(async () => {
  admin = await AdminApi.create();
});

function deny(body: Record<string, unknown>): Promise<DenyView> {
  return admin.post<DenyView>('/admin/api/denylist', body);
}

async function undeny(entry: DenyView): Promise<void> {
  expect((await admin.call('DELETE', `/admin/api/denylist/${entry.id}`)).status).toBe(204);
}

function from(ip: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('CF-Connecting-IP', ip);
  return SELF.fetch(`${ORIGIN}${path}`, { ...init, headers, redirect: 'manual' });
}

describe('Denylist: IP addresses and CIDR blocks', () => {
  it('answers 403 on every route but /health and /ready, for an address and for a block', async () => {
    const single = await deny({ kind: 'ip', value: '203.0.113.77', reason: 'abuse' });
    const block = await deny({ kind: 'ip', value: '2001:DB8:ABCD:0::1/48' });
    expect(block.value).toBe('2001:db8:abcd::/48');
    for (const ip of ['203.0.113.77', '2001:db8:abcd:12::9']) {
      const token = await from(ip, '/oauth/token', { method: 'POST' });
      await expectOAuthError(token, 403, 'access_denied');
      await expectOAuthError(await from(ip, '/.well-known/openid-configuration'), 403, 'access_denied');
      await expectOAuthError(
        await from(ip, '/admin/api/dashboard', { headers: { Authorization: `Bearer ${admin.token}` } }),
        403,
        'access_denied',
      );
      const page = await from(ip, '/auth/login', { headers: { Accept: 'text/html' } });
      expect(page.status).toBe(403);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect((await from(ip, '/health')).status).toBe(200);
      expect((await from(ip, '/ready')).status).toBe(200);
    }
    expect((await from('203.0.113.78', '/.well-known/openid-configuration')).status).toBe(200);
    expect((await from('2001:db8:abce::1', '/.well-known/openid-configuration')).status).toBe(200);
    await undeny(single);
    await undeny(block);
    expect((await from('203.0.113.77', '/.well-known/openid-configuration')).status).toBe(200);
  });

  it('stores addresses canonically and refuses what is not an address or block', async () => {
    const entry = await deny({ kind: 'ip', value: ' 198.18.7.9/16 ' });
    expect(entry.value).toBe('198.18.0.0/16');
    await undeny(entry);
    for (const value of ['300.1.1.1', '1.2.3', '::g', '10.0.0.0/33', 'example.com', '01.2.3.4']) {
      const error = await expectOAuthError(
        await admin.call('POST', '/admin/api/denylist', { kind: 'ip', value }),
        400,
        'invalid_request',
      );
      expect(error.error_description).toMatch(/value/);
    }
  });
});

describe('Denylist: clients', () => {
  it('refuses a denied client at the token endpoint (invalid_client) and makes its tokens inactive', async () => {
    const client = await createServiceClient(admin, { scope: 'admin read' });
    const { access_token: token } = await json<{ access_token: string }>(
      await clientCredentials(client, 'admin'),
      200,
    );
    const entry = await deny({ kind: 'client', value: client.client_id });
    await expectOAuthError(await clientCredentials(client), 401, 'invalid_client');
    await expectOAuthError(await new AdminApi(token).call('GET', '/admin/api/me'), 401, 'invalid_token');
    // The admin API still shows the client as it is stored.
    expect(await admin.get(`/admin/api/clients/${client.client_id}`)).toMatchObject({ enabled: true });
    await undeny(entry);
    expect((await clientCredentials(client)).status).toBe(200);
  });

  it('refuses to deny the bootstrap admin client or an unknown client', async () => {
    for (const value of [ADMIN_ID, 'client_unknown']) {
      const error = await expectOAuthError(
        await admin.call('POST', '/admin/api/denylist', { kind: 'client', value }),
        400,
        'invalid_request',
      );
      expect(error.error_description).toMatch(/value/);
    }
  });
});

describe('Denylist: users, usernames and e-mails', () => {
  async function refusedSignIn(user: { username: string; password: string }) {
    const res = await new Browser().signIn(user.username, user.password);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Invalid username or password.');
  }

  it.each([
    ['user', (u: { id: string }) => u.id],
    ['username', (u: { username: string }) => u.username.toUpperCase()],
    ['email', (u: { email: string }) => u.email.toUpperCase()],
  ] as const)(
    'a denied %s cannot sign in (the wrong-password answer) and loses its sessions',
    async (kind, targetOf) => {
      const user = await createTestUser(admin);
      const browser = await signedIn(user);
      const entry = await deny({ kind, value: targetOf(user) });
      expect(entry.value).toBe(kind === 'user' ? user.id : targetOf(user).toLowerCase());
      await refusedSignIn(user);
      expect((await browser.get('/profile')).status).toBe(302);
      await undeny(entry);
      expect((await new Browser().signIn(user.username, user.password)).status).toBe(303);
    },
  );

  it('refuses an unknown user id and a malformed e-mail', async () => {
    await expectOAuthError(
      await admin.call('POST', '/admin/api/denylist', { kind: 'user', value: 'nobody' }),
      400,
      'invalid_request',
    );
    await expectOAuthError(
      await admin.call('POST', '/admin/api/denylist', { kind: 'email', value: 'not-mail' }),
      400,
      'invalid_request',
    );
  });
});

describe('Admin API: /admin/api/denylist', () => {
  it('lists entries newest first, filtered by kind, with paging; reads one; 404 for unknown ids', async () => {
    const username = unique('listed');
    const a = await deny({ kind: 'username', value: `${username}-a` });
    const b = await deny({ kind: 'username', value: `${username}-b`, expires_in: 3600 });
    expect(b).toMatchObject({ active: true, expires_at: b.created_at + 3600, created_by: ADMIN_ID });
    const page = await admin.get<{ items: DenyView[]; next_cursor: string | null }>(
      '/admin/api/denylist?kind=username&limit=200',
    );
    expect(page.items.every((e) => e.kind === 'username')).toBe(true);
    expect(page.items.map((e) => e.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    const first = await admin.get<{ items: DenyView[]; next_cursor: string }>('/admin/api/denylist?limit=1');
    expect(first.items).toHaveLength(1);
    expect(first.next_cursor).toEqual(expect.any(String));
    expect(await admin.get(`/admin/api/denylist/${a.id}`)).toEqual(a);
    await undeny(a);
    await undeny(b);
    await expectOAuthError(await admin.call('GET', `/admin/api/denylist/${a.id}`), 404, 'not_found');
    await expectOAuthError(await admin.call('DELETE', `/admin/api/denylist/${a.id}`), 404, 'not_found');
    await expectOAuthError(
      await admin.call('GET', '/admin/api/denylist?kind=planet'),
      400,
      'invalid_request',
    );
  });

  it('answers 409 for a second entry of the same kind and value', async () => {
    const value = unique('dup');
    const entry = await deny({ kind: 'username', value });
    await expectOAuthError(
      await admin.call('POST', '/admin/api/denylist', { kind: 'username', value: value.toUpperCase() }),
      409,
      'invalid_request',
    );
    await undeny(entry);
  });

  it('a refused add is one atomic change: no entry, the sessions kept, no audit entry', async () => {
    const storage = createD1Storage(env.DB);
    const user = await createTestUser(admin);
    await signedIn(user);
    const now = Math.floor(Date.now() / 1000);
    expect(await storage.sessions.sidsByUser(user.id, now)).toHaveLength(1);
    // An entry of the same kind and value written behind the admin API's back (so the sessions live on).
    await storage.denylist.add({
      id: unique('deny'),
      kind: 'user',
      value: user.id,
      reason: null,
      createdBy: ADMIN_ID,
      createdAt: now,
      expiresAt: null,
    });
    await expectOAuthError(
      await admin.call('POST', '/admin/api/denylist', { kind: 'user', value: user.id }),
      409,
      'invalid_request',
    );
    expect(await storage.sessions.sidsByUser(user.id, now)).toHaveLength(1);
    const audited = await findListed<{ action: string; metadata: Record<string, unknown> }>(
      admin,
      '/admin/api/audit',
      (e) => e.action === 'denylist.add' && e.metadata.user_id === user.id,
    );
    expect(audited).toEqual([]);
  });

  it('records the audit entry of an add and a remove with the change', async () => {
    const user = await createTestUser(admin);
    await signedIn(user);
    const entry = await deny({ kind: 'user', value: user.id });
    await undeny(entry);
    const audited = await findListed<{
      action: string;
      target_id: string;
      metadata: Record<string, unknown>;
    }>(admin, '/admin/api/audit', (e) => e.target_id === entry.id);
    expect(audited.map((e) => e.action).sort()).toEqual(['denylist.add', 'denylist.remove']);
    expect(audited.find((e) => e.action === 'denylist.add')?.metadata).toMatchObject({
      kind: 'user',
      value: user.id,
      user_id: user.id,
      sessions_ended: true,
    });
  });

  it.each([
    [{ value: 'x' }, /kind/],
    [{ kind: 'planet', value: 'x' }, /kind/],
    [{ kind: 'username' }, /value/],
    [{ kind: 'username', value: '' }, /value/],
    [{ kind: 'username', value: 'x', expires_at: 1 }, /expires_at/],
    [{ kind: 'username', value: 'x', expires_at: 'tomorrow' }, /expires_at/],
    [{ kind: 'username', value: 'x', expires_in: 0 }, /expires_in/],
    [{ kind: 'username', value: 'x', expires_in: 60, expires_at: 4_000_000_000 }, /expires_in/],
    [{ kind: 'username', value: 'x', comment: 'y' }, /unknown field comment/],
  ])('answers 400 invalid_request naming the field for %j', async (body, field) => {
    const error = await expectOAuthError(
      await admin.call('POST', '/admin/api/denylist', body),
      400,
      'invalid_request',
    );
    expect(error.error_description).toMatch(field);
  });
});

describe('Denylist cache (per isolate)', () => {
  const entry = (overrides: Partial<DenyEntry>): DenyEntry => ({
    id: crypto.randomUUID(),
    kind: 'username',
    value: 'mallory',
    reason: null,
    createdBy: 'admin',
    createdAt: 1_000,
    expiresAt: null,
    ...overrides,
  });

  it(`loads at most once per ${DENYLIST_CACHE_TTL_SECS} s however many lookups, and at once after invalidate`, async () => {
    let clock = 1_000;
    let loads = 0;
    const cache = new DenylistCache(
      async () => {
        loads += 1;
        return [entry({})];
      },
      () => clock,
    );
    await cache.get();
    await Promise.all(Array.from({ length: 50 }, () => cache.get()));
    expect(loads).toBe(1);
    clock += DENYLIST_CACHE_TTL_SECS - 1;
    await cache.get();
    expect(loads).toBe(1);
    clock += 1;
    await cache.get();
    expect(loads).toBe(2);
    cache.invalidate();
    await cache.get();
    expect(loads).toBe(3);
  });

  it('never shares a load between concurrent lookups (workerd cancels I/O of a finished request)', async () => {
    let loads = 0;
    const cache = new DenylistCache(
      async () => {
        loads += 1;
        return [entry({})];
      },
      () => 1_000,
    );
    // Cold: each concurrent lookup loads for itself instead of waiting on another request's query.
    await Promise.all(Array.from({ length: 5 }, () => cache.get()));
    expect(loads).toBe(5);
  });

  it('keeps the last copy when storage fails, and applies expiry per lookup', async () => {
    let clock = 1_000;
    let fail = false;
    const cache = new DenylistCache(
      async () => {
        if (fail) throw new Error('D1 down');
        return [entry({ expiresAt: 1_020 })];
      },
      () => clock,
    );
    expect((await cache.get()).match('username', 'MALLORY', clock)).not.toBeNull();
    fail = true;
    clock += DENYLIST_CACHE_TTL_SECS;
    const kept = await cache.get();
    expect(kept.match('username', 'mallory', clock)).not.toBeNull();
    expect(kept.match('username', 'mallory', 1_020)).toBeNull();
  });

  it('fails open with no copy at all', async () => {
    const cache = new DenylistCache(
      async () => {
        throw new Error('D1 down');
      },
      () => 1,
    );
    expect((await cache.get()).size).toBe(0);
  });
});

describe('Denylist IP parsing', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['192.0.2.1/32', '192.0.2.1'],
    ['192.0.2.130/25', '192.0.2.128/25'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001/128', '2001:db8::1'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['::ffff:192.0.2.9', '192.0.2.9'],
    ['::ffff:192.0.2.0/120', '192.0.2.0/24'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('parses %s as %s', (input, canonical) => {
    const block = parseIpBlock(input);
    expect(block).not.toBeNull();
    expect(formatIpBlock(block as NonNullable<typeof block>)).toBe(canonical);
  });

  it.each([
    '',
    '1.2.3.4.5',
    '256.0.0.1',
    '1.2.3.04',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    'fe80::1%eth0',
    '1.2.3.4/',
    '::/129',
    'x',
  ])('refuses %j', (input) => {
    expect(parseIpBlock(input)).toBeNull();
  });

  it('tells IPv4 and IPv6 apart', () => {
    expect(parseIp('10.0.0.1')?.version).toBe(4);
    expect(parseIp('::ffff:10.0.0.1')?.version).toBe(4);
    expect(parseIp('::a00:1')?.version).toBe(6);
  });
});
