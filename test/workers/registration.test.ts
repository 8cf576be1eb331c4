import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/storage';
import { createApp } from '../../worker/app';
import { ADMIN_ID, adminToken, basic, expectOAuthError, ORIGIN, post, postJson, postWith } from './helpers';

interface ClientInformation {
  client_id: string;
  client_secret?: string;
  client_id_issued_at: number;
  client_secret_expires_at?: number;
  registration_access_token: string;
  registration_client_uri: string;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: string;
  scope: string;
  client_name?: string;
  [field: string]: unknown;
}

const MACHINE_CLIENT = { grant_types: ['client_credentials'], client_name: 'Machine client' };
const WEB_CLIENT = { redirect_uris: ['https://app.example.com/callback'], client_name: 'Web app' };

let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

function register(metadata: unknown, token: string | null = admin) {
  return postJson('/connect/register', metadata, token === null ? {} : { Authorization: `Bearer ${token}` });
}

async function registered(metadata: unknown): Promise<ClientInformation> {
  const res = await register(metadata);
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return JSON.parse(text) as ClientInformation;
}

function clientCredentials(clientId: string, secret: string) {
  return post(
    '/oauth/token',
    { grant_type: 'client_credentials' },
    { Authorization: basic(clientId, secret) },
  );
}

function manage(
  client: ClientInformation,
  method: string,
  body?: unknown,
  token = client.registration_access_token,
) {
  return SELF.fetch(`${ORIGIN}/connect/register/${client.client_id}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('Dynamic Client Registration (RFC 7591)', () => {
  it('registers a confidential client with an admin initial access token', async () => {
    const res = await register(MACHINE_CLIENT);
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as ClientInformation;
    expect(body.client_id).toMatch(/^client_[A-Za-z0-9_-]{22}$/);
    expect(body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.client_secret_expires_at).toBe(0);
    expect(body.client_id_issued_at).toBeGreaterThan(0);
    expect(body.registration_access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.registration_client_uri).toBe(`${ORIGIN}/connect/register/${body.client_id}`);
    expect(body).toMatchObject({
      client_name: 'Machine client',
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile email offline_access read write',
      redirect_uris: [],
    });
  });

  it('lets the new client get a client_credentials token at once (client_secret_basic)', async () => {
    const client = await registered({ ...MACHINE_CLIENT, scope: 'read write' });
    const res = await clientCredentials(client.client_id, client.client_secret as string);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { scope: string }).scope).toBe('read write');
  });

  it('lets a client_secret_post client authenticate in the body', async () => {
    const client = await registered({ ...MACHINE_CLIENT, token_endpoint_auth_method: 'client_secret_post' });
    const res = await post('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: client.client_id,
      client_secret: client.client_secret as string,
    });
    expect(res.status).toBe(200);
  });

  it('applies the defaults: authorization_code, code, client_secret_basic, every non-privileged scope', async () => {
    const client = await registered(WEB_CLIENT);
    expect(client).toMatchObject({
      redirect_uris: WEB_CLIENT.redirect_uris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile email offline_access read write',
    });
    expect(typeof client.client_secret).toBe('string');
  });

  it('issues no secret to a public client', async () => {
    const client = await registered({ ...WEB_CLIENT, token_endpoint_auth_method: 'none' });
    expect(client.client_secret).toBeUndefined();
    expect(client.client_secret_expires_at).toBeUndefined();
    expect(client.token_endpoint_auth_method).toBe('none');
  });

  it('returns the optional metadata and ignores unknown fields (§2)', async () => {
    const client = await registered({
      ...WEB_CLIENT,
      grant_types: ['authorization_code', 'refresh_token'],
      client_uri: 'https://app.example.com',
      logo_uri: 'https://app.example.com/logo.png',
      policy_uri: 'https://app.example.com/privacy',
      tos_uri: 'https://app.example.com/tos',
      jwks_uri: 'https://app.example.com/jwks.json',
      contacts: ['ops@example.com'],
      software_id: 'app',
      software_version: '1.0',
      favourite_colour: 'green',
    });
    expect(client).toMatchObject({
      grant_types: ['authorization_code', 'refresh_token'],
      client_uri: 'https://app.example.com',
      contacts: ['ops@example.com'],
      jwks_uri: 'https://app.example.com/jwks.json',
      software_version: '1.0',
    });
    expect(client.favourite_colour).toBeUndefined();
  });

  it.each([
    ['loopback IPv4', 'http://127.0.0.1:8080/callback'],
    ['loopback IPv6', 'http://[::1]/callback'],
    ['localhost', 'http://localhost:3000/callback'],
    ['a reverse-domain private-use scheme (RFC 8252 §7.1)', 'com.example.app:/oauth2redirect'],
  ])('accepts a redirect URI on %s', async (_, uri) => {
    const client = await registered({ redirect_uris: [uri] });
    expect(client.redirect_uris).toEqual([uri]);
  });

  it('appends a client.register audit entry naming the admin client', async () => {
    const client = await registered(MACHINE_CLIENT);
    const page = await createStorage(env).auditLog.list({ limit: 100 });
    const entry = page.items.find((item) => item.targetId === client.client_id);
    expect(entry).toMatchObject({ action: 'client.register', actorId: ADMIN_ID, targetKind: 'client' });
  });

  describe('initial access token', () => {
    it('answers 401 with a Bearer challenge when no token is sent and registration is not open', async () => {
      const res = await register(MACHINE_CLIENT, null);
      await expectOAuthError(res, 401, 'invalid_token');
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="oauth2"');
    });

    it('answers 403 insufficient_scope for a token without scope admin', async () => {
      const res = await register(MACHINE_CLIENT, await adminToken('read'));
      await expectOAuthError(res, 403, 'insufficient_scope');
      expect(res.headers.get('www-authenticate')).toContain('scope="admin"');
    });

    it('answers 401 invalid_token for a garbage token', async () => {
      const res = await register(MACHINE_CLIENT, 'not-a-real-token');
      await expectOAuthError(res, 401, 'invalid_token');
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });

    it('answers 401 invalid_token for malformed Bearer credentials', async () => {
      const res = await postJson('/connect/register', MACHINE_CLIENT, { Authorization: 'Bearer a b' });
      await expectOAuthError(res, 401, 'invalid_token');
    });

    it('never grants scope admin, not even to an admin', async () => {
      const body = await expectOAuthError(
        await register({ ...MACHINE_CLIENT, scope: 'read admin' }),
        400,
        'invalid_client_metadata',
      );
      expect(body.error_description).toMatch(/^scope:/);
    });
  });

  describe('open registration (OAUTH2_DYNAMIC_REGISTRATION_ENABLED=true)', () => {
    const openEnv = { ...env, OAUTH2_DYNAMIC_REGISTRATION_ENABLED: 'true' };
    const anonymous = (metadata: unknown) =>
      createApp().request(
        `${ORIGIN}/connect/register`,
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(metadata) },
        openEnv,
      );

    it('registers a client without a token', async () => {
      const res = await anonymous(MACHINE_CLIENT);
      expect(res.status).toBe(201);
      const client = (await res.json()) as ClientInformation;
      const token = await clientCredentials(client.client_id, client.client_secret as string);
      expect(token.status).toBe(200);
      const page = await createStorage(env).auditLog.list({ limit: 100 });
      expect(page.items.find((item) => item.targetId === client.client_id)?.actorId).toBe('anonymous');
    });

    it('refuses scope admin', async () => {
      const res = await anonymous({ ...MACHINE_CLIENT, scope: 'admin' });
      await expectOAuthError(res, 400, 'invalid_client_metadata');
    });
  });

  describe('metadata validation (§3.2.2)', () => {
    it.each([
      ['a relative URI', { redirect_uris: ['/callback'] }],
      ['a fragment', { redirect_uris: ['https://app.example.com/cb#frag'] }],
      ['http on a non-loopback host', { redirect_uris: ['http://app.example.com/cb'] }],
      ['userinfo', { redirect_uris: ['https://user:pw@app.example.com/cb'] }],
      ['a private-use scheme without a dot', { redirect_uris: ['myapp:/cb'] }],
      ['a javascript: URI', { redirect_uris: ['javascript:alert(1)'] }],
      ['a wildcard host', { redirect_uris: ['https://*.example.com/cb'] }],
      ['a space', { redirect_uris: ['https://app.example.com/c b'] }],
      ['no redirect URI for authorization_code', { grant_types: ['authorization_code'] }],
      [
        'more than 20 redirect URIs',
        { redirect_uris: Array.from({ length: 21 }, (_, i) => `https://a.example/${i}`) },
      ],
      ['an overlong redirect URI', { redirect_uris: [`https://a.example/${'x'.repeat(2000)}`] }],
      ['a redirect URI that is not a string', { redirect_uris: [42] }],
    ])('answers invalid_redirect_uri for %s', async (_, metadata) => {
      const body = await expectOAuthError(await register(metadata), 400, 'invalid_redirect_uri');
      expect(body.error_description).toMatch(/^redirect_uris/);
    });

    it.each([
      ['an unknown grant type', { grant_types: ['password'] }, 'grant_types'],
      [
        'refresh_token without authorization_code',
        { grant_types: ['client_credentials', 'refresh_token'] },
        'grant_types',
      ],
      ['an unknown response type', { ...WEB_CLIENT, response_types: ['token'] }, 'response_types'],
      [
        'response type code without authorization_code',
        { grant_types: ['client_credentials'], response_types: ['code'] },
        'response_types',
      ],
      [
        'a public client with client_credentials',
        { ...MACHINE_CLIENT, token_endpoint_auth_method: 'none' },
        'token_endpoint_auth_method',
      ],
      [
        'an unknown auth method',
        { ...MACHINE_CLIENT, token_endpoint_auth_method: 'tls_client_auth' },
        'token_endpoint_auth_method',
      ],
      ['an unsupported scope', { ...MACHINE_CLIENT, scope: 'read launch-missiles' }, 'scope'],
      ['a scope with forbidden characters', { ...MACHINE_CLIENT, scope: 'read "quoted"' }, 'scope'],
      ['a scope that is not a string', { ...MACHINE_CLIENT, scope: ['read'] }, 'scope'],
      ['an http client_uri', { ...MACHINE_CLIENT, client_uri: 'http://app.example.com' }, 'client_uri'],
      ['a relative logo_uri', { ...MACHINE_CLIENT, logo_uri: '/logo.png' }, 'logo_uri'],
      ['an http jwks_uri', { ...MACHINE_CLIENT, jwks_uri: 'http://app.example.com/jwks' }, 'jwks_uri'],
      ['contacts that are not an array', { ...MACHINE_CLIENT, contacts: 'ops@example.com' }, 'contacts'],
      ['an overlong client_name', { ...MACHINE_CLIENT, client_name: 'x'.repeat(501) }, 'client_name'],
    ])('answers invalid_client_metadata for %s', async (_, metadata, field) => {
      const body = await expectOAuthError(await register(metadata), 400, 'invalid_client_metadata');
      expect(body.error_description.startsWith(field)).toBe(true);
    });

    it('answers invalid_request for a body that is not JSON', async () => {
      const res = await SELF.fetch(`${ORIGIN}/connect/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${admin}` },
        body: '{"client_name": ',
      });
      await expectOAuthError(res, 400, 'invalid_request');
    });

    it('answers invalid_request for a JSON array', async () => {
      await expectOAuthError(await register([MACHINE_CLIENT]), 400, 'invalid_request');
    });

    it('answers invalid_request for a form-encoded body', async () => {
      const res = await post('/connect/register', { client_name: 'x' }, { Authorization: `Bearer ${admin}` });
      await expectOAuthError(res, 400, 'invalid_request');
    });

    it('answers 413 for a body over 64 KiB', async () => {
      const res = await register({ ...MACHINE_CLIENT, padding: 'x'.repeat(70 * 1024) });
      await expectOAuthError(res, 413, 'invalid_request');
    });
  });

  it('answers 405 with Allow: POST for other methods', async () => {
    const res = await SELF.fetch(`${ORIGIN}/connect/register`);
    await expectOAuthError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('documents the registration routes in the OpenAPI document', async () => {
    const doc = (await (await SELF.fetch(`${ORIGIN}/api-docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/connect/register'] ?? {})).toEqual(['post']);
    expect(Object.keys(doc.paths['/connect/register/{client_id}'] ?? {}).sort()).toEqual([
      'delete',
      'get',
      'put',
    ]);
  });
});

describe('Dynamic Client Registration Management (RFC 7592)', () => {
  describe('authentication with the registration access token', () => {
    it('answers 401 invalid_token for a wrong token', async () => {
      const client = await registered(MACHINE_CLIENT);
      const res = await manage(client, 'GET', undefined, 'wrong-token');
      await expectOAuthError(res, 401, 'invalid_token');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    });

    it('answers 401 without a token', async () => {
      const client = await registered(MACHINE_CLIENT);
      const res = await SELF.fetch(client.registration_client_uri);
      await expectOAuthError(res, 401, 'invalid_token');
    });

    it("answers 401 for another client's token", async () => {
      const [one, two] = [await registered(MACHINE_CLIENT), await registered(MACHINE_CLIENT)];
      await expectOAuthError(
        await manage(one, 'GET', undefined, two.registration_access_token),
        401,
        'invalid_token',
      );
    });

    it('answers the same 401 for an unknown client', async () => {
      const client = await registered(MACHINE_CLIENT);
      const res = await manage({ ...client, client_id: 'client_doesnotexist0000000' }, 'GET');
      await expectOAuthError(res, 401, 'invalid_token');
    });

    it('refuses an admin access token and never manages the bootstrap admin client', async () => {
      const res = await SELF.fetch(`${ORIGIN}/connect/register/${ADMIN_ID}`, {
        headers: { Authorization: `Bearer ${admin}` },
      });
      await expectOAuthError(res, 401, 'invalid_token');
    });

    it('accepts the scheme name in any case', async () => {
      const client = await registered(MACHINE_CLIENT);
      const res = await SELF.fetch(client.registration_client_uri, {
        headers: { Authorization: `bEaReR ${client.registration_access_token}` },
      });
      expect(res.status).toBe(200);
    });
  });

  describe('read (§2.1)', () => {
    it('returns the current metadata without the secret', async () => {
      const client = await registered({ ...MACHINE_CLIENT, scope: 'write' });
      const res = await manage(client, 'GET');
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const { client_secret, ...expected } = client;
      expect(client_secret).toBeDefined();
      expect(await res.json()).toEqual(expected);
    });
  });

  describe('update (§2.2)', () => {
    it('replaces the metadata and resets omitted fields to their defaults', async () => {
      const client = await registered({ ...MACHINE_CLIENT, scope: 'write', client_uri: 'https://a.example' });
      const res = await manage(client, 'PUT', {
        client_id: client.client_id,
        grant_types: ['client_credentials', 'authorization_code'],
        redirect_uris: ['https://a.example/cb'],
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as ClientInformation;
      expect(body).toMatchObject({
        client_id: client.client_id,
        grant_types: ['client_credentials', 'authorization_code'],
        response_types: ['code'],
        redirect_uris: ['https://a.example/cb'],
        scope: 'openid profile email offline_access read write',
        registration_access_token: client.registration_access_token,
      });
      expect(body.client_name).toBeUndefined();
      expect(body.client_uri).toBeUndefined();
      expect(body.client_secret).toBeUndefined();

      const read = (await (await manage(client, 'GET')).json()) as ClientInformation;
      expect(read.scope).toBe('openid profile email offline_access read write');
      const token = await clientCredentials(client.client_id, client.client_secret as string);
      expect(((await token.json()) as { scope: string }).scope).toBe('read write');
    });

    it('accepts the current client_secret in the body', async () => {
      const client = await registered(MACHINE_CLIENT);
      const res = await manage(client, 'PUT', {
        ...MACHINE_CLIENT,
        client_id: client.client_id,
        client_secret: client.client_secret,
      });
      expect(res.status).toBe(200);
    });

    it('answers invalid_client_metadata for a different client_secret', async () => {
      const client = await registered(MACHINE_CLIENT);
      const res = await manage(client, 'PUT', {
        ...MACHINE_CLIENT,
        client_id: client.client_id,
        client_secret: 'chosen-by-me',
      });
      const body = await expectOAuthError(res, 400, 'invalid_client_metadata');
      expect(body.error_description).toMatch(/^client_secret/);
    });

    it('answers 400 for a client_id that does not match the path', async () => {
      const [client, other] = [await registered(MACHINE_CLIENT), await registered(MACHINE_CLIENT)];
      const res = await manage(client, 'PUT', { ...MACHINE_CLIENT, client_id: other.client_id });
      const body = await expectOAuthError(res, 400, 'invalid_request');
      expect(body.error_description).toMatch(/^client_id/);
    });

    it('answers 400 without client_id', async () => {
      const client = await registered(MACHINE_CLIENT);
      await expectOAuthError(await manage(client, 'PUT', MACHINE_CLIENT), 400, 'invalid_request');
    });

    it('answers 400 when a server-assigned field is sent back', async () => {
      const client = await registered(MACHINE_CLIENT);
      const { client_secret: _, ...readBack } = client;
      const body = await expectOAuthError(await manage(client, 'PUT', readBack), 400, 'invalid_request');
      expect(body.error_description).toMatch(/^registration_access_token/);
    });

    it('validates like a registration: scope admin is refused', async () => {
      const client = await registered(MACHINE_CLIENT);
      const res = await manage(client, 'PUT', {
        ...MACHINE_CLIENT,
        client_id: client.client_id,
        scope: 'admin',
      });
      await expectOAuthError(res, 400, 'invalid_client_metadata');
    });

    it('validates redirect URIs like a registration', async () => {
      const client = await registered(WEB_CLIENT);
      const res = await manage(client, 'PUT', {
        client_id: client.client_id,
        redirect_uris: ['http://evil.example/cb'],
      });
      await expectOAuthError(res, 400, 'invalid_redirect_uri');
    });

    it('refuses to turn a confidential client into a public one', async () => {
      const client = await registered(WEB_CLIENT);
      const res = await manage(client, 'PUT', {
        ...WEB_CLIENT,
        client_id: client.client_id,
        token_endpoint_auth_method: 'none',
      });
      await expectOAuthError(res, 400, 'invalid_client_metadata');
    });

    it('answers invalid_request for a body that is not a JSON object', async () => {
      const client = await registered(MACHINE_CLIENT);
      await expectOAuthError(await manage(client, 'PUT', [client.client_id]), 400, 'invalid_request');
    });
  });

  describe('delete (§2.3)', () => {
    it('invalidates the tokens the deleted client already holds', async () => {
      const client = await registered(MACHINE_CLIENT);
      const res = await clientCredentials(client.client_id, client.client_secret as string);
      const { access_token } = (await res.json()) as { access_token: string };
      // Public introspection: the answer depends on the token alone, not on who asks.
      const introspect = async () => {
        const answer = await postWith({ OAUTH2_PUBLIC_INTROSPECTION: 'true' })('/oauth/introspect', {
          token: access_token,
        });
        return ((await answer.json()) as { active: boolean }).active;
      };
      expect(await introspect()).toBe(true);
      expect((await manage(client, 'DELETE')).status).toBe(204);
      expect(await introspect()).toBe(false);
    });

    it('deletes the client: 204, then its secret and registration access token stop working', async () => {
      const client = await registered(MACHINE_CLIENT);
      expect((await clientCredentials(client.client_id, client.client_secret as string)).status).toBe(200);

      const res = await manage(client, 'DELETE');
      expect(res.status).toBe(204);

      await expectOAuthError(
        await clientCredentials(client.client_id, client.client_secret as string),
        401,
        'invalid_client',
      );
      await expectOAuthError(await manage(client, 'GET'), 401, 'invalid_token');
      await expectOAuthError(await manage(client, 'DELETE'), 401, 'invalid_token');

      const page = await createStorage(env).auditLog.list({ limit: 100 });
      const actions = page.items
        .filter((item) => item.targetId === client.client_id)
        .map((item) => item.action);
      expect(actions.sort()).toEqual(['client.delete', 'client.register']);
    });
  });

  it('answers 405 for POST on a client configuration endpoint', async () => {
    const client = await registered(MACHINE_CLIENT);
    const res = await manage(client, 'POST', {});
    await expectOAuthError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('GET, PUT, DELETE');
  });
});
