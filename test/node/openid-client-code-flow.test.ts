/**
 * Authorization code flow end to end with openid-client 6, unmodified, against the built Worker bundle served
 * by Miniflare (bench/lib/server.mjs) over HTTP on loopback: PKCE S256, state, nonce, RFC 9207 `iss`, ID token
 * validation, userinfo and refresh-token rotation, for a confidential (client_secret_basic) and a public
 * (`none`) client. The user's part (sign in, consent) is played by a cookie-keeping fetch client.
 */
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  CookieAgent,
  createUser,
  insecure,
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
let user: TestUser;
let confidential: RegisteredClient;
let publicClient: RegisteredClient;

beforeAll(async () => {
  server = await startServer();
  const token = await adminToken(server);
  user = await createUser(server, token);
  confidential = await registerClient(server, token, {
    client_name: 'openid-client confidential',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  expect(typeof confidential.client_secret).toBe('string');
  publicClient = await registerClient(server, token, {
    client_name: 'openid-client public',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
  });
  expect(publicClient.client_secret).toBeUndefined();
});

afterAll(async () => {
  await server?.stop();
});

/** What openid-client rejects with: an Error carrying the OAuth `error` (ResponseBodyError) or a `code`. */
interface Rejection {
  error?: string;
  code?: string;
  message: string;
  cause?: { message?: string };
}

async function rejection(promise: Promise<unknown>): Promise<Rejection> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Rejection,
  );
}

const cases = [
  {
    kind: 'confidential client (client_secret_basic)',
    registered: () => confidential,
    auth: () => client.ClientSecretBasic(String(confidential.client_secret)),
  },
  {
    kind: 'public client (none)',
    registered: () => publicClient,
    auth: () => client.None(),
  },
];

describe.each(cases)('openid-client 6: authorization code + PKCE, $kind', ({ registered, auth }) => {
  let config: client.Configuration;
  let callbackUrl: URL;
  let verifier: string;
  let nonce: string;
  let state: string;
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;

  beforeAll(async () => {
    config = await client.discovery(new URL(server.url), registered().client_id, undefined, auth(), insecure);
  });

  it('discovery advertises RFC 9207 iss and PKCE S256', () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(server.url);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.code_challenge_methods_supported).toContain('S256');
    expect(metadata.supportsPKCE()).toBe(true);
  });

  it('signs in and approves; the callback carries code, state and iss', async () => {
    verifier = client.randomPKCECodeVerifier();
    const challenge = await client.calculatePKCECodeChallenge(verifier);
    nonce = client.randomNonce();
    state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: SCOPE,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    expect(authorizationUrl.href.startsWith(`${server.url}/oauth/authorize?`)).toBe(true);

    callbackUrl = await signInAndApprove(new CookieAgent(server.url), authorizationUrl, user);
    expect(`${callbackUrl.origin}${callbackUrl.pathname}`).toBe(REDIRECT_URI);
    expect(callbackUrl.searchParams.get('state')).toBe(state);
    expect(callbackUrl.searchParams.get('iss')).toBe(server.url);
    expect(callbackUrl.searchParams.get('code')).toBeTruthy();
    expect(callbackUrl.searchParams.get('error')).toBeNull();
  });

  it('openid-client refuses a callback with a wrong iss (RFC 9207) or a wrong state before redeeming', async () => {
    const wrongIss = new URL(callbackUrl);
    wrongIss.searchParams.set('iss', 'http://127.0.0.1:1');
    const issError = await rejection(
      client.authorizationCodeGrant(config, wrongIss, {
        pkceCodeVerifier: verifier,
        expectedNonce: nonce,
        expectedState: state,
      }),
    );
    // openid-client wraps oauth4webapi's check: "unexpected "iss" (issuer) response parameter value".
    expect(issError.code).toBe('OAUTH_INVALID_RESPONSE');
    expect(issError.cause?.message).toMatch(/"iss"/);

    const stateError = await rejection(
      client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: verifier,
        expectedNonce: nonce,
        expectedState: client.randomState(),
      }),
    );
    expect(stateError.code).toBe('OAUTH_INVALID_RESPONSE');
    expect(stateError.cause?.message).toMatch(/"state"/);
  });

  it('exchanges the code (PKCE) and validates the ID token (nonce)', async () => {
    tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(typeof tokens.access_token).toBe('string');
    expect(tokens.expiresIn()).toBeGreaterThan(0);
    expect(new Set(tokens.scope?.split(' '))).toEqual(new Set(SCOPE.split(' ')));
    expect(typeof tokens.id_token).toBe('string');

    const claims = tokens.claims();
    expect(claims?.iss).toBe(server.url);
    expect(claims?.sub).toBe(user.id);
    expect(claims?.aud).toBe(registered().client_id);
    expect(claims?.nonce).toBe(nonce);
    expect(typeof claims?.auth_time).toBe('number');
  });

  it('fetches userinfo: sub, email and profile claims', async () => {
    const info = await client.fetchUserInfo(config, tokens.access_token, user.id);
    expect(info.sub).toBe(user.id);
    expect(info.email).toBe(user.email);
    expect(info.name).toBe(user.name);
    expect(info.preferred_username).toBe(user.username);
  });

  it('refreshes with rotation; the rotated-out token is refused with invalid_grant', async () => {
    const first = tokens.refresh_token;
    expect(typeof first, 'a refresh token for scope offline_access').toBe('string');

    const refreshed = await client.refreshTokenGrant(config, first as string);
    expect(typeof refreshed.access_token).toBe('string');
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    const second = refreshed.refresh_token;
    expect(typeof second).toBe('string');
    expect(second).not.toBe(first);

    // The new access token works at userinfo.
    expect((await client.fetchUserInfo(config, refreshed.access_token, user.id)).sub).toBe(user.id);

    // Reusing the rotated-out token is refused (no benign-retry window by default) ...
    const reuse = await rejection(client.refreshTokenGrant(config, first as string));
    expect(reuse.error).toBe('invalid_grant');

    // ... and revokes the whole family (RFC 9700 §4.14.2): the successor is dead too.
    const successor = await rejection(client.refreshTokenGrant(config, second as string));
    expect(successor.error).toBe('invalid_grant');
  });

  it('the code is single-use: a second redemption is refused with invalid_grant', async () => {
    const replay = await rejection(
      client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: verifier,
        expectedNonce: nonce,
        expectedState: state,
      }),
    );
    expect(replay.error).toBe('invalid_grant');
  });
});
