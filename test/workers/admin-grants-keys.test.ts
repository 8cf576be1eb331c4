/** Admin API: grants (list by client/user, revoke one or in bulk) and signing keys (list, rotate). */
import { decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdminApi,
  codeFlow,
  createTestUser,
  createWebClient,
  isActive,
  json,
  type TestClient,
  type TestUser,
} from './admin-helpers';
import { ADMIN_ID, ADMIN_SECRET, adminToken, basic, expectOAuthError, post } from './helpers';

interface GrantView {
  id: string;
  client_id: string;
  user_id: string | null;
  grant_type: string;
  scope: string;
  status: 'active' | 'revoked' | 'expired';
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

let admin: AdminApi;
let web: TestClient;
beforeAll(async () => {
  admin = await AdminApi.create();
  web = await createWebClient(admin);
});

function refresh(client: TestClient, token: string): Promise<Response> {
  return post(
    '/oauth/token',
    { grant_type: 'refresh_token', refresh_token: token },
    { Authorization: basic(client.client_id, client.client_secret ?? '') },
  );
}

describe('Admin API: GET /admin/api/grants', () => {
  let user: TestUser;
  let grantIds: string[];
  beforeAll(async () => {
    user = await createTestUser(admin);
    grantIds = [];
    for (let i = 0; i < 3; i++) grantIds.push((await codeFlow(web, user)).grantId);
  });

  it('lists a user’s grants newest first, with paging by cursor and offset', async () => {
    const all = await admin.get<Page<GrantView>>(`/admin/api/grants?user_id=${user.id}`);
    expect(all.items.map((g) => g.id).sort()).toEqual([...grantIds].sort());
    expect(all.items[0]).toMatchObject({
      client_id: web.client_id,
      user_id: user.id,
      grant_type: 'authorization_code',
      status: 'active',
      revoked_at: null,
    });
    const ids = all.items.map((g) => g.id);
    const first = await admin.get<Page<GrantView>>(`/admin/api/grants?user_id=${user.id}&limit=2`);
    expect(first.items.map((g) => g.id)).toEqual(ids.slice(0, 2));
    const second = await admin.get<Page<GrantView>>(
      `/admin/api/grants?user_id=${user.id}&limit=2&cursor=${encodeURIComponent(first.next_cursor ?? '')}`,
    );
    expect(second.items.map((g) => g.id)).toEqual(ids.slice(2));
    expect(second.next_cursor).toBeNull();
    const offset = await admin.get<Page<GrantView>>(`/admin/api/grants?user_id=${user.id}&limit=1&offset=1`);
    expect(offset.items.map((g) => g.id)).toEqual(ids.slice(1, 2));
  });

  it('filters by client_id, by both, and by active', async () => {
    const byClient = await admin.get<Page<GrantView>>(
      `/admin/api/grants?client_id=${web.client_id}&limit=200`,
    );
    expect(byClient.items.every((g) => g.client_id === web.client_id)).toBe(true);
    const both = await admin.get<Page<GrantView>>(
      `/admin/api/grants?client_id=${web.client_id}&user_id=${user.id}`,
    );
    expect(both.items).toHaveLength(3);
    const none = await admin.get<Page<GrantView>>(
      `/admin/api/grants?client_id=client_none&user_id=${user.id}`,
    );
    expect(none.items).toEqual([]);
    const error = await expectOAuthError(
      await admin.call('GET', '/admin/api/grants?active=maybe'),
      400,
      'invalid_request',
    );
    expect(error.error_description).toMatch(/active/);
  });
});

describe('Admin API: DELETE /admin/api/grants/{id}', () => {
  it('revokes the whole family: access token inactive at once, refresh token refused, grant marked revoked', async () => {
    const user = await createTestUser(admin);
    const tokens = await codeFlow(web, user);
    expect(tokens.refresh_token).toBeTruthy();
    expect(await isActive(tokens.access_token, web)).toBe(true);

    const revoked = await json<GrantView>(
      await admin.call('DELETE', `/admin/api/grants/${tokens.grantId}`),
      200,
    );
    expect(revoked).toMatchObject({ id: tokens.grantId, status: 'revoked', revoked_at: expect.any(Number) });
    expect(await isActive(tokens.access_token, web)).toBe(false);
    const userinfo = await post('/oauth/userinfo', {}, { Authorization: `Bearer ${tokens.access_token}` });
    expect(userinfo.status).toBe(401);
    await expectOAuthError(await refresh(web, tokens.refresh_token ?? ''), 400, 'invalid_grant');
    expect(await admin.get<GrantView>(`/admin/api/grants/${tokens.grantId}`)).toMatchObject({
      status: 'revoked',
    });
    const active = await admin.get<Page<GrantView>>(`/admin/api/grants?user_id=${user.id}&active=true`);
    expect(active.items).toEqual([]);

    // Idempotent: the first revocation time stays.
    const again = await json<GrantView>(
      await admin.call('DELETE', `/admin/api/grants/${tokens.grantId}`),
      200,
    );
    expect(again.revoked_at).toBe(revoked.revoked_at);
  });

  it('answers 404 not_found for an unknown grant', async () => {
    await expectOAuthError(await admin.call('DELETE', '/admin/api/grants/unknown'), 404, 'not_found');
    await expectOAuthError(await admin.call('GET', '/admin/api/grants/unknown'), 404, 'not_found');
  });
});

describe('Admin API: POST /admin/api/grants/revoke (bulk)', () => {
  it('revokes every active grant of a user, and only theirs', async () => {
    const user = await createTestUser(admin);
    const bystander = await createTestUser(admin);
    const mine = [await codeFlow(web, user), await codeFlow(web, user)];
    const theirs = await codeFlow(web, bystander);
    const result = await admin.post<{ revoked: number; grant_ids: string[]; more: boolean }>(
      '/admin/api/grants/revoke',
      { user_id: user.id },
      200,
    );
    expect(result.revoked).toBe(2);
    expect(result.grant_ids.sort()).toEqual(mine.map((t) => t.grantId).sort());
    expect(result.more).toBe(false);
    for (const tokens of mine) expect(await isActive(tokens.access_token, web)).toBe(false);
    expect(await isActive(theirs.access_token, web)).toBe(true);
    const again = await admin.post<{ revoked: number }>(
      '/admin/api/grants/revoke',
      { user_id: user.id },
      200,
    );
    expect(again.revoked).toBe(0);
  });

  it('revokes by client_id', async () => {
    const client = await createWebClient(admin);
    const user = await createTestUser(admin);
    const tokens = await codeFlow(client, user);
    const result = await admin.post<{ revoked: number }>(
      '/admin/api/grants/revoke',
      { client_id: client.client_id },
      200,
    );
    expect(result.revoked).toBe(1);
    expect(await isActive(tokens.access_token, client)).toBe(false);
  });

  it.each([
    [{}, /client_id or user_id/],
    [{ user_id: 42 }, /user_id/],
    [{ client_id: '' }, /client_id/],
    [{ client: 'x' }, /unknown field client/],
  ])('answers 400 invalid_request naming the field for %j', async (body, field) => {
    const error = await expectOAuthError(
      await admin.call('POST', '/admin/api/grants/revoke', body),
      400,
      'invalid_request',
    );
    expect(error.error_description).toMatch(field);
  });
});

interface KeyView {
  kid: string;
  alg: string;
  use: 'access_token' | 'id_token';
  status: 'active' | 'retiring' | 'retired';
  created_at: number;
  retires_at: number | null;
  public_jwk: Record<string, unknown>;
}

describe('Admin API: signing keys', () => {
  it('lists keys with public parts, status and dates, never private material', async () => {
    await adminToken();
    const { items, next_cursor } = await admin.get<Page<KeyView>>('/admin/api/keys');
    expect(next_cursor).toBeNull();
    const active = items.filter((key) => key.status === 'active');
    expect(active.map((key) => `${key.use}:${key.alg}`).sort()).toEqual([
      'access_token:ES256',
      'id_token:ES256',
      'id_token:RS256',
    ]);
    for (const key of items) {
      expect(key.public_jwk).toMatchObject({ kid: key.kid, alg: key.alg });
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])
        expect(key.public_jwk).not.toHaveProperty(member);
      expect(key).not.toHaveProperty('private_jwk_encrypted');
    }
    expect(JSON.stringify(items)).not.toMatch(/v1\.|"d":/);
  });

  it('rotates: new keys sign at once, tokens signed before keep working, the old keys are retiring', async () => {
    const before = await adminToken('read');
    const oldKid = decodeProtectedHeader(before).kid;
    const rotated = await admin.post<Page<KeyView>>('/admin/api/keys/rotate', undefined, 200);
    const active = rotated.items.filter((key) => key.status === 'active');
    expect(active).toHaveLength(3);
    expect(active.map((key) => key.kid)).not.toContain(oldKid);
    expect(rotated.items.find((key) => key.kid === oldKid)).toMatchObject({
      status: 'retiring',
      retires_at: expect.any(Number),
    });

    const after = await adminToken('read');
    const newKid = decodeProtectedHeader(after).kid;
    expect(active.map((key) => key.kid)).toContain(newKid);
    const bootstrap = { client_id: ADMIN_ID, client_secret: ADMIN_SECRET };
    expect(await isActive(before, bootstrap)).toBe(true);
    expect(await isActive(after, bootstrap)).toBe(true);
    const listed = await admin.get<Page<KeyView>>('/admin/api/keys');
    expect(listed.items.find((key) => key.kid === oldKid)?.status).toBe('retiring');
  });
});
