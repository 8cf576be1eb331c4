/** Admin API: users (list and search, read, update, password reset, delete); POST is in users.test.ts. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdminApi,
  adminSession,
  browserJson,
  createTestUser,
  findListed,
  json,
  signedIn,
  type TestUser,
  unique,
} from './admin-helpers';
import { Browser, expectOAuthError } from './helpers';

interface UserView {
  id: string;
  username: string;
  email: string | null;
  name: string | null;
  role: 'user' | 'admin';
  enabled: boolean;
  email_verified: boolean;
  created_at: number;
  updated_at: number;
}

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

let admin: AdminApi;
beforeAll(async () => {
  admin = await AdminApi.create();
});

/** Whether the browser's session still signs it in (the profile page answers 200, not a redirect). */
async function stillSignedIn(browser: Browser): Promise<boolean> {
  return (await browser.get('/profile')).status === 200;
}

async function signInStatus(user: { username: string; password: string }): Promise<number> {
  return (await new Browser().signIn(user.username, user.password)).status;
}

describe('Admin API: GET /admin/api/users', () => {
  it('lists newest first with paging by cursor and offset; q searches username, email and name', async () => {
    const tag = unique('find');
    const users: TestUser[] = [];
    for (const name of [`Ada ${tag}`, `Grace ${tag}`, `Edsger ${tag}`])
      users.push(await createTestUser(admin, { name }));
    const all = await admin.get<Page<UserView>>(`/admin/api/users?q=${tag.toUpperCase()}`);
    expect(all.items.map((u) => u.id).sort()).toEqual(users.map((u) => u.id).sort());
    expect(all.items[0]).not.toHaveProperty('password_hash');
    const ids = all.items.map((u) => u.id);

    const first = await admin.get<Page<UserView>>(`/admin/api/users?q=${tag}&limit=2`);
    expect(first.items.map((u) => u.id)).toEqual(ids.slice(0, 2));
    const next = await admin.get<Page<UserView>>(
      `/admin/api/users?q=${tag}&limit=2&cursor=${encodeURIComponent(first.next_cursor ?? '')}`,
    );
    expect(next.items.map((u) => u.id)).toEqual(ids.slice(2));
    expect(next.next_cursor).toBeNull();
    const offset = await admin.get<Page<UserView>>(`/admin/api/users?q=${tag}&offset=2`);
    expect(offset.items.map((u) => u.id)).toEqual(ids.slice(2));

    const byEmail = await admin.get<Page<UserView>>(
      `/admin/api/users?q=${encodeURIComponent(users[1]?.email ?? '')}`,
    );
    expect(byEmail.items.map((u) => u.id)).toEqual([users[1]?.id]);
  });

  it('includes the seed admin', async () => {
    const page = await admin.get<Page<UserView>>('/admin/api/users?q=admin@example.com');
    expect(page.items.some((u) => u.username === 'admin' && u.role === 'admin')).toBe(true);
  });
});

describe('Admin API: /admin/api/users/{id}', () => {
  it('GET answers the user; 404 not_found for an unknown id', async () => {
    const user = await createTestUser(admin);
    expect(await admin.get<UserView>(`/admin/api/users/${user.id}`)).toMatchObject({
      id: user.id,
      username: user.username,
      email: user.email,
      role: 'user',
      enabled: true,
    });
    await expectOAuthError(await admin.call('GET', '/admin/api/users/nobody'), 404, 'not_found');
    await expectOAuthError(
      await admin.call('PUT', '/admin/api/users/nobody', { name: 'x' }),
      404,
      'not_found',
    );
    await expectOAuthError(await admin.call('DELETE', '/admin/api/users/nobody'), 404, 'not_found');
    await expectOAuthError(
      await admin.call('POST', '/admin/api/users/nobody/password', { password: 'a fine passphrase' }),
      404,
      'not_found',
    );
  });

  it('PUT changes only the fields sent: role, name, email (unverified unless said), email_verified, username', async () => {
    const user = await createTestUser(admin, { email_verified: true });
    const path = `/admin/api/users/${user.id}`;
    expect(await admin.put<UserView>(path, { role: 'admin', name: 'Renamed' })).toMatchObject({
      role: 'admin',
      name: 'Renamed',
      email: user.email,
      email_verified: true,
    });
    expect(await admin.put<UserView>(path, { email: 'New@Example.com' })).toMatchObject({
      email: 'New@Example.com',
      email_verified: false,
    });
    expect(await admin.put<UserView>(path, { email_verified: true })).toMatchObject({ email_verified: true });
    expect(await admin.put<UserView>(path, { email: null })).toMatchObject({
      email: null,
      email_verified: false,
    });
    const renamed = unique('Renamed');
    expect(await admin.put<UserView>(path, { username: renamed })).toMatchObject({
      username: renamed.toLowerCase(),
    });
    expect(await signInStatus({ username: renamed, password: user.password })).toBe(303);
  });

  it.each([
    [{ role: 'root' }, /role/],
    [{ enabled: 'no' }, /enabled/],
    [{ email: 'not-an-email' }, /email/],
    [{ name: '' }, /name/],
    [{ username: 'has space' }, /username/],
    [{ password: 'short' }, /password/],
    [{ password: 'password123' }, /password.*common/],
    [{ nickname: 'x' }, /unknown field nickname/],
  ])('PUT answers 400 invalid_request naming the field for %j', async (body, field) => {
    const user = await createTestUser(admin);
    const error = await expectOAuthError(
      await admin.call('PUT', `/admin/api/users/${user.id}`, body),
      400,
      'invalid_request',
    );
    expect(error.error_description).toMatch(field);
  });

  it('PUT answers 409 for a username taken by another user', async () => {
    const a = await createTestUser(admin);
    const b = await createTestUser(admin);
    await expectOAuthError(
      await admin.call('PUT', `/admin/api/users/${a.id}`, { username: b.username.toUpperCase() }),
      409,
      'invalid_request',
    );
  });

  it('a refused PUT changes nothing: no new password, sessions kept, no audit entry (one atomic change)', async () => {
    const a = await createTestUser(admin);
    const b = await createTestUser(admin);
    const browser = await signedIn(a);
    await expectOAuthError(
      await admin.call('PUT', `/admin/api/users/${a.id}`, {
        username: b.username.toUpperCase(),
        password: 'never stored passphrase',
      }),
      409,
      'invalid_request',
    );
    expect(await stillSignedIn(browser)).toBe(true);
    expect(await signInStatus({ username: a.username, password: 'never stored passphrase' })).toBe(401);
    expect(await signInStatus(a)).toBe(303);
    const audited = await findListed<{ action: string; target_id: string | null }>(
      admin,
      '/admin/api/audit',
      (entry) => entry.target_id === a.id && entry.action === 'user.update',
    );
    expect(audited).toEqual([]);
  });

  it('disabling ends the user’s sessions at once and refuses sign-in; enabling lets them sign in again', async () => {
    const user = await createTestUser(admin);
    const browser = await signedIn(user);
    expect(await stillSignedIn(browser)).toBe(true);
    expect(await admin.put<UserView>(`/admin/api/users/${user.id}`, { enabled: false })).toMatchObject({
      enabled: false,
    });
    expect(await stillSignedIn(browser)).toBe(false);
    expect(await signInStatus(user)).toBe(401);
    await admin.put(`/admin/api/users/${user.id}`, { enabled: true });
    expect(await signInStatus(user)).toBe(303);
  });

  it('POST /password sets a new password and ends every session; the old password stops working', async () => {
    const user = await createTestUser(admin);
    const browser = await signedIn(user);
    const res = await admin.call('POST', `/admin/api/users/${user.id}/password`, {
      password: 'brand new passphrase',
    });
    expect((await json<UserView>(res, 200)).id).toBe(user.id);
    expect(await stillSignedIn(browser)).toBe(false);
    expect(await signInStatus(user)).toBe(401);
    expect(await signInStatus({ username: user.username, password: 'brand new passphrase' })).toBe(303);
    const weak = await admin.call('POST', `/admin/api/users/${user.id}/password`, { password: 'changeme' });
    expect((await expectOAuthError(weak, 400, 'invalid_request')).error_description).toMatch(/password/);
    const missing = await admin.call('POST', `/admin/api/users/${user.id}/password`, {});
    expect((await expectOAuthError(missing, 400, 'invalid_request')).error_description).toMatch(/password/);
  });

  it('PUT {password} resets the password too, and ends sessions', async () => {
    const user = await createTestUser(admin);
    const browser = await signedIn(user);
    await admin.put(`/admin/api/users/${user.id}`, { password: 'put passphrase 42' });
    expect(await stillSignedIn(browser)).toBe(false);
    expect(await signInStatus({ username: user.username, password: 'put passphrase 42' })).toBe(303);
  });

  it('DELETE removes the user (204) and ends their sessions at once', async () => {
    const user = await createTestUser(admin);
    const browser = await signedIn(user);
    expect((await admin.call('DELETE', `/admin/api/users/${user.id}`)).status).toBe(204);
    expect(await stillSignedIn(browser)).toBe(false);
    await expectOAuthError(await admin.call('GET', `/admin/api/users/${user.id}`), 404, 'not_found');
    expect(await signInStatus(user)).toBe(401);
  });

  it('refuses an administrator disabling, demoting or deleting their own account', async () => {
    const self = await createTestUser(admin, { role: 'admin' });
    const browser = await signedIn(self);
    const { csrf_token: csrf } = await json<{ csrf_token: string }>(await browser.get('/admin/api/me'), 200);
    const headers = { 'X-CSRF-Token': csrf };
    const path = `/admin/api/users/${self.id}`;
    for (const [body, field] of [
      [{ enabled: false }, /enabled/],
      [{ role: 'user' }, /role/],
    ] as const) {
      const error = await expectOAuthError(
        await browserJson(browser, 'PUT', path, body, headers),
        400,
        'invalid_request',
      );
      expect(error.error_description).toMatch(field);
    }
    await expectOAuthError(
      await browserJson(browser, 'DELETE', path, undefined, headers),
      400,
      'invalid_request',
    );
    const renamed = await json<UserView>(
      await browserJson(browser, 'PUT', path, { name: 'Still me' }, headers),
      200,
    );
    expect(renamed.name).toBe('Still me');
    // Another administrator may.
    const other = await adminSession();
    const demoted = await browserJson(
      other.browser,
      'PUT',
      path,
      { role: 'user' },
      { 'X-CSRF-Token': other.csrf },
    );
    expect((await json<UserView>(demoted, 200)).role).toBe('user');
  });
});
