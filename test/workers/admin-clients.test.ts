/** Admin API: clients (list and search, create, read, update, delete, secret rotation). */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdminApi,
  clientCredentials,
  createServiceClient,
  json,
  type TestClient,
  unique,
} from './admin-helpers';
import { ADMIN_ID, expectOAuthError } from './helpers';

interface ClientView {
  client_id: string;
  client_name: string | null;
  client_type: 'confidential' | 'public';
  token_endpoint_auth_method: string;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  scope: string;
  first_party: boolean;
  enabled: boolean;
  bootstrap: boolean;
  client_secret?: string;
  client_uri?: string;
  [field: string]: unknown;
}

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

let admin: AdminApi;
beforeAll(async () => {
  admin = await AdminApi.create();
});

async function tokenStatus(client: TestClient): Promise<number> {
  return (await clientCredentials(client)).status;
}

/** An admin-scoped access token of `client`. */
async function accessToken(client: TestClient): Promise<string> {
  return (await json<{ access_token: string }>(await clientCredentials(client, 'admin'), 200)).access_token;
}

/** Whether a protected resource (the admin API) accepts the token. */
async function tokenWorks(token: string): Promise<boolean> {
  const status = (await new AdminApi(token).call('GET', '/admin/api/me')).status;
  expect([200, 401]).toContain(status);
  return status === 200;
}

describe('Admin API: POST /admin/api/clients', () => {
  it('creates a confidential client (201) whose secret is shown once and works', async () => {
    const client = await admin.post<ClientView>('/admin/api/clients', {
      client_name: 'Billing service',
      grant_types: ['client_credentials'],
      scope: 'read',
      client_uri: 'https://billing.example.com',
      unknown_field: 'ignored (RFC 7591 §2)',
    });
    expect(client).toMatchObject({
      client_id: expect.stringMatching(/^client_/),
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      client_name: 'Billing service',
      client_type: 'confidential',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      scope: 'read',
      first_party: false,
      enabled: true,
      bootstrap: false,
      dynamically_registered: false,
      client_uri: 'https://billing.example.com',
    });
    expect(client).not.toHaveProperty('unknown_field');
    expect(await tokenStatus(client)).toBe(200);
    const read = await admin.get<ClientView>(`/admin/api/clients/${client.client_id}`);
    expect(read).not.toHaveProperty('client_secret');
    expect(JSON.stringify(read)).not.toContain(client.client_secret);
    const { client_secret: _, ...rest } = client;
    expect(read).toEqual(rest);
  });

  it('creates a public client without a secret, and honours first_party and enabled', async () => {
    const client = await admin.post<ClientView>('/admin/api/clients', {
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'none',
      first_party: true,
      enabled: false,
    });
    expect(client).not.toHaveProperty('client_secret');
    expect(client).toMatchObject({
      client_type: 'public',
      first_party: true,
      enabled: false,
      grant_types: ['authorization_code'],
    });
  });

  it('may grant scope admin: such a client administers with its own token', async () => {
    const ops = await createServiceClient(admin, { scope: 'admin read' });
    const res = await clientCredentials(ops, 'admin');
    const { access_token: token } = await json<{ access_token: string }>(res, 200);
    const me = await json(await new AdminApi(token).call('GET', '/admin/api/me'), 200);
    expect(me).toMatchObject({ actor_id: ops.client_id, actor_type: 'client' });
  });

  it.each([
    [{ redirect_uris: ['not a uri'] }, /redirect_uris\[0\]/],
    [{ grant_types: ['password'] }, /grant_types/],
    [{ grant_types: ['authorization_code'] }, /redirect_uris/],
    [
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' },
      /token_endpoint_auth_method/,
    ],
    [{ grant_types: ['client_credentials'], scope: 'read nonsense' }, /scope/],
    [{ grant_types: ['client_credentials'], client_uri: 'http://insecure.example.com' }, /client_uri/],
    [{ grant_types: ['client_credentials'], first_party: 'yes' }, /first_party/],
    [{ grant_types: ['client_credentials'], enabled: 1 }, /enabled/],
  ])('answers 400 invalid_request naming the field for %j', async (body, field) => {
    const error = await expectOAuthError(
      await admin.call('POST', '/admin/api/clients', body),
      400,
      'invalid_request',
    );
    expect(error.error_description).toMatch(field);
  });

  it('answers 400 for a body that is not a JSON object', async () => {
    await expectOAuthError(await admin.call('POST', '/admin/api/clients', [1]), 400, 'invalid_request');
  });
});

describe('Admin API: GET /admin/api/clients', () => {
  it('pages newest first by cursor and by offset, searching client_id and client_name with q', async () => {
    const tag = unique('search');
    const created: string[] = [];
    for (let i = 0; i < 3; i++)
      created.push((await createServiceClient(admin, { client_name: `${tag} #${i}` })).client_id);
    const all = await admin.get<Page<ClientView & { created_at: number }>>(
      `/admin/api/clients?q=${tag}&limit=200`,
    );
    const expected = all.items.map((c) => c.client_id);
    expect([...expected].sort()).toEqual([...created].sort());
    // Newest first, ties (same second) broken by client_id, descending.
    const keys = all.items.map((c) => [c.created_at, c.client_id] as const);
    expect([...keys].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1))).toEqual(keys);

    const first = await admin.get<Page<ClientView>>(`/admin/api/clients?q=${tag.toUpperCase()}&limit=2`);
    expect(first.items.map((c) => c.client_id)).toEqual(expected.slice(0, 2));
    expect(first.next_cursor).toEqual(expect.any(String));
    expect(first.items[0]).not.toHaveProperty('client_secret');
    const second = await admin.get<Page<ClientView>>(
      `/admin/api/clients?q=${tag}&limit=2&cursor=${encodeURIComponent(first.next_cursor ?? '')}`,
    );
    expect(second.items.map((c) => c.client_id)).toEqual(expected.slice(2));
    expect(second.next_cursor).toBeNull();

    const byOffset = await admin.get<Page<ClientView>>(`/admin/api/clients?q=${tag}&limit=2&offset=1`);
    expect(byOffset.items.map((c) => c.client_id)).toEqual(expected.slice(1));
    const byId = await admin.get<Page<ClientView>>(`/admin/api/clients?q=${created[1]}`);
    expect(byId.items.map((c) => c.client_id)).toEqual([created[1]]);
  });

  it.each([
    ['limit=0', /limit/],
    ['limit=201', /limit/],
    ['limit=ten', /limit/],
    ['offset=-1', /offset/],
    ['cursor=not-a-cursor', /cursor/],
    ['limit=1&limit=2', /repeated/],
  ])('answers 400 invalid_request naming the parameter for ?%s', async (query, field) => {
    const error = await expectOAuthError(
      await admin.call('GET', `/admin/api/clients?${query}`),
      400,
      'invalid_request',
    );
    expect(error.error_description).toMatch(field);
  });
});

describe('Admin API: /admin/api/clients/{client_id}', () => {
  it('answers the bootstrap admin client read-only: GET works, changes are 403', async () => {
    const bootstrap = await admin.get<ClientView>(`/admin/api/clients/${ADMIN_ID}`);
    expect(bootstrap).toMatchObject({ client_id: ADMIN_ID, bootstrap: true, scope: 'admin read write' });
    await expectOAuthError(
      await admin.call('PUT', `/admin/api/clients/${ADMIN_ID}`, { enabled: false }),
      403,
      'access_denied',
    );
    await expectOAuthError(
      await admin.call('DELETE', `/admin/api/clients/${ADMIN_ID}`),
      403,
      'access_denied',
    );
    await expectOAuthError(
      await admin.call('POST', `/admin/api/clients/${ADMIN_ID}/secret`),
      403,
      'access_denied',
    );
  });

  it('answers 404 not_found for an unknown client on every method', async () => {
    const path = '/admin/api/clients/client_unknown';
    await expectOAuthError(await admin.call('GET', path), 404, 'not_found');
    await expectOAuthError(await admin.call('PUT', path, { enabled: false }), 404, 'not_found');
    await expectOAuthError(await admin.call('DELETE', path), 404, 'not_found');
    await expectOAuthError(await admin.call('POST', `${path}/secret`), 404, 'not_found');
  });

  it('PUT merges: fields sent change, omitted fields stay, null returns a field to its default', async () => {
    const client = await admin.post<ClientView>('/admin/api/clients', {
      client_name: 'Before',
      redirect_uris: ['https://app.example.com/cb'],
      scope: 'openid read',
      client_uri: 'https://app.example.com',
    });
    const renamed = await admin.put<ClientView>(`/admin/api/clients/${client.client_id}`, {
      client_name: 'After',
      first_party: true,
    });
    expect(renamed).toMatchObject({
      client_name: 'After',
      first_party: true,
      redirect_uris: ['https://app.example.com/cb'],
      scope: 'openid read',
      client_uri: 'https://app.example.com',
    });
    expect(renamed).not.toHaveProperty('client_secret');
    const reset = await admin.put<ClientView>(`/admin/api/clients/${client.client_id}`, {
      client_uri: null,
      scope: null,
    });
    expect(reset).not.toHaveProperty('client_uri');
    expect(reset.scope).toContain('offline_access');
    const changedGrants = await admin.put<ClientView>(`/admin/api/clients/${client.client_id}`, {
      grant_types: ['client_credentials'],
    });
    expect(changedGrants).toMatchObject({ grant_types: ['client_credentials'], response_types: [] });
  });

  it('PUT validates like POST and checks the client_id it may carry', async () => {
    const client = await createServiceClient(admin);
    const path = `/admin/api/clients/${client.client_id}`;
    let error = await expectOAuthError(
      await admin.call('PUT', path, { redirect_uris: ['nope'] }),
      400,
      'invalid_request',
    );
    expect(error.error_description).toMatch(/redirect_uris\[0\]/);
    error = await expectOAuthError(
      await admin.call('PUT', path, { client_id: 'other' }),
      400,
      'invalid_request',
    );
    expect(error.error_description).toMatch(/client_id/);
    error = await expectOAuthError(
      await admin.call('PUT', path, { client_secret: 'mine' }),
      400,
      'invalid_request',
    );
    expect(error.error_description).toMatch(/client_secret/);
    error = await expectOAuthError(await admin.call('PUT', path, { enabled: 'no' }), 400, 'invalid_request');
    expect(error.error_description).toMatch(/enabled/);
  });

  it('PUT enabled: false refuses the client at once (invalid_client) and makes its tokens inactive; true restores', async () => {
    const client = await createServiceClient(admin, { scope: 'admin read' });
    const token = await accessToken(client);
    expect(await tokenWorks(token)).toBe(true);
    await admin.put(`/admin/api/clients/${client.client_id}`, { enabled: false });
    await expectOAuthError(await clientCredentials(client), 401, 'invalid_client');
    expect(await tokenWorks(token)).toBe(false);
    await admin.put(`/admin/api/clients/${client.client_id}`, { enabled: true });
    expect(await tokenStatus(client)).toBe(200);
    expect(await tokenWorks(token)).toBe(true);
  });

  it('PUT switching to a public client drops the secret; back to confidential issues a new one, once', async () => {
    const client = await admin.post<ClientView>('/admin/api/clients', {
      redirect_uris: ['https://app.example.com/cb'],
    });
    const path = `/admin/api/clients/${client.client_id}`;
    const asPublic = await admin.put<ClientView>(path, { token_endpoint_auth_method: 'none' });
    expect(asPublic).toMatchObject({ client_type: 'public' });
    expect(asPublic).not.toHaveProperty('client_secret');
    const asConfidential = await admin.put<ClientView>(path, {
      token_endpoint_auth_method: 'client_secret_post',
    });
    expect(asConfidential.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asConfidential.client_secret).not.toBe(client.client_secret);
  });

  it('DELETE removes the client (204): its secret and tokens stop working, and it is gone', async () => {
    const client = await createServiceClient(admin, { scope: 'admin read' });
    const token = await accessToken(client);
    expect(await tokenWorks(token)).toBe(true);
    const res = await admin.call('DELETE', `/admin/api/clients/${client.client_id}`);
    expect(res.status).toBe(204);
    await expectOAuthError(await clientCredentials(client), 401, 'invalid_client');
    expect(await tokenWorks(token)).toBe(false);
    await expectOAuthError(
      await admin.call('GET', `/admin/api/clients/${client.client_id}`),
      404,
      'not_found',
    );
  });
});

describe('Admin API: POST /admin/api/clients/{client_id}/secret', () => {
  it('issues a new secret shown once; the old one stops working at once', async () => {
    const client = await createServiceClient(admin);
    const rotated = await admin.post<{
      client_id: string;
      client_secret: string;
      client_secret_expires_at: number;
    }>(`/admin/api/clients/${client.client_id}/secret`, undefined, 200);
    expect(rotated).toEqual({
      client_id: client.client_id,
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      client_secret_expires_at: 0,
    });
    expect(rotated.client_secret).not.toBe(client.client_secret);
    await expectOAuthError(await clientCredentials(client), 401, 'invalid_client');
    expect(await tokenStatus({ client_id: client.client_id, client_secret: rotated.client_secret })).toBe(
      200,
    );
    const read = await admin.get(`/admin/api/clients/${client.client_id}`);
    expect(JSON.stringify(read)).not.toContain(rotated.client_secret);
  });

  it('answers 400 for a public client, which has no secret', async () => {
    const client = await admin.post<ClientView>('/admin/api/clients', {
      redirect_uris: ['http://127.0.0.1/cb'],
      token_endpoint_auth_method: 'none',
    });
    const error = await expectOAuthError(
      await admin.call('POST', `/admin/api/clients/${client.client_id}/secret`),
      400,
      'invalid_request',
    );
    expect(error.error_description).toMatch(/public/);
  });
});
