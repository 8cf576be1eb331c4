/**
 * Signing choices: HS256 access tokens under OAUTH2_JWT_SECRET when OAUTH2_ACCESS_TOKEN_SIGNING_ALG=HS256
 * (verified by this server only, never in the JWKS), ES256 by default; the ID-token algorithm per client
 * (`id_token_signed_response_alg`); discovery's `*_signing_alg_values_supported` lists equal to what the
 * implementation serves or accepts.
 */
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  jwtVerify,
  SignJWT,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { REQUEST_OBJECT_ALGS } from '../../src/oauth/authorize/request-object';
import { ASSERTION_SIGNING_ALGS } from '../../src/oauth/client-auth/assertion';
import { DPOP_ALGS } from '../../src/oauth/dpop/errors';
import { ID_TOKEN_ALGS } from '../../src/oauth/registration/oidc-metadata';
import {
  AdminApi,
  codeFlow,
  configuredFetch,
  createServiceClient,
  createTestUser,
  createWebClient,
  json,
  type TestClient,
  type TestUser,
} from './admin-helpers';
import { ADMIN_ID, ADMIN_SECRET, basic, get, ORIGIN, post, postWith } from './helpers';

const REDIRECT = 'https://console.example.com/cb';
const JWT_SECRET = 'hs256-test-secret-7c1e9a4b2d6f8e0a3b5c7d9f1e2a4b6c';
const HS256 = { OAUTH2_ACCESS_TOKEN_SIGNING_ALG: 'HS256', OAUTH2_JWT_SECRET: JWT_SECRET };
const hsPost = postWith(HS256);
const hsFetch = configuredFetch(HS256);

let admin: AdminApi;
let user: TestUser;
let service: TestClient;

beforeAll(async () => {
  admin = await AdminApi.create();
  user = await createTestUser(admin);
  service = await createServiceClient(admin);
});

async function jwks(): Promise<JSONWebKeySet> {
  return json<JSONWebKeySet>(await get('/.well-known/jwks.json'), 200);
}

/** Introspection by the service client (a caller sees the tokens issued to it). */
async function introspect(send: typeof post, token: string): Promise<Record<string, unknown>> {
  const auth = basic(service.client_id, service.client_secret ?? '');
  return json(await send('/oauth/introspect', { token }, { Authorization: auth }), 200);
}

async function hsClientCredentials(client: TestClient, scope = 'read'): Promise<string> {
  const res = await hsPost(
    '/oauth/token',
    { grant_type: 'client_credentials', scope },
    { Authorization: basic(client.client_id, client.client_secret ?? '') },
  );
  return (await json<{ access_token: string }>(res, 200)).access_token;
}

describe('HS256 access tokens (OAUTH2_ACCESS_TOKEN_SIGNING_ALG=HS256)', () => {
  it('issues at+jwt HS256 tokens under OAUTH2_JWT_SECRET, verifiable with the secret and absent from the JWKS', async () => {
    const token = await hsClientCredentials(service);
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'HS256', typ: 'at+jwt' });
    expect(typeof header.kid).toBe('string');
    const { payload } = await jwtVerify(token, new TextEncoder().encode(JWT_SECRET), {
      algorithms: ['HS256'],
      issuer: ORIGIN,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({ client_id: service.client_id, sub: service.client_id, scope: 'read' });
    // A symmetric key is never published: no `oct` key, no key with that kid, nothing announcing HS256.
    const published = await jwks();
    expect(published.keys.some((key) => key.kty === 'oct' || key.kid === header.kid)).toBe(false);
    expect(published.keys.every((key) => key.alg !== 'HS256')).toBe(true);
  });

  it('is accepted by introspection, and refused once the server signs ES256 again', async () => {
    const token = await hsClientCredentials(service);
    expect(await introspect(hsPost, token)).toMatchObject({
      active: true,
      client_id: service.client_id,
      scope: 'read',
      token_type: 'Bearer',
    });
    // Twice: the second answer comes from the per-isolate record of verified tokens.
    expect((await introspect(hsPost, token)).active).toBe(true);
    // The default configuration (ES256) never accepts an HS256 token, whatever the secret.
    expect((await introspect(post, token)).active).toBe(false);
    expect((await introspect(postWith({ OAUTH2_JWT_SECRET: JWT_SECRET }), token)).active).toBe(false);
    // Another secret: another kid, and no verification.
    const rotated = postWith({ ...HS256, OAUTH2_JWT_SECRET: `${JWT_SECRET}-rotated` });
    expect((await introspect(rotated, token)).active).toBe(false);
  });

  it('refuses an HS256 token with a forged signature or a kid of another secret', async () => {
    const token = await hsClientCredentials(service);
    const [head, body, signature] = token.split('.') as [string, string, string];
    const flipped = `${head}.${body}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BA' : 'AA'}`;
    expect((await introspect(hsPost, flipped)).active).toBe(false);
    const header = decodeProtectedHeader(token);
    const otherKid = btoa(JSON.stringify({ ...header, kid: 'hs256-other' }))
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
    expect((await introspect(hsPost, `${otherKid}.${body}.${signature}`)).active).toBe(false);
  });

  it('is accepted at userinfo and by the admin bearer check; ES256 tokens issued before the switch still are', async () => {
    const web = await createWebClient(admin);
    const first = await codeFlow(web, user, 'openid profile offline_access');
    expect(decodeProtectedHeader(first.access_token).alg).toBe('ES256');
    // The refresh grant under HS256 issues a user's HS256 access token.
    const refreshed = await hsPost(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: first.refresh_token as string },
      { Authorization: basic(web.client_id, web.client_secret ?? '') },
    );
    const tokens = await json<{ access_token: string }>(refreshed, 200);
    expect(decodeProtectedHeader(tokens.access_token).alg).toBe('HS256');
    const info = await json<{ sub: string }>(
      await hsFetch('/oauth/userinfo', { headers: { Authorization: `Bearer ${tokens.access_token}` } }),
      200,
    );
    expect(info.sub).toBe(user.id);

    const second = await codeFlow(web, user, 'openid profile');
    const old = await hsFetch('/oauth/userinfo', {
      headers: { Authorization: `Bearer ${second.access_token}` },
    });
    expect(old.status).toBe(200);

    const adminTokenRes = await hsPost(
      '/oauth/token',
      { grant_type: 'client_credentials', scope: 'admin' },
      { Authorization: basic(ADMIN_ID, ADMIN_SECRET) },
    );
    const adminToken = (await json<{ access_token: string }>(adminTokenRes, 200)).access_token;
    expect(decodeProtectedHeader(adminToken).alg).toBe('HS256');
    const listed = await hsFetch('/admin/api/clients?limit=1', {
      headers: { Authorization: `Bearer ${adminToken}` },
    });
    expect(listed.status).toBe(200);
  });

  it('refuses HS256 without OAUTH2_JWT_SECRET with a 503 naming the settings (also with insecure defaults)', async () => {
    for (const extra of [{}, { OAUTH2_ALLOW_INSECURE_DEFAULTS: '1' }] as Record<string, string>[]) {
      const res = await configuredFetch({ OAUTH2_ACCESS_TOKEN_SIGNING_ALG: 'HS256', ...extra })('/health');
      const body = await json<{ error: string; error_description: string }>(res, 503);
      expect(body.error).toBe('server_misconfigured');
      expect(body.error_description).toContain('OAUTH2_ACCESS_TOKEN_SIGNING_ALG');
      expect(body.error_description).toContain('OAUTH2_JWT_SECRET');
    }
  });

  it('refuses an unknown algorithm and a weak secret, and reads the setting case-insensitively', async () => {
    const strong = {
      OAUTH2_SESSION_KEY: 'a-strong-session-key-0123456789abcdef-kkkkkkkk',
      OAUTH2_KEY_ENCRYPTION_KEY: 'a-strong-key-encryption-key-0123456789abcdef',
    };
    const rs = await configuredFetch({ OAUTH2_ACCESS_TOKEN_SIGNING_ALG: 'RS256' })('/health');
    const body = await json<{ error_description: string }>(rs, 503);
    expect(body.error_description).toContain('OAUTH2_ACCESS_TOKEN_SIGNING_ALG must be one of ES256, HS256');
    const weak = parseConfig({ ...strong, ...HS256, OAUTH2_JWT_SECRET: 'short' });
    expect(weak.ok).toBe(false);
    if (!weak.ok) expect(weak.problems.join('\n')).toContain('OAUTH2_JWT_SECRET');
    const lower = parseConfig({ ...strong, ...HS256, OAUTH2_ACCESS_TOKEN_SIGNING_ALG: 'hs256' });
    expect(lower.ok && lower.config.accessTokenSigningAlg).toBe('HS256');
    const unset = parseConfig({ ...strong, OAUTH2_JWT_SECRET: JWT_SECRET });
    expect(unset.ok && unset.config.accessTokenSigningAlg).toBe('ES256');
  });
});

describe('ES256 access tokens (the default)', () => {
  it('signs with the published access-token key, verifiable against the JWKS', async () => {
    const res = await post(
      '/oauth/token',
      { grant_type: 'client_credentials', scope: 'read' },
      { Authorization: basic(service.client_id, service.client_secret ?? '') },
    );
    const token = (await json<{ access_token: string }>(res, 200)).access_token;
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const published = await jwks();
    expect(published.keys.find((key) => key.kid === header.kid)).toMatchObject({ alg: 'ES256', use: 'sig' });
    await jwtVerify(token, createLocalJWKSet(published), { issuer: ORIGIN, typ: 'at+jwt' });
    expect((await introspect(post, token)).active).toBe(true);
  });
});

describe('ID token algorithm per client (id_token_signed_response_alg)', () => {
  it.each([
    ['RS256', {}],
    ['RS256', { id_token_signed_response_alg: 'RS256' }],
    ['ES256', { id_token_signed_response_alg: 'ES256' }],
  ])('signs %s ID tokens (%j), verified against the JWKS', async (alg, fields) => {
    const web = await createWebClient(admin, fields);
    const tokens = (await codeFlow(web, user, 'openid')) as { id_token?: string };
    const idToken = tokens.id_token as string;
    expect(decodeProtectedHeader(idToken)).toMatchObject({ alg, typ: 'JWT' });
    const { payload } = await jwtVerify(idToken, createLocalJWKSet(await jwks()), {
      algorithms: [alg],
      issuer: ORIGIN,
      audience: web.client_id,
    });
    expect(payload.sub).toBe(user.id);
  });

  it('refuses an ID-token algorithm it does not serve at registration', async () => {
    const res = await admin.call('POST', '/admin/api/clients', {
      client_name: 'ps256-id-tokens',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      scope: 'openid',
      id_token_signed_response_alg: 'PS256',
    });
    expect(res.status).toBe(400);
  });

  it('publishes a key for every advertised ID-token algorithm', async () => {
    const published = await jwks();
    for (const alg of ID_TOKEN_ALGS) expect(published.keys.some((key) => key.alg === alg)).toBe(true);
  });
});

describe('Every advertised request-object algorithm is accepted (RFC 9101, through PAR)', () => {
  const asymmetric = REQUEST_OBJECT_ALGS.filter((alg) => alg !== 'HS256');
  it.each(asymmetric)('accepts a request object signed with %s', async (alg) => {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), alg, use: 'sig' };
    const client = await admin.post<TestClient>('/admin/api/clients', {
      client_name: `jar-${alg}`,
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      scope: 'openid read',
      jwks: { keys: [jwk] },
      request_object_signing_alg: alg,
    });
    const now = Math.floor(Date.now() / 1000);
    const object = await new SignJWT({
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    })
      .setProtectedHeader({ alg, typ: 'oauth-authz-req+jwt' })
      .setIssuer(client.client_id)
      .setAudience(ORIGIN)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .setJti(crypto.randomUUID())
      .sign(privateKey);
    const res = await post(
      '/oauth/par',
      { request: object },
      { Authorization: basic(client.client_id, client.client_secret ?? '') },
    );
    expect(res.status, await res.clone().text()).toBe(201);
  });
});

describe('Discovery advertises exactly what is served', () => {
  it('lists each *_signing_alg_values_supported from the implementation’s constants', async () => {
    const doc = await json<Record<string, unknown>>(await get('/.well-known/openid-configuration'), 200);
    expect(doc.id_token_signing_alg_values_supported).toEqual([...ID_TOKEN_ALGS]);
    expect(doc.token_endpoint_auth_signing_alg_values_supported).toEqual([...ASSERTION_SIGNING_ALGS]);
    expect(doc.introspection_endpoint_auth_signing_alg_values_supported).toEqual([...ASSERTION_SIGNING_ALGS]);
    expect(doc.revocation_endpoint_auth_signing_alg_values_supported).toEqual([...ASSERTION_SIGNING_ALGS]);
    expect(doc.request_object_signing_alg_values_supported).toEqual([...REQUEST_OBJECT_ALGS]);
    expect(doc.dpop_signing_alg_values_supported).toEqual([...DPOP_ALGS]);
    // Nothing is advertised that is not served: UserInfo answers plain JSON (no signed responses).
    expect(doc).not.toHaveProperty('userinfo_signing_alg_values_supported');
    expect(doc).not.toHaveProperty('userinfo_encryption_alg_values_supported');
    expect(doc).not.toHaveProperty('id_token_encryption_alg_values_supported');
    expect(doc).not.toHaveProperty('request_object_encryption_alg_values_supported');
  });

  it('does not change with HS256 access tokens (no metadata names the access-token algorithm)', async () => {
    const plain = await json<Record<string, unknown>>(await get('/.well-known/openid-configuration'), 200);
    const hs = await json<Record<string, unknown>>(await hsFetch('/.well-known/openid-configuration'), 200);
    expect(hs).toEqual(plain);
    const hsKeys = await json<JSONWebKeySet>(await hsFetch('/.well-known/jwks.json'), 200);
    expect(hsKeys.keys.every((key) => key.kty !== 'oct')).toBe(true);
  });
});
