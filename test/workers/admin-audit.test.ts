/** Admin API: the audit log of every mutation, recent events, and the dashboard. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdminApi,
  codeFlow,
  createTestUser,
  createWebClient,
  findListed,
  json,
  unique,
} from './admin-helpers';
import { ADMIN_ID, expectOAuthError } from './helpers';
import {
  CapturingQueue,
  clientCredentials,
  deliver,
  envWith,
  eventually,
  json as jsonInit,
  workerFor,
} from './telemetry-helpers';

interface AuditView {
  id: string;
  actor_id: string;
  actor_type: string;
  action: string;
  target_kind: string;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  metadata: Record<string, unknown>;
  created_at: number;
}

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const IP = '192.0.2.44';
const AGENT = 'admin-audit-test/1.0';

let admin: AdminApi;
beforeAll(async () => {
  admin = await AdminApi.create();
});

/** A mutation sent from IP with AGENT; answers the parsed body (if any). */
async function mutate(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await admin.call(method, path, body, { 'CF-Connecting-IP': IP, 'User-Agent': AGENT });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
}

/** Audit entries sent from IP (walked by cursor: other test files write to the same log). */
function entriesFromTestIp(): Promise<AuditView[]> {
  return findListed<AuditView>(admin, '/admin/api/audit', (entry) => entry.ip === IP);
}

describe('Audit log: every admin mutation', () => {
  it('records actor, action, target, ip, user agent and time, and never a secret or password', async () => {
    const startedAt = Math.floor(Date.now() / 1000);
    const client = await mutate('POST', '/admin/api/clients', {
      grant_types: ['client_credentials'],
      scope: 'read',
    });
    const clientId = client.client_id as string;
    await mutate('PUT', `/admin/api/clients/${clientId}`, { client_name: 'Audited' });
    const secret = await mutate('POST', `/admin/api/clients/${clientId}/secret`);
    const user = await mutate('POST', '/admin/api/users', {
      username: unique('audited'),
      password: 'audited passphrase 1',
    });
    const userId = user.id as string;
    await mutate('PUT', `/admin/api/users/${userId}`, { name: 'Audited User' });
    await mutate('POST', `/admin/api/users/${userId}/password`, { password: 'audited passphrase 2' });
    const web = await createWebClient(admin);
    const grant = await codeFlow(web, {
      username: user.username as string,
      password: 'audited passphrase 2',
    });
    await mutate('DELETE', `/admin/api/grants/${grant.grantId}`);
    await mutate('POST', '/admin/api/grants/revoke', { user_id: userId });
    await mutate('POST', '/admin/api/keys/rotate');
    const entry = await mutate('POST', '/admin/api/denylist', { kind: 'username', value: unique('audit') });
    await mutate('DELETE', `/admin/api/denylist/${entry.id as string}`);
    await mutate('DELETE', `/admin/api/users/${userId}`);
    await mutate('DELETE', `/admin/api/clients/${clientId}`);

    const expected: [string, string, string | null][] = [
      ['client.create', 'client', clientId],
      ['client.update', 'client', clientId],
      ['client.secret.rotate', 'client', clientId],
      ['user.create', 'user', userId],
      ['user.update', 'user', userId],
      ['user.password.reset', 'user', userId],
      ['grant.revoke', 'grant', grant.grantId],
      ['grant.revoke_bulk', 'grant', null],
      ['key.rotate', 'signing_key', null],
      ['denylist.add', 'denylist', entry.id as string],
      ['denylist.remove', 'denylist', entry.id as string],
      ['user.delete', 'user', userId],
      ['client.delete', 'client', clientId],
    ];
    const entries = await entriesFromTestIp();
    for (const [action, kind, target] of expected) {
      const found = entries.find((e) => e.action === action && e.target_id === target);
      expect(found, action).toMatchObject({
        actor_id: ADMIN_ID,
        actor_type: 'client',
        target_kind: kind,
        ip: IP,
        user_agent: AGENT,
        metadata: expect.objectContaining({ via: 'bearer', client_id: ADMIN_ID }),
      });
      expect(found?.created_at).toBeGreaterThanOrEqual(startedAt);
    }
    const text = JSON.stringify(entries);
    expect(text).not.toContain(secret.client_secret as string);
    expect(text).not.toContain('audited passphrase');
  });

  it('pages by cursor: every entry once, newest first, stable while entries are added', async () => {
    for (let i = 0; i < 3; i++)
      await mutate('POST', '/admin/api/denylist', { kind: 'username', value: unique('page') });
    const first = await admin.get<Page<AuditView>>('/admin/api/audit?limit=2');
    expect(first.items).toHaveLength(2);
    await mutate('POST', '/admin/api/denylist', { kind: 'username', value: unique('newer') });
    const second = await admin.get<Page<AuditView>>(
      `/admin/api/audit?limit=3&cursor=${encodeURIComponent(first.next_cursor ?? '')}`,
    );
    const walked = [...first.items, ...second.items];
    expect(new Set(walked.map((e) => e.id)).size).toBe(5);
    const keys = walked.map((e) => [e.created_at, e.id] as const);
    expect([...keys].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1))).toEqual(keys);
    const offset = await admin.get<Page<AuditView>>('/admin/api/audit?limit=2&offset=1');
    expect(offset.items).toHaveLength(2);
    await expectOAuthError(await admin.call('GET', '/admin/api/audit?cursor=AAAA'), 400, 'invalid_request');
    await expectOAuthError(await admin.call('GET', '/admin/api/audit?offset=100001'), 400, 'invalid_request');
  });
});

describe('Admin API: GET /admin/api/events', () => {
  it('answers the recent-events store: an admin change appears once the queue consumer ran', async () => {
    const queue = new CapturingQueue();
    const call = workerFor(envWith({}, queue));
    const res = await call(
      '/admin/api/clients',
      jsonInit(
        { client_name: 'Evented', grant_types: ['client_credentials'], scope: 'read' },
        { Authorization: `Bearer ${admin.token}`, 'CF-Connecting-IP': IP, 'User-Agent': AGENT },
      ),
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const client = (await res.json()) as { client_id: string };
    const published = queue.of('admin_action');
    expect(published.map((e) => e.metadata.action)).toEqual(['client.create']);
    const isMine = (e: Record<string, unknown>) => e.id === published[0]?.id;
    // Published, not yet consumed: the events API shows what the consumer has recorded.
    expect(await findListed(admin, '/admin/api/events?type=admin_action', isMine)).toEqual([]);
    await deliver(envWith({ OAUTH2_EVENTS_CONSOLE: 'false' }), queue.bodies);
    const [event] = await findListed<Record<string, unknown>>(
      admin,
      '/admin/api/events?type=admin_action',
      isMine,
    );
    expect(event).toMatchObject({
      type: 'admin_action',
      severity: 'info',
      source: 'event_bus',
      occurred_at: expect.any(Number),
      actor: { id: ADMIN_ID, type: 'client' },
      target: { kind: 'client', id: client.client_id },
      client_id: ADMIN_ID,
      ip: IP,
      user_agent: AGENT,
      metadata: expect.objectContaining({ action: 'client.create', client_name: 'Evented' }),
    });
    // A redelivery records nothing new.
    await deliver(envWith({ OAUTH2_EVENTS_CONSOLE: 'false' }), queue.bodies, { attempts: 2 });
    expect(await findListed(admin, '/admin/api/events?type=admin_action', isMine)).toHaveLength(1);
  });

  it('filters by type, client_id and user_id, newest first; refuses a malformed filter', async () => {
    const queue = new CapturingQueue();
    const call = workerFor(envWith({}, queue));
    await clientCredentials(call);
    await clientCredentials(call);
    await deliver(envWith({ OAUTH2_EVENTS_CONSOLE: 'false' }), queue.bodies);
    const ids = queue.of('token_created').map((e) => e.id);
    const page = await admin.get<Page<Record<string, unknown>>>(
      `/admin/api/events?type=token_created&client_id=${ADMIN_ID}&limit=200`,
    );
    expect(page.items.every((e) => e.type === 'token_created' && e.client_id === ADMIN_ID)).toBe(true);
    const mine = page.items.filter((e) => ids.includes(e.id as string));
    expect(mine.map((e) => e.id)).toEqual([...ids].reverse());
    expect(mine[0]).toMatchObject({ source: 'event_bus', actor: null, target: null, user_id: null });
    const none = await admin.get<Page<unknown>>(`/admin/api/events?user_id=${crypto.randomUUID()}`);
    expect(none).toEqual({ items: [], next_cursor: null });
    await expectOAuthError(
      await admin.call('GET', '/admin/api/events?type=DROP%20TABLE'),
      400,
      'invalid_request',
    );
    await expectOAuthError(await admin.call('GET', '/admin/api/events?limit=0'), 400, 'invalid_request');
    await expectOAuthError(
      await admin.call('GET', `/admin/api/events?client_id=${'x'.repeat(256)}`),
      400,
      'invalid_request',
    );
  });
});

describe('Admin API: GET /admin/api/dashboard', () => {
  it('answers counts, 14 days of issuance (today counted) and the latest events', async () => {
    const user = await createTestUser(admin);
    await codeFlow(await createWebClient(admin), user);
    type Board = {
      counts: Record<string, number>;
      issuance: { date: string; grants: number }[];
      recent_events: { source: string }[];
      generated_at: number;
    };
    // The latest events come from the recent-events store, which the queue consumer fills in the background.
    const board = await eventually(async () => {
      const read = await admin.get<Board>('/admin/api/dashboard');
      return read.recent_events.length > 0 ? read : null;
    });
    expect(board.counts.clients).toBeGreaterThanOrEqual(1);
    expect(board.counts.users).toBeGreaterThanOrEqual(2);
    expect(board.counts.active_grants).toBeGreaterThanOrEqual(1);
    expect(board.counts.signing_keys).toBeGreaterThanOrEqual(2);
    expect(board.counts.denylist_entries).toEqual(expect.any(Number));
    expect(board.issuance).toHaveLength(14);
    const today = new Date(board.generated_at * 1000).toISOString().slice(0, 10);
    expect(board.issuance.at(-1)).toEqual({ date: today, grants: expect.any(Number) });
    expect(board.issuance.at(-1)?.grants).toBeGreaterThanOrEqual(1);
    const dates = board.issuance.map((d) => d.date);
    expect([...dates].sort()).toEqual(dates);
    expect(board.recent_events.length).toBeGreaterThan(0);
    expect(board.recent_events.length).toBeLessThanOrEqual(10);
    expect(board.recent_events.every((event) => event.source === 'event_bus')).toBe(true);
  }, 30_000);

  it('counts a new user at once', async () => {
    const before = (await admin.get<{ counts: { users: number } }>('/admin/api/dashboard')).counts.users;
    await createTestUser(admin);
    const after = await json<{ counts: { users: number } }>(
      await admin.call('GET', '/admin/api/dashboard'),
      200,
    );
    // Other test files create users concurrently.
    expect(after.counts.users).toBeGreaterThanOrEqual(before + 1);
  });
});
