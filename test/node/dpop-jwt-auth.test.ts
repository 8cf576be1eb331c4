/**
 * DPoP (RFC 9449) and JWT client authentication (RFC 7523) end to end with openid-client 6, unmodified,
 * against the built Worker bundle under Miniflare, with server nonces required (OAUTH2_DPOP_REQUIRE_NONCE):
 * authorization code + PKCE + DPoP and a DPoP-bound refresh token for a public client; PAR + PKCE + DPoP
 * for a private_key_jwt client whose keys are served from a jwks_uri on loopback; client_secret_jwt.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  CookieAgent,
  claimsOf,
  createUser,
  insecure,
  oauthRejection,
  REDIRECT_URI,
  type RegisteredClient,
  registerClient,
  signInAndApprove,
  startServer,
  type TestServer,
  type TestUser,
} from './support';

const SCOPE = 'openid email profile offline_access';

let server: TestServer;
let token: string;
let user: TestUser;
let jwksServer: Server;
let jwksUri: string;
let servedJwks: { keys: unknown[] } = { keys: [] };
let jwksRequests = 0;

beforeAll(async () => {
  jwksServer = createServer((_req, res) => {
    jwksRequests += 1;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(servedJwks));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
  server = await startServer({
    OAUTH2_DPOP_REQUIRE_NONCE: 'true',
    OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP: 'true',
  });
  token = await adminToken(server);
  user = await createUser(server, token);
});

afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

async function thumbprint(key: CryptoKey): Promise<string> {
  const { calculateJwkThumbprint } = await import('jose');
  return calculateJwkThumbprint(await exportJWK(key));
}

describe('openid-client 6: authorization code + PKCE + DPoP, public client (RFC 9449)', () => {
  let registered: RegisteredClient;
  let config: client.Configuration;
  let keyPair: CryptoKeyPair;
  let dpop: client.DPoPHandle;
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;

  beforeAll(async () => {
    registered = await registerClient(server, token, {
      client_name: 'openid-client dpop spa',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
      dpop_bound_access_tokens: true,
    });
    config = await client.discovery(
      new URL(server.url),
      registered.client_id,
      undefined,
      client.None(),
      insecure,
    );
    keyPair = await client.randomDPoPKeyPair('ES256');
    dpop = client.getDPoPHandle(config, keyPair);
  });

  it('discovery advertises the DPoP algorithms', () => {
    expect(config.serverMetadata().dpop_signing_alg_values_supported).toEqual([
      'ES256',
      'RS256',
      'PS256',
      'EdDSA',
    ]);
  });

  it('redeems the code with a DPoP proof (after the nonce challenge): a DPoP-bound token', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const callback = await signInAndApprove(new CookieAgent(server.url), url, user);
    tokens = await client.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true },
      undefined,
      { DPoP: dpop },
    );
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect(claimsOf(tokens.access_token).cnf).toEqual({ jkt: await thumbprint(keyPair.publicKey) });
    expect(typeof tokens.refresh_token).toBe('string');
  });

  it('fetches userinfo with the DPoP scheme and a proof', async () => {
    const info = await client.fetchUserInfo(config, tokens.access_token, user.id, { DPoP: dpop });
    expect(info.sub).toBe(user.id);
  });

  it('refreshes only with the same DPoP key (the refresh token is bound)', async () => {
    const otherKey = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const stolen = await oauthRejection(
      client.refreshTokenGrant(config, tokens.refresh_token as string, undefined, { DPoP: otherKey }),
    );
    expect(stolen.error).toBe('invalid_grant');
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string, undefined, {
      DPoP: dpop,
    });
    expect(refreshed.token_type.toLowerCase()).toBe('dpop');
    expect(claimsOf(refreshed.access_token).cnf).toEqual({ jkt: await thumbprint(keyPair.publicKey) });
    expect((await client.fetchUserInfo(config, refreshed.access_token, user.id, { DPoP: dpop })).sub).toBe(
      user.id,
    );
  });

  it('refuses a token request without DPoP for a dpop_bound_access_tokens client', async () => {
    const refused = await oauthRejection(client.refreshTokenGrant(config, tokens.refresh_token as string));
    expect(refused.error).toBe('invalid_dpop_proof');
  });
});

describe('openid-client 6: PAR + PKCE + DPoP with private_key_jwt from a jwks_uri (RFC 9126, RFC 7523)', () => {
  let registered: RegisteredClient;
  let config: client.Configuration;
  let signingKey: CryptoKeyPair;
  let dpopKey: CryptoKeyPair;
  let dpop: client.DPoPHandle;

  beforeAll(async () => {
    signingKey = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    servedJwks = { keys: [{ ...(await exportJWK(signingKey.publicKey)), alg: 'ES256', use: 'sig' }] };
    registered = await registerClient(server, token, {
      client_name: 'openid-client private_key_jwt',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: jwksUri,
      scope: 'openid email profile offline_access read',
    });
    expect(registered.client_secret).toBeUndefined();
    config = await client.discovery(
      new URL(server.url),
      registered.client_id,
      undefined,
      client.PrivateKeyJwt(signingKey.privateKey),
      insecure,
    );
    dpopKey = await client.randomDPoPKeyPair('ES256');
    dpop = client.getDPoPHandle(config, dpopKey);
  });

  it('pushes the request, signs in, and redeems the code with private_key_jwt and DPoP', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = await client.buildAuthorizationUrlWithPAR(
      config,
      {
        redirect_uri: REDIRECT_URI,
        scope: SCOPE,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      },
      { DPoP: dpop },
    );
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const callback = await signInAndApprove(new CookieAgent(server.url), url, user);
    // RFC 9449 §10.1: the proof sent with the push bound the code to its key; another key is refused
    // (invalid_grant) without using the code up.
    const otherKey = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const refused = await oauthRejection(
      client.authorizationCodeGrant(
        config,
        callback,
        { pkceCodeVerifier: verifier, expectedState: state },
        undefined,
        { DPoP: otherKey },
      ),
    );
    expect(refused.error).toBe('invalid_grant');
    const tokens = await client.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: verifier, expectedState: state },
      undefined,
      { DPoP: dpop },
    );
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect(claimsOf(tokens.access_token).cnf).toEqual({ jkt: await thumbprint(dpopKey.publicKey) });
    expect(jwksRequests).toBeGreaterThan(0);

    // Introspection, authenticated with private_key_jwt too, reports the binding.
    const introspected = await client.tokenIntrospection(config, tokens.access_token);
    expect(introspected.active).toBe(true);
    expect(introspected.token_type).toBe('DPoP');
    expect(introspected.cnf).toEqual({ jkt: await thumbprint(dpopKey.publicKey) });

    // A confidential client's refresh token is not key-bound; its client authentication protects it.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string, undefined, {
      DPoP: dpop,
    });
    expect(refreshed.token_type.toLowerCase()).toBe('dpop');
  });

  it('authenticates client_credentials with private_key_jwt (Bearer without DPoP)', async () => {
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
  });

  it('refuses assertions signed by a key the jwks_uri does not serve', async () => {
    const stranger = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const wrong = await client.discovery(
      new URL(server.url),
      registered.client_id,
      undefined,
      client.PrivateKeyJwt(stranger.privateKey),
      insecure,
    );
    const refused = await oauthRejection(client.clientCredentialsGrant(wrong, { scope: 'read' }));
    expect(refused.error).toBe('invalid_client');
  });
});

describe('openid-client 6: client_secret_jwt (RFC 7523)', () => {
  it('authenticates client_credentials with an HS256 assertion', async () => {
    const registered = await registerClient(server, token, {
      client_name: 'openid-client client_secret_jwt',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_jwt',
      scope: 'read',
    });
    const config = await client.discovery(
      new URL(server.url),
      registered.client_id,
      undefined,
      client.ClientSecretJwt(String(registered.client_secret)),
      insecure,
    );
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const wrong = await client.discovery(
      new URL(server.url),
      registered.client_id,
      undefined,
      client.ClientSecretJwt('not-the-secret-not-the-secret-not-the-secret'),
      insecure,
    );
    expect((await oauthRejection(client.clientCredentialsGrant(wrong, { scope: 'read' }))).error).toBe(
      'invalid_client',
    );
  });
});
