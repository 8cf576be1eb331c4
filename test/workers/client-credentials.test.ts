import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  ADMIN_ID,
  ADMIN_SECRET,
  adminToken,
  basic,
  expectOAuthError,
  get,
  ORIGIN,
  post,
  postJson,
} from './helpers';

const auth = { Authorization: basic(ADMIN_ID, ADMIN_SECRET) };

describe('Client Credentials Grant (RFC 6749 §4.4)', () => {
  it('issues a Bearer token with client_secret_basic', async () => {
    const res = await post('/oauth/token', { grant_type: 'client_credentials', scope: 'read' }, auth);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3600);
    expect(body.scope).toBe('read');
    expect(body.refresh_token).toBeUndefined();
  });

  it('accepts client_secret_post only from a client registered with it', async () => {
    const created = await postJson(
      '/admin/api/clients',
      {
        client_name: 'post client',
        grant_types: ['client_credentials'],
        scope: 'read',
        token_endpoint_auth_method: 'client_secret_post',
      },
      { Authorization: `Bearer ${await adminToken()}` },
    );
    const client = (await created.json()) as { client_id: string; client_secret: string };
    const res = await post('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: client.client_id,
      client_secret: client.client_secret,
    });
    expect(res.status).toBe(200);
    // The bootstrap admin client is registered with client_secret_basic.
    const admin = await post('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: ADMIN_ID,
      client_secret: ADMIN_SECRET,
    });
    await expectOAuthError(admin, 401, 'invalid_client');
  });

  it('grants the registered scopes except privileged ones when no scope is asked', async () => {
    const res = await post('/oauth/token', { grant_type: 'client_credentials' }, auth);
    const body = (await res.json()) as { scope: string };
    expect(body.scope.split(' ').sort()).toEqual(['read', 'write']);
  });

  it('grants admin only when asked by name', async () => {
    const res = await post('/oauth/token', { grant_type: 'client_credentials', scope: 'admin' }, auth);
    expect(((await res.json()) as { scope: string }).scope).toBe('admin');
  });

  it('answers invalid_scope for a scope outside the client registration', async () => {
    const res = await post('/oauth/token', { grant_type: 'client_credentials', scope: 'read openid' }, auth);
    await expectOAuthError(res, 400, 'invalid_scope');
  });

  it('answers invalid_client with 401 and WWW-Authenticate for a wrong secret', async () => {
    const res = await post(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      {
        Authorization: basic(ADMIN_ID, 'wrong-secret'),
      },
    );
    await expectOAuthError(res, 401, 'invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('answers invalid_client for an unknown client', async () => {
    const res = await post(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      {
        Authorization: basic('no-such-client', 'whatever-secret'),
      },
    );
    await expectOAuthError(res, 401, 'invalid_client');
  });

  it('answers invalid_client without any credentials', async () => {
    const res = await post('/oauth/token', { grant_type: 'client_credentials' });
    await expectOAuthError(res, 401, 'invalid_client');
  });

  it('refuses two authentication methods at once', async () => {
    const res = await post(
      '/oauth/token',
      { grant_type: 'client_credentials', client_secret: ADMIN_SECRET },
      auth,
    );
    await expectOAuthError(res, 400, 'invalid_request');
  });

  it('answers unsupported_grant_type for an unknown grant', async () => {
    const res = await post('/oauth/token', { grant_type: 'password', username: 'a', password: 'b' }, auth);
    await expectOAuthError(res, 400, 'unsupported_grant_type');
  });

  it('answers invalid_request for a missing grant_type', async () => {
    const body = await expectOAuthError(await post('/oauth/token', {}, auth), 400, 'invalid_request');
    expect(body.error_description).toContain('grant_type');
  });

  it('rejects a repeated parameter (RFC 6749 §3.2)', async () => {
    const res = await post('/oauth/token', 'grant_type=client_credentials&scope=read&scope=admin', auth);
    const body = await expectOAuthError(res, 400, 'invalid_request');
    expect(body.error_description).toContain('scope');
  });

  it('treats an empty parameter as omitted', async () => {
    const res = await post('/oauth/token', 'grant_type=client_credentials&scope=', auth);
    expect(res.status).toBe(200);
  });
});

describe('JWT Profile for OAuth 2.0 Access Tokens (RFC 9068)', () => {
  it('signs an at+jwt verifiable against the JWKS with every required claim', async () => {
    const res = await post('/oauth/token', { grant_type: 'client_credentials', scope: 'read write' }, auth);
    const { access_token } = (await res.json()) as { access_token: string };
    const header = decodeProtectedHeader(access_token);
    expect(header.typ).toBe('at+jwt');
    expect(header.alg).toBe('ES256');
    expect(typeof header.kid).toBe('string');

    const jwks = (await (await get('/.well-known/jwks.json')).json()) as Parameters<
      typeof createLocalJWKSet
    >[0];
    const { payload } = await jwtVerify(access_token, createLocalJWKSet(jwks), {
      issuer: ORIGIN,
      typ: 'at+jwt',
    });
    expect(payload.sub).toBe(ADMIN_ID);
    expect(payload.client_id).toBe(ADMIN_ID);
    expect(payload.aud).toBe(ADMIN_ID);
    expect(payload.scope).toBe('read write');
    expect(typeof payload.jti).toBe('string');
    expect(Number(payload.exp) - Number(payload.iat)).toBe(3600);
  });
});
