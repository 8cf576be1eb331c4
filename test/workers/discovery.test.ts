import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app';
import { get, ORIGIN } from './helpers';

describe('Authorization Server Metadata (RFC 8414) and OpenID Connect Discovery', () => {
  it('serves the same document at both well-known paths with the exact issuer', async () => {
    const oidc = (await (await get('/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    const oauth = (await (await get('/.well-known/oauth-authorization-server')).json()) as Record<
      string,
      unknown
    >;
    expect(oidc).toEqual(oauth);
    expect(oidc.issuer).toBe(ORIGIN);
    expect(oidc.token_endpoint).toBe(`${ORIGIN}/oauth/token`);
    expect(oidc.jwks_uri).toBe(`${ORIGIN}/.well-known/jwks.json`);
    expect(oidc.introspection_endpoint).toBe(`${ORIGIN}/oauth/introspect`);
    expect(oidc.revocation_endpoint).toBe(`${ORIGIN}/oauth/revoke`);
    expect(oidc.registration_endpoint).toBe(`${ORIGIN}/connect/register`);
    expect(oidc.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'client_credentials']),
    );
    expect(oidc.token_endpoint_auth_methods_supported).toEqual([
      'client_secret_basic',
      'client_secret_post',
      'client_secret_jwt',
      'private_key_jwt',
      'none',
    ]);
  });

  it('advertises the authorization code flow and OpenID Connect as implemented', async () => {
    const doc = (await (await get('/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      authorization_endpoint: `${ORIGIN}/oauth/authorize`,
      userinfo_endpoint: `${ORIGIN}/oauth/userinfo`,
      end_session_endpoint: `${ORIGIN}/oauth/logout`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(doc.id_token_signing_alg_values_supported).toContain('RS256');
    expect(doc.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']),
    );
    // Not implemented, so not advertised.
    expect(doc.response_types_supported).not.toContain('token');
    expect(doc.request_parameter_supported).toBe(true);
  });

  it('uses OAUTH2_PUBLIC_URL as issuer, without a trailing slash', async () => {
    const res = await createApp().request(
      'http://internal.example/.well-known/openid-configuration',
      {},
      { ...env, OAUTH2_PUBLIC_URL: 'https://id.example.com/' },
    );
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc.issuer).toBe('https://id.example.com');
    expect(doc.token_endpoint).toBe('https://id.example.com/oauth/token');
  });
});

describe('JSON Web Key Set (RFC 7517)', () => {
  it('publishes public keys only, with kid, alg and cache headers', async () => {
    const res = await get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    // One key per use: ES256 access tokens; RS256 and ES256 ID and logout tokens.
    expect(keys.map((key) => key.alg).sort()).toEqual(['ES256', 'ES256', 'RS256']);
    expect(new Set(keys.map((key) => key.kid)).size).toBe(keys.length);
    for (const key of keys) {
      expect(typeof key.kid).toBe('string');
      expect(key.use).toBe('sig');
      for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])
        expect(key[privatePart]).toBeUndefined();
    }
  });
});

describe('Operations endpoints', () => {
  it('answers /health', async () => {
    const res = await get('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'healthy' });
  });

  it('answers /ready after checking storage', async () => {
    const res = await get('/ready');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('sets security headers on every response', async () => {
    const res = await get('/health');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers 404 JSON for unknown paths', async () => {
    const res = await get('/no/such/path');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('OpenAPI document and Swagger UI', () => {
  it('documents every JSON route', async () => {
    const res = await get('/api-docs/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    for (const route of [
      'get /health',
      'get /ready',
      'get /.well-known/openid-configuration',
      'get /.well-known/oauth-authorization-server',
      'get /.well-known/jwks.json',
      'post /oauth/token',
      'post /oauth/introspect',
      'post /oauth/revoke',
      'post /connect/register',
      'get /connect/register/{client_id}',
      'put /connect/register/{client_id}',
      'delete /connect/register/{client_id}',
    ]) {
      expect(routes).toContain(route);
    }
  });

  it('serves Swagger UI from local assets under a nonce-based CSP', async () => {
    const res = await get('/swagger-ui');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('/swagger-ui/swagger-ui-bundle.js');
    expect(page).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(page).toContain(`nonce="${nonce}"`);
    const asset = await env.ASSETS.fetch('http://localhost/swagger-ui/swagger-ui-bundle.js');
    expect(asset.status).toBe(200);
  });
});
