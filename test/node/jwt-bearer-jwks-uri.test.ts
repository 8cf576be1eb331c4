/**
 * The JWT bearer grant (RFC 7523 §2.1) end to end with openid-client 6 (a generic grant request), against the
 * built Worker bundle under Miniflare: a trusted issuer whose keys are served from a jwks_uri by a real HTTP
 * server on loopback (OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP), fetched through the outbound policy and cached.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  claimsOf,
  insecure,
  oauthRejection,
  type RegisteredClient,
  registerClient,
  startServer,
  type TestServer,
} from './support';

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ISSUER = 'https://idp.example.com/jwks-uri';

let server: TestServer;
let token: string;
let keysServer: Server;
let jwksUri: string;
let keysRequests = 0;
let signingKey: CryptoKey;
let registered: RegisteredClient;
let config: client.Configuration;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  signingKey = pair.privateKey;
  const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
  keysServer = createServer((_req, res) => {
    keysRequests += 1;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => keysServer.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(keysServer.address() as AddressInfo).port}/jwks.json`;
  server = await startServer({ OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP: 'true' });
  token = await adminToken(server);
  const res = await fetch(`${server.url}/admin/api/trusted-issuers`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      issuer: ISSUER,
      jwks_uri: jwksUri,
      allowed_subjects: ['device-42'],
      allowed_scopes: ['read'],
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  registered = await registerClient(server, token, {
    client_name: 'openid-client jwt bearer',
    grant_types: [GRANT],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'read write',
  });
  config = await client.discovery(
    new URL(server.url),
    registered.client_id,
    registered.client_secret,
    client.ClientSecretBasic(registered.client_secret as string),
    insecure,
  );
});

afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => keysServer?.close(resolve));
});

function assertion(claims: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: ISSUER,
    sub: 'device-42',
    aud: `${server.url}/oauth/token`,
    iat: now,
    exp: now + 60,
    jti: crypto.randomUUID(),
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .sign(signingKey);
}

describe('openid-client 6: JWT bearer grant with a trusted issuer from a jwks_uri (RFC 7523 §2.1)', () => {
  it('discovery lists the grant type', () => {
    expect(config.serverMetadata().grant_types_supported).toContain(GRANT);
  });

  it('trades an assertion for an access token for its subject, fetching the keys once', async () => {
    const first = await client.genericGrantRequest(config, GRANT, { assertion: await assertion() });
    expect(first.token_type.toLowerCase()).toBe('bearer');
    expect(first.refresh_token).toBeUndefined();
    expect(claimsOf(first.access_token)).toMatchObject({
      sub: 'device-42',
      client_id: registered.client_id,
      scope: 'read',
    });
    await client.genericGrantRequest(config, GRANT, { assertion: await assertion() });
    expect(keysRequests).toBe(1);
  });

  it('refuses an assertion signed by a key the jwks_uri does not serve, and a replayed one', async () => {
    const other = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({
      iss: ISSUER,
      sub: 'device-42',
      aud: server.url,
      exp: now + 60,
      jti: crypto.randomUUID(),
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .sign(other.privateKey);
    expect(
      (await oauthRejection(client.genericGrantRequest(config, GRANT, { assertion: forged }))).error,
    ).toBe('invalid_grant');
    const once = await assertion();
    await client.genericGrantRequest(config, GRANT, { assertion: once });
    expect((await oauthRejection(client.genericGrantRequest(config, GRANT, { assertion: once }))).error).toBe(
      'invalid_grant',
    );
  });
});
