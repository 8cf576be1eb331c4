/**
 * End to end with a real, independent OAuth client library: openid-client 6 (and jose for the JWT checks)
 * against the built Worker bundle served by Miniflare (bench/lib/server.mjs), over HTTP on loopback.
 */
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insecure, startServer, type TestServer } from './support';

function discover(server: TestServer, clientId: string, secret: string, algorithm?: 'oidc' | 'oauth2') {
  return client.discovery(new URL(server.url), clientId, undefined, client.ClientSecretBasic(secret), {
    ...insecure,
    algorithm,
  });
}

describe('openid-client 6 against the built Worker (JWT access tokens)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('discovers the same metadata at both well-known paths', async () => {
    const oidc = await discover(server, server.adminClientId, server.adminClientSecret, 'oidc');
    const oauth2 = await discover(server, server.adminClientId, server.adminClientSecret, 'oauth2');
    const metadata = oidc.serverMetadata();
    expect(metadata.issuer).toBe(server.url);
    expect(metadata.token_endpoint).toBe(`${server.url}/oauth/token`);
    expect(metadata.jwks_uri).toBe(`${server.url}/.well-known/jwks.json`);
    expect(metadata.introspection_endpoint).toBe(`${server.url}/oauth/introspect`);
    expect(metadata.revocation_endpoint).toBe(`${server.url}/oauth/revoke`);
    expect(metadata.registration_endpoint).toBe(`${server.url}/connect/register`);
    expect(oauth2.serverMetadata()).toEqual(metadata);
  });

  it('registers a client with an admin token, then issues, verifies, introspects and revokes its token', async () => {
    // a) discovery as the bootstrap admin client
    const admin = await discover(server, server.adminClientId, server.adminClientSecret);
    const metadata = admin.serverMetadata();

    // b) an admin-scoped token (client_credentials, client_secret_basic)
    const adminTokens = await client.clientCredentialsGrant(admin, { scope: 'admin' });
    expect(adminTokens.token_type.toLowerCase()).toBe('bearer');
    expect(adminTokens.scope).toBe('admin');
    expect(adminTokens.refresh_token).toBeUndefined();

    // c) RFC 7591 registration with the admin token as initial access token
    const registered = await client.dynamicClientRegistration(
      new URL(server.url),
      {
        client_name: 'svc',
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'read write',
      },
      undefined,
      { ...insecure, initialAccessToken: adminTokens.access_token },
    );
    const registration = registered.clientMetadata();
    const clientId = registration.client_id;
    const clientSecret = registration.client_secret;
    expect(typeof clientId).toBe('string');
    expect(clientId).not.toBe(server.adminClientId);
    expect(typeof clientSecret).toBe('string');
    expect(registration.client_name).toBe('svc');
    expect(registration.grant_types).toEqual(['client_credentials']);
    expect(registration.token_endpoint_auth_method).toBe('client_secret_basic');
    expect(typeof registration.client_id_issued_at).toBe('number');
    expect(registration.client_secret_expires_at).toBe(0); // RFC 7591 §3.2.1: REQUIRED with a secret

    // d) as the new client: discovery, a token, verified against the JWKS
    const svc = await discover(server, clientId, String(clientSecret));
    const tokens = await client.clientCredentialsGrant(svc, { scope: 'read' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.scope).toBe('read');
    expect(tokens.expiresIn()).toBeGreaterThan(0);
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt');
    const jwks = createRemoteJWKSet(new URL(String(metadata.jwks_uri)));
    const { payload } = await jwtVerify(tokens.access_token, jwks, {
      issuer: metadata.issuer,
      typ: 'at+jwt',
    });
    expect(payload.client_id).toBe(clientId);
    expect(payload.sub).toBe(clientId);
    expect(payload.scope).toBe('read');
    expect(typeof payload.jti).toBe('string');

    // A scope outside the registration is refused.
    await expect(client.clientCredentialsGrant(svc, { scope: 'admin' })).rejects.toMatchObject({
      error: 'invalid_scope',
    });

    // e) introspection (RFC 7662) and revocation (RFC 7009) through openid-client
    const active = await client.tokenIntrospection(svc, tokens.access_token);
    expect(active.active).toBe(true);
    expect(active.client_id).toBe(clientId);
    expect(active.scope).toBe('read');
    expect(active.iss).toBe(metadata.issuer);

    await client.tokenRevocation(svc, tokens.access_token);
    const inactive = await client.tokenIntrospection(svc, tokens.access_token);
    expect(inactive.active).toBe(false);

    // The admin client may introspect too, and also sees the revocation.
    expect((await client.tokenIntrospection(admin, tokens.access_token)).active).toBe(false);
  });

  it('refuses registration without an initial access token', async () => {
    const error = await client
      .dynamicClientRegistration(
        new URL(server.url),
        { client_name: 'anon', grant_types: ['client_credentials'] },
        undefined,
        insecure,
      )
      .then(
        () => null,
        (e: unknown) => e as { status?: number },
      );
    expect(error).toBeInstanceOf(Error);
    expect([401, 403]).toContain(error?.status);
  });
});

describe('openid-client 6 against the built Worker (opaque access tokens)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ OAUTH2_ACCESS_TOKENS_OPAQUE: 'true' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('issues an opaque token that introspects active until revoked', async () => {
    const admin = await discover(server, server.adminClientId, server.adminClientSecret);
    const tokens = await client.clientCredentialsGrant(admin, { scope: 'read write' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.access_token.split('.')).not.toHaveLength(3); // not a JWS

    const active = await client.tokenIntrospection(admin, tokens.access_token);
    expect(active.active).toBe(true);
    expect(active.client_id).toBe(server.adminClientId);
    expect(active.scope).toBe('read write');

    await client.tokenRevocation(admin, tokens.access_token);
    expect((await client.tokenIntrospection(admin, tokens.access_token)).active).toBe(false);
  });
});
