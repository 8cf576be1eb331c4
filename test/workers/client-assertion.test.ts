/** RFC 7523 JWT client authentication: private_key_jwt (registered jwks / jwks_uri) and client_secret_jwt. */
import { SELF } from 'cloudflare:test';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { clearJwksCache, JwksUnavailableError, remoteJwks } from '../../src/oauth/client-auth/assertion-jwks';
import { AdminApi, json } from './admin-helpers';
import { basic, expectOAuthError, get, ORIGIN, post, postJson } from './helpers';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const TOKEN_URL = `${ORIGIN}/oauth/token`;
const now = () => Math.floor(Date.now() / 1000);

interface KeyClient {
  clientId: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

interface SecretClient {
  clientId: string;
  secret: string;
}

let admin: AdminApi;
let keyClient: KeyClient;
let secretClient: SecretClient;

async function keyPair(alg = 'ES256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: crypto.randomUUID(), alg, use: 'sig' };
  return { privateKey, jwk };
}

async function createKeyClient(alg = 'ES256', extra: Record<string, unknown> = {}): Promise<KeyClient> {
  const { privateKey, jwk } = await keyPair(alg);
  const body = await admin.post<{ client_id: string; client_secret?: string }>('/admin/api/clients', {
    client_name: 'assertion client',
    grant_types: ['client_credentials'],
    scope: 'read write',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [jwk] },
    ...extra,
  });
  expect(body.client_secret).toBeUndefined();
  return { clientId: body.client_id, privateKey, jwk };
}

interface AssertionOptions {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number | null;
  iat?: number;
  jti?: string | null;
  alg?: string;
  kid?: string;
}

function assertion(key: CryptoKey | Uint8Array, clientId: string, options: AssertionOptions = {}) {
  const claims: Record<string, unknown> = {
    iss: options.iss ?? clientId,
    sub: options.sub ?? clientId,
    aud: options.aud ?? TOKEN_URL,
    iat: options.iat ?? now(),
  };
  if (options.exp !== null) claims.exp = options.exp ?? now() + 60;
  if (options.jti !== null) claims.jti = options.jti ?? crypto.randomUUID();
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'ES256', ...(options.kid ? { kid: options.kid } : {}) })
    .sign(key);
}

function tokenWith(jwt: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) {
  return post(
    '/oauth/token',
    {
      grant_type: 'client_credentials',
      scope: 'read',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: jwt,
      ...extra,
    },
    headers,
  );
}

beforeAll(async () => {
  admin = await AdminApi.create();
  keyClient = await createKeyClient();
  const created = await admin.post<{ client_id: string; client_secret: string }>('/admin/api/clients', {
    client_name: 'hmac assertion client',
    grant_types: ['client_credentials'],
    scope: 'read write',
    token_endpoint_auth_method: 'client_secret_jwt',
  });
  secretClient = { clientId: created.client_id, secret: created.client_secret };
});

describe('private_key_jwt (RFC 7523 §2.2, §3)', () => {
  it('authenticates with an assertion signed by a registered key (aud = token endpoint)', async () => {
    const res = await tokenWith(await assertion(keyClient.privateKey, keyClient.clientId));
    const body = await json<{ access_token: string }>(res, 200);
    expect(body.access_token).toBeTruthy();
  });

  it('accepts the issuer as aud, alone or in an array, and a matching client_id', async () => {
    await json(
      await tokenWith(await assertion(keyClient.privateKey, keyClient.clientId, { aud: ORIGIN })),
      200,
    );
    const jwt = await assertion(keyClient.privateKey, keyClient.clientId, {
      aud: ['https://x.example', ORIGIN],
    });
    await json(await tokenWith(jwt, { client_id: keyClient.clientId }), 200);
  });

  it.each(['RS256', 'PS256', 'EdDSA'])('verifies %s assertions', async (alg) => {
    const client = await createKeyClient(alg);
    await json(await tokenWith(await assertion(client.privateKey, client.clientId, { alg })), 200);
  });

  const refusals: [string, AssertionOptions][] = [
    ['another audience', { aud: 'https://other.example/oauth/token' }],
    ['iss different from sub', { sub: 'someone-else' }],
    ['an expired assertion', { exp: now() - 120, iat: now() - 180 }],
    ['a lifetime over 5 minutes', { exp: now() + 600 }],
    ['no exp', { exp: null }],
    ['no jti', { jti: null }],
  ];
  it.each(refusals)('refuses %s with invalid_client', async (_, options) => {
    const res = await tokenWith(await assertion(keyClient.privateKey, keyClient.clientId, options));
    await expectOAuthError(res, 401, 'invalid_client');
  });

  it('refuses an assertion naming another client as iss and sub', async () => {
    const other = await createKeyClient();
    const jwt = await assertion(keyClient.privateKey, other.clientId);
    await expectOAuthError(await tokenWith(jwt), 401, 'invalid_client');
  });

  it('refuses a key that is not registered, and an HMAC assertion for a key client', async () => {
    const stranger = await keyPair();
    await expectOAuthError(
      await tokenWith(await assertion(stranger.privateKey, keyClient.clientId)),
      401,
      'invalid_client',
    );
    const hmac = await assertion(new TextEncoder().encode('x'.repeat(32)), keyClient.clientId, {
      alg: 'HS256',
    });
    await expectOAuthError(await tokenWith(hmac), 401, 'invalid_client');
  });

  it('refuses a replayed assertion (same jti)', async () => {
    const jwt = await assertion(keyClient.privateKey, keyClient.clientId);
    await json(await tokenWith(jwt), 200);
    await expectOAuthError(await tokenWith(jwt), 401, 'invalid_client');
  });

  it('refuses a client_id that differs from the assertion', async () => {
    const jwt = await assertion(keyClient.privateKey, keyClient.clientId);
    await expectOAuthError(await tokenWith(jwt, { client_id: 'someone-else' }), 401, 'invalid_client');
  });

  it('refuses two methods, half an assertion, an unknown assertion type and garbage', async () => {
    const jwt = await assertion(keyClient.privateKey, keyClient.clientId);
    await expectOAuthError(
      await tokenWith(jwt, {}, { Authorization: basic(keyClient.clientId, 'x') }),
      400,
      'invalid_request',
    );
    await expectOAuthError(await tokenWith(jwt, { client_secret: 'x' }), 400, 'invalid_request');
    const half = await post('/oauth/token', { grant_type: 'client_credentials', client_assertion: jwt });
    await expectOAuthError(half, 400, 'invalid_request');
    await expectOAuthError(
      await tokenWith(jwt, { client_assertion_type: 'urn:example:other' }),
      401,
      'invalid_client',
    );
    await expectOAuthError(await tokenWith('not.a.jwt'), 401, 'invalid_client');
    await expectOAuthError(await tokenWith('x'.repeat(10_000)), 401, 'invalid_client');
  });

  it('never lets a private_key_jwt client authenticate with a secret', async () => {
    const res = await post(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { Authorization: basic(keyClient.clientId, '') },
    );
    await expectOAuthError(res, 401, 'invalid_client');
  });

  it('answers invalid_client (not a 500) when a registered key is not a valid key', async () => {
    const { privateKey, jwk } = await keyPair();
    const body = await admin.post<{ client_id: string }>('/admin/api/clients', {
      client_name: 'broken key client',
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...jwk, x: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }] },
    });
    const res = await tokenWith(await assertion(privateKey, body.client_id));
    await expectOAuthError(res, 401, 'invalid_client');
  });

  it('honours a registered token_endpoint_auth_signing_alg', async () => {
    const client = await createKeyClient('ES256', { token_endpoint_auth_signing_alg: 'PS256' });
    const res = await tokenWith(await assertion(client.privateKey, client.clientId));
    await expectOAuthError(res, 401, 'invalid_client');
  });

  it('authenticates at introspection and revocation too', async () => {
    const issued = await json<{ access_token: string }>(
      await tokenWith(await assertion(keyClient.privateKey, keyClient.clientId)),
      200,
    );
    const introspected = await post('/oauth/introspect', {
      token: issued.access_token,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(keyClient.privateKey, keyClient.clientId, {
        aud: `${ORIGIN}/oauth/introspect`,
      }),
    });
    expect((await json<{ active: boolean }>(introspected, 200)).active).toBe(true);
    const revoked = await post('/oauth/revoke', {
      token: issued.access_token,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(keyClient.privateKey, keyClient.clientId, { aud: ORIGIN }),
    });
    expect(revoked.status).toBe(200);
  });
});

describe('client_secret_jwt (RFC 7523, OIDC Core §9)', () => {
  const secretKey = () => new TextEncoder().encode(secretClient.secret);

  it('authenticates with an HS256 assertion keyed by the client secret', async () => {
    const jwt = await assertion(secretKey(), secretClient.clientId, { alg: 'HS256' });
    await json(await tokenWith(jwt), 200);
  });

  it('refuses a wrong secret, an asymmetric assertion and a replay', async () => {
    const wrong = await assertion(new TextEncoder().encode('w'.repeat(43)), secretClient.clientId, {
      alg: 'HS256',
    });
    await expectOAuthError(await tokenWith(wrong), 401, 'invalid_client');
    const { privateKey } = await keyPair();
    await expectOAuthError(
      await tokenWith(await assertion(privateKey, secretClient.clientId)),
      401,
      'invalid_client',
    );
    const jwt = await assertion(secretKey(), secretClient.clientId, { alg: 'HS256' });
    await json(await tokenWith(jwt), 200);
    await expectOAuthError(await tokenWith(jwt), 401, 'invalid_client');
  });

  it('keeps working after the secret is rotated, with the new secret only', async () => {
    const rotated = await admin.post<{ client_secret: string }>(
      `/admin/api/clients/${secretClient.clientId}/secret`,
      {},
      200,
    );
    const old = await assertion(secretKey(), secretClient.clientId, { alg: 'HS256' });
    await expectOAuthError(await tokenWith(old), 401, 'invalid_client');
    secretClient.secret = rotated.client_secret;
    await json(await tokenWith(await assertion(secretKey(), secretClient.clientId, { alg: 'HS256' })), 200);
  });

  it('is available to dynamically registered clients, whose secret is never shown again', async () => {
    const res = await postJson(
      '/connect/register',
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_jwt', scope: 'read' },
      { Authorization: `Bearer ${admin.token}` },
    );
    const body = await json<Record<string, unknown>>(res, 201);
    const jwt = await assertion(
      new TextEncoder().encode(body.client_secret as string),
      body.client_id as string,
      {
        alg: 'HS256',
      },
    );
    await json(await tokenWith(jwt), 200);
    const read = await get(`/connect/register/${body.client_id as string}`, {
      Authorization: `Bearer ${body.registration_access_token as string}`,
    });
    const info = await json<Record<string, unknown>>(read, 200);
    expect(JSON.stringify(info)).not.toContain('sealed');
    expect(info.client_secret).toBeUndefined();
  });
});

describe('switching to client_secret_jwt (RFC 7592 §2.2)', () => {
  it('seals the client_secret presented with the update, so HS256 assertions verify', async () => {
    const created = await json<Record<string, unknown>>(
      await postJson(
        '/connect/register',
        { grant_types: ['client_credentials'], scope: 'read' },
        { Authorization: `Bearer ${admin.token}` },
      ),
      201,
    );
    const clientId = created.client_id as string;
    const secret = created.client_secret as string;
    const update = await SELF.fetch(`${ORIGIN}/connect/register/${clientId}`, {
      method: 'PUT',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${created.registration_access_token as string}`,
      },
      body: JSON.stringify({
        client_id: clientId,
        client_secret: secret,
        grant_types: ['client_credentials'],
        scope: 'read',
        token_endpoint_auth_method: 'client_secret_jwt',
      }),
    });
    await json(update, 200);
    const jwt = await assertion(new TextEncoder().encode(secret), clientId, { alg: 'HS256' });
    await json(await tokenWith(jwt), 200);
  });

  it('refuses to rotate a secret for a private_key_jwt client (it has none)', async () => {
    const res = await admin.call('POST', `/admin/api/clients/${keyClient.clientId}/secret`);
    await expectOAuthError(res, 400, 'invalid_request');
  });
});

describe('client key metadata (RFC 7591 §2)', () => {
  async function register(metadata: Record<string, unknown>) {
    return postJson(
      '/connect/register',
      { grant_types: ['client_credentials'], scope: 'read', ...metadata },
      { Authorization: `Bearer ${admin.token}` },
    );
  }

  it('refuses jwks together with jwks_uri, private_key_jwt without keys, private keys and mismatched algs', async () => {
    const { jwk } = await keyPair();
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const cases: Record<string, unknown>[] = [
      {
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [jwk] },
        jwks_uri: 'https://a.example/jwks',
      },
      { token_endpoint_auth_method: 'private_key_jwt' },
      { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [await exportJWK(privateKey)] } },
      { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [] } },
      { token_endpoint_auth_method: 'private_key_jwt', jwks: 'keys' },
      { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'http://example.com/jwks' },
      {
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [jwk] },
        token_endpoint_auth_signing_alg: 'HS256',
      },
      { token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'ES256' },
      { token_endpoint_auth_method: 'client_secret_basic', token_endpoint_auth_signing_alg: 'ES256' },
    ];
    for (const metadata of cases) {
      await expectOAuthError(await register(metadata), 400, 'invalid_client_metadata');
    }
  });

  it('answers the registered jwks and issues no secret to a private_key_jwt client', async () => {
    const { jwk } = await keyPair();
    const res = await register({ token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } });
    const body = await json<Record<string, unknown>>(res, 201);
    expect(body.client_secret).toBeUndefined();
    expect(body.jwks).toEqual({ keys: [jwk] });
  });
});

describe('jwks_uri fetching (SSRF guards)', () => {
  it('fetches only what the outbound policy allows: https to public hosts, loopback when allowed', async () => {
    clearJwksCache();
    const { jwk } = await keyPair();
    const fetched: string[] = [];
    const fetcher = (async (input: RequestInfo | URL) => {
      fetched.push(String(input));
      return new Response(JSON.stringify({ keys: [jwk] }));
    }) as typeof fetch;
    const strict = { policy: { allowLoopback: false }, now: now(), fetcher };
    for (const uri of [
      'http://keys.example.com/jwks.json',
      'https://127.0.0.1/jwks',
      'https://10.1.2.3/jwks',
      'https://169.254.169.254/latest/meta-data',
      'https://[::ffff:10.0.0.1]/jwks',
      'https://user:pass@keys.example.com/jwks',
      'ftp://keys.example.com/jwks',
      'not a url',
    ]) {
      await expect(remoteJwks(uri, strict), uri).rejects.toBeInstanceOf(JwksUnavailableError);
    }
    expect(fetched).toEqual([]);
    await remoteJwks('http://127.0.0.1:9999/jwks', { ...strict, policy: { allowLoopback: true } });
    await expect(
      remoteJwks('http://10.0.0.1/jwks', { ...strict, policy: { allowLoopback: true } }),
    ).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(fetched).toEqual(['http://127.0.0.1:9999/jwks']);
  });

  it('caches a fetched key set, refetches for an unknown kid only after the minimum interval, and caps the size', async () => {
    clearJwksCache();
    const { jwk } = await keyPair();
    let calls = 0;
    const serve = (body: string, status = 200): typeof fetch =>
      (async () => {
        calls += 1;
        return new Response(body, { status, headers: { 'Content-Type': 'application/json' } });
      }) as typeof fetch;
    const uri = 'https://keys.example.com/a';
    const fetcher = serve(JSON.stringify({ keys: [jwk] }));
    const t = now();
    await remoteJwks(uri, { policy: { allowLoopback: false }, now: t, fetcher });
    await remoteJwks(uri, { policy: { allowLoopback: false }, now: t + 10, fetcher });
    await remoteJwks(uri, { policy: { allowLoopback: false }, now: t + 10, fetcher, refresh: true });
    expect(calls).toBe(1);
    await remoteJwks(uri, { policy: { allowLoopback: false }, now: t + 31, fetcher, refresh: true });
    expect(calls).toBe(2);
    await remoteJwks(uri, { policy: { allowLoopback: false }, now: t + 400, fetcher });
    expect(calls).toBe(3);
    const big = JSON.stringify({ keys: [jwk], pad: 'x'.repeat(70_000) });
    await expect(
      remoteJwks('https://keys.example.com/big', {
        policy: { allowLoopback: false },
        now: t,
        fetcher: serve(big),
      }),
    ).rejects.toThrow(/too large/);
    await expect(
      remoteJwks('https://keys.example.com/moved', {
        policy: { allowLoopback: false },
        now: t,
        fetcher: serve('', 302),
      }),
    ).rejects.toThrow(/302/);
    await expect(
      remoteJwks('https://keys.example.com/html', {
        policy: { allowLoopback: false },
        now: t,
        fetcher: serve('<html>'),
      }),
    ).rejects.toThrow(/JSON/);
  });

  it('answers invalid_client when a jwks_uri cannot be used', async () => {
    const { privateKey, jwk } = await keyPair();
    // Registered with loopback allowed (nothing listens on port 1); fetched by a server that does not allow it.
    const body = await admin.postAllowingLoopback<{ client_id: string }>('/admin/api/clients', {
      client_name: 'jwks_uri client',
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: 'http://127.0.0.1:1/jwks.json',
    });
    expect(jwk.kid).toBeTruthy();
    const res = await tokenWith(await assertion(privateKey, body.client_id));
    await expectOAuthError(res, 401, 'invalid_client');
  });
});

describe('JWT client authentication discovery (RFC 8414)', () => {
  it('advertises the methods and their algorithms', async () => {
    const body = await json<Record<string, string[]>>(await get('/.well-known/openid-configuration'), 200);
    for (const field of [
      'token_endpoint_auth_methods_supported',
      'introspection_endpoint_auth_methods_supported',
      'revocation_endpoint_auth_methods_supported',
    ]) {
      expect(body[field]).toEqual(expect.arrayContaining(['private_key_jwt', 'client_secret_jwt']));
    }
    expect(body.token_endpoint_auth_signing_alg_values_supported).toEqual([
      'RS256',
      'PS256',
      'ES256',
      'EdDSA',
      'HS256',
    ]);
  });
});
