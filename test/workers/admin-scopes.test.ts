/**
 * Scopes and APIs defined through the admin API (/admin/api/scopes, /admin/api/resources): CRUD,
 * validation, read-only built-in and configured entries, 409 for a scope still held, and the registry
 * they join: registration, client_credentials, introspection and the audience of an API (RFC 8707).
 */
import { describe, expect, it } from 'vitest';
import {
  AdminApi,
  clientCredentials,
  configuredFetch,
  createServiceClient,
  json,
  type TestClient,
  unique,
} from './admin-helpers';
import { basic, expectOAuthError, post } from './helpers';

interface ScopeView {
  name: string;
  description: string;
  advertise: boolean;
  resource: string | null;
  source: string;
  read_only: boolean;
}

interface ResourceView {
  id: string;
  identifier: string;
  name: string | null;
  scopes: string[];
  access_token_format: string | null;
  access_token_ttl_secs: number | null;
  source: string;
  read_only: boolean;
}

const scopeName = () => `${unique('orders')}:read`;

function decodeJwt(token: string): Record<string, unknown> {
  const part = (token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(part)) as Record<string, unknown>;
}

async function introspect(client: TestClient, token: string) {
  const res = await post(
    '/oauth/introspect',
    { token },
    { Authorization: basic(client.client_id, client.client_secret ?? '') },
  );
  return json<Record<string, unknown>>(res, 200);
}

describe('Admin API: scopes', () => {
  it('creates, reads, lists, replaces and deletes a scope', async () => {
    const admin = await AdminApi.create();
    const name = scopeName();
    const created = await admin.post<ScopeView>('/admin/api/scopes', {
      name,
      description: 'See your orders',
    });
    expect(created).toMatchObject({ name, description: 'See your orders', advertise: true, source: 'admin' });
    expect(created.read_only).toBe(false);
    expect(await admin.get<ScopeView>(`/admin/api/scopes/${encodeURIComponent(name)}`)).toMatchObject({
      name,
    });
    const listed = await admin.get<{ items: ScopeView[] }>('/admin/api/scopes?limit=200');
    expect(listed.items.find((item) => item.name === name)).toMatchObject({ source: 'admin' });
    expect(listed.items.find((item) => item.name === 'openid')).toMatchObject({
      source: 'built_in',
      read_only: true,
    });
    const replaced = await admin.put<ScopeView>(`/admin/api/scopes/${encodeURIComponent(name)}`, {
      description: 'Read orders',
      advertise: false,
    });
    expect(replaced).toMatchObject({ description: 'Read orders', advertise: false });
    const discovery = await json<{ scopes_supported: string[] }>(
      await admin.call('GET', '/.well-known/openid-configuration'),
      200,
    );
    expect(discovery.scopes_supported).not.toContain(name);
    expect((await admin.call('DELETE', `/admin/api/scopes/${encodeURIComponent(name)}`)).status).toBe(204);
    await expectOAuthError(
      await admin.call('GET', `/admin/api/scopes/${encodeURIComponent(name)}`),
      404,
      'not_found',
    );
  });

  it('refuses a malformed scope, naming the field', async () => {
    const admin = await AdminApi.create();
    const bad = await expectOAuthError(
      await admin.call('POST', '/admin/api/scopes', { name: 'has space', description: 'x' }),
      400,
      'invalid_request',
    );
    expect(bad.error_description).toContain('name');
    const missing = await expectOAuthError(
      await admin.call('POST', '/admin/api/scopes', { name: scopeName() }),
      400,
      'invalid_request',
    );
    expect(missing.error_description).toContain('description');
  });

  it('never defines a built-in scope, admin among them', async () => {
    const admin = await AdminApi.create();
    for (const name of ['admin', 'openid']) {
      const body = await expectOAuthError(
        await admin.call('POST', '/admin/api/scopes', { name, description: 'mine now' }),
        400,
        'invalid_request',
      );
      expect(body.error_description).toContain(name);
    }
    await expectOAuthError(
      await admin.call('PUT', '/admin/api/scopes/admin', { description: 'mine now' }),
      409,
      'invalid_request',
    );
    await expectOAuthError(await admin.call('DELETE', '/admin/api/scopes/admin'), 409, 'invalid_request');
  });

  it('lists configured scopes read-only and answers 409 to changing them', async () => {
    const admin = await AdminApi.create();
    const fetch = configuredFetch({ OAUTH2_SCOPES: 'x:y' });
    const headers = { Authorization: `Bearer ${admin.token}`, 'Content-Type': 'application/json' };
    const listed = await json<{ items: ScopeView[] }>(await fetch('/admin/api/scopes', { headers }), 200);
    expect(listed.items.find((item) => item.name === 'x:y')).toMatchObject({
      source: 'configuration',
      read_only: true,
    });
    const put = await fetch('/admin/api/scopes/x:y', {
      method: 'PUT',
      headers,
      body: JSON.stringify({ description: 'changed' }),
    });
    await expectOAuthError(put, 409, 'invalid_request');
    await expectOAuthError(
      await fetch('/admin/api/scopes/x:y', { method: 'DELETE', headers }),
      409,
      'invalid_request',
    );
    const create = await fetch('/admin/api/scopes', {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'x:y', description: 'again' }),
    });
    await expectOAuthError(create, 409, 'invalid_request');
  });

  it('answers 409 naming the clients that still hold a scope it is asked to delete', async () => {
    const admin = await AdminApi.create();
    const name = scopeName();
    await admin.post('/admin/api/scopes', { name, description: 'Held' });
    const client = await createServiceClient(admin, { scope: name });
    const body = await expectOAuthError(
      await admin.call('DELETE', `/admin/api/scopes/${encodeURIComponent(name)}`),
      409,
      'invalid_request',
    );
    expect(body.error_description).toContain(client.client_id);
  });

  it('records an audit entry for each change', async () => {
    const admin = await AdminApi.create();
    const name = scopeName();
    await admin.post('/admin/api/scopes', { name, description: 'Audited' });
    const audit = await admin.get<{
      items: { action: string; target_id?: string; target?: { id: string } }[];
    }>('/admin/api/audit?limit=200');
    expect(JSON.stringify(audit.items)).toContain(name);
  });
});

describe('Admin API: resources (RFC 8707 / RFC 9728)', () => {
  it('creates, reads, replaces and deletes an API, validating its fields', async () => {
    const admin = await AdminApi.create();
    const name = scopeName();
    await admin.post('/admin/api/scopes', { name, description: 'API scope' });
    const identifier = `https://api.example.com/${unique('api')}`;
    const created = await admin.post<ResourceView>('/admin/api/resources', {
      identifier,
      name: 'Orders',
      scopes: [name],
      access_token_format: 'opaque',
      access_token_ttl_secs: 600,
    });
    expect(created).toMatchObject({ identifier, scopes: [name], source: 'admin', read_only: false });
    expect(await admin.get(`/admin/api/resources/${created.id}`)).toMatchObject({ identifier });
    const replaced = await admin.put<ResourceView>(`/admin/api/resources/${created.id}`, {
      identifier,
      scopes: [name],
    });
    expect(replaced).toMatchObject({ name: null, access_token_format: null, access_token_ttl_secs: null });
    const held = await expectOAuthError(
      await admin.call('DELETE', `/admin/api/scopes/${encodeURIComponent(name)}`),
      409,
      'invalid_request',
    );
    expect(held.error_description).toContain(identifier);
    const bad = await expectOAuthError(
      await admin.call('POST', '/admin/api/resources', { identifier: 'https://x.example/#frag' }),
      400,
      'invalid_request',
    );
    expect(bad.error_description).toContain('identifier');
    const unknown = await expectOAuthError(
      await admin.call('POST', '/admin/api/resources', {
        identifier: `https://api.example.com/${unique('api')}`,
        scopes: ['never:defined'],
      }),
      400,
      'invalid_request',
    );
    expect(unknown.error_description).toContain('scopes[0]');
    expect((await admin.call('DELETE', `/admin/api/resources/${created.id}`)).status).toBe(204);
    await expectOAuthError(await admin.call('GET', `/admin/api/resources/${created.id}`), 404, 'not_found');
  });

  it('lists configured APIs read-only and answers 409 to changing them', async () => {
    const admin = await AdminApi.create();
    const identifier = 'https://billing.example.com';
    const fetch = configuredFetch({
      OAUTH2_PROTECTED_RESOURCES: JSON.stringify([{ resource: identifier, scopes: ['billing:read'] }]),
    });
    const headers = { Authorization: `Bearer ${admin.token}`, 'Content-Type': 'application/json' };
    const listed = await json<{ items: ResourceView[] }>(
      await fetch('/admin/api/resources', { headers }),
      200,
    );
    expect(listed.items.find((item) => item.identifier === identifier)).toMatchObject({
      source: 'configuration',
      read_only: true,
      scopes: ['billing:read'],
    });
    const path = `/admin/api/resources/${encodeURIComponent(identifier)}`;
    await expectOAuthError(await fetch(path, { method: 'DELETE', headers }), 409, 'invalid_request');
    const create = await fetch('/admin/api/resources', {
      method: 'POST',
      headers,
      body: JSON.stringify({ identifier }),
    });
    await expectOAuthError(create, 409, 'invalid_request');
  });
});

describe('Scopes and APIs from the admin API in the registry (RFC 6749 §3.3, RFC 8707)', () => {
  it('a scope created through the admin API is registered, issued by client_credentials and introspected', async () => {
    const admin = await AdminApi.create();
    const name = scopeName();
    const registeredBefore = await admin.call('POST', '/connect/register', {
      client_name: unique('svc'),
      grant_types: ['client_credentials'],
      scope: name,
    });
    await expectOAuthError(registeredBefore, 400, 'invalid_client_metadata');
    await admin.post('/admin/api/scopes', { name, description: 'See your orders' });
    const client = await admin.post<TestClient & { scope: string }>('/connect/register', {
      client_name: unique('svc'),
      grant_types: ['client_credentials'],
      scope: name,
    });
    expect(client.scope).toBe(name);
    const tokens = await json<{ access_token: string; scope: string }>(
      await clientCredentials(client, name),
      200,
    );
    expect(tokens.scope).toBe(name);
    expect(await introspect(client, tokens.access_token)).toMatchObject({ active: true, scope: name });
  });

  it('an API created through the admin API is the audience of tokens for its scopes', async () => {
    const admin = await AdminApi.create();
    const name = scopeName();
    await admin.post('/admin/api/scopes', { name, description: 'API scope' });
    const identifier = `https://api.example.com/${unique('api')}`;
    await admin.post('/admin/api/resources', { identifier, scopes: [name], access_token_format: 'jwt' });
    const client = await createServiceClient(admin, { scope: name });
    const tokens = await json<{ access_token: string; scope: string }>(
      await clientCredentials(client, name),
      200,
    );
    expect(decodeJwt(tokens.access_token).aud).toEqual(identifier);
    expect(await introspect(client, tokens.access_token)).toMatchObject({ active: true, scope: name });
  });
});
