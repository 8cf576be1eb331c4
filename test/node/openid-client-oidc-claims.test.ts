/**
 * OpenID Connect ID token contents and the `claims` request parameter with openid-client 6, unmodified,
 * against the built Worker bundle (bench/lib/server.mjs): the ID token openid-client validates carries
 * `auth_time`, `amr` and `acr` (maxAge makes openid-client check `auth_time` itself), and a `claims`
 * request asking for an essential `acr` the password sign-in meets is answered.
 */
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  CookieAgent,
  createUser,
  discoverAsClient,
  REDIRECT_URI,
  type RegisteredClient,
  registerClient,
  signInAndApprove,
  startServer,
  type TestServer,
  type TestUser,
} from './support';

const BRONZE = 'urn:mace:incommon:iap:bronze';
const MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

let server: TestServer;
let user: TestUser;
let registered: RegisteredClient;
let config: client.Configuration;

beforeAll(async () => {
  server = await startServer();
  const token = await adminToken(server);
  user = await createUser(server, token);
  registered = await registerClient(server, token, {
    client_name: 'openid-client claims',
    redirect_uris: [REDIRECT_URI],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  config = await discoverAsClient(server, registered);
});

afterAll(async () => {
  await server?.stop();
});

describe('openid-client 6: ID token auth_time, amr, acr and the claims parameter', () => {
  it('discovery advertises the claims parameter and the acr values', () => {
    const metadata = config.serverMetadata();
    expect(metadata.claims_parameter_supported).toBe(true);
    expect(metadata.acr_values_supported).toEqual([BRONZE, MFA]);
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['auth_time', 'amr', 'acr']));
  });

  it('validates an ID token with auth_time, amr and acr for a claims request with an essential acr', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      max_age: '600',
      acr_values: `${MFA} ${BRONZE}`,
      claims: JSON.stringify({ id_token: { acr: { essential: true, values: [BRONZE] }, auth_time: null } }),
    });
    const callbackUrl = await signInAndApprove(new CookieAgent(server.url), authorizationUrl, user);
    expect(callbackUrl.searchParams.get('error')).toBeNull();
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      maxAge: 600,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    expect(claims?.sub).toBe(user.id);
    expect(typeof claims?.auth_time).toBe('number');
    expect(claims?.amr).toEqual(['pwd']);
    expect(claims?.acr).toBe(BRONZE);
    expect(typeof claims?.at_hash).toBe('string');
  });
});
