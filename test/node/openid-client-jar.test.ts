/**
 * RFC 9101 (JAR) end to end with openid-client 6 against the built Worker bundle: a client registered
 * with its ES256 key, `request_object_signing_alg` and `require_signed_request_object` sends its
 * authorization request as a signed request object (`buildAuthorizationUrlWithJAR`), by value at
 * /oauth/authorize and pushed through PAR, and redeems the code; an unsigned front-channel request is refused.
 */
import * as jose from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  CookieAgent,
  createUser,
  discoverAsClient,
  location,
  REDIRECT_URI,
  type RegisteredClient,
  registerClient,
  signInAndApprove,
  startServer,
  type TestServer,
  type TestUser,
} from './support';

let server: TestServer;
let user: TestUser;
let registered: RegisteredClient;
let privateKey: CryptoKey;
let config: client.Configuration;

beforeAll(async () => {
  server = await startServer();
  const token = await adminToken(server);
  user = await createUser(server, token);
  const pair = await jose.generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  const jwk = { ...(await jose.exportJWK(pair.publicKey)), alg: 'ES256', use: 'sig', kid: 'jar-1' };
  registered = await registerClient(server, token, {
    client_name: 'JAR relying party',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code'],
    jwks: { keys: [jwk] },
    request_object_signing_alg: 'ES256',
    require_signed_request_object: true,
  });
  config = await discoverAsClient(server, registered);
});

afterAll(async () => {
  await server?.stop();
});

async function requestParameters() {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const parameters = {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  };
  return { parameters, verifier, state, nonce };
}

describe('Request objects (RFC 9101) with openid-client 6', () => {
  it('discovery advertises request objects', () => {
    const metadata = config.serverMetadata();
    expect(metadata.request_parameter_supported).toBe(true);
    expect(metadata.request_object_signing_alg_values_supported).toContain('ES256');
  });

  it('a signed request object by value: sign in, approve, redeem', async () => {
    const { parameters, verifier, state, nonce } = await requestParameters();
    const url = await client.buildAuthorizationUrlWithJAR(config, parameters, privateKey);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request']);
    const callback = await signInAndApprove(new CookieAgent(server.url), url, user);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(tokens.claims()?.sub).toBe(user.id);
  });

  it('a signed request object pushed through PAR', async () => {
    const { parameters, verifier, state, nonce } = await requestParameters();
    const signed = await client.buildAuthorizationUrlWithJAR(config, parameters, privateKey);
    const url = await client.buildAuthorizationUrlWithPAR(config, signed.searchParams);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    // A user who has not consented yet, so the consent page shows again.
    const other = await createUser(server, await adminToken(server));
    const callback = await signInAndApprove(new CookieAgent(server.url), url, other);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(tokens.access_token).toBeTruthy();
  });

  it('refuses the same request unsigned, and a request object replayed', async () => {
    const { parameters } = await requestParameters();
    const plain = await fetch(client.buildAuthorizationUrl(config, parameters), { redirect: 'manual' });
    expect(plain.status).toBe(302);
    expect(location(plain, server.url).searchParams.get('error')).toBe('invalid_request');
    const url = await client.buildAuthorizationUrlWithJAR(config, parameters, privateKey);
    await fetch(url, { redirect: 'manual' });
    // The query names no redirect_uri beside the object, so the error page answers (nothing is redirected).
    const replayed = await fetch(url, { redirect: 'manual' });
    expect(replayed.status).toBe(400);
    expect(await replayed.text()).toContain('already used');
  });
});
