/**
 * RFC 8628 device flow and RFC 9126 PAR end to end against the built Worker bundle under Miniflare: a
 * scripted device (openid-client 6 `initiateDeviceAuthorization` + `pollDeviceAuthorizationGrant`) polls
 * while a browser (CookieAgent) signs in on the login page and approves on the verification page; and
 * openid-client drives PAR + PKCE (`buildAuthorizationUrlWithPAR`) for a confidential and a public client.
 */
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  CookieAgent,
  createUser,
  formInputs,
  insecure,
  location,
  REDIRECT_URI,
  type RegisteredClient,
  registerClient,
  signInAndApprove,
  startServer,
  type TestServer,
  type TestUser,
} from './support';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

let server: TestServer;
let user: TestUser;
let device: RegisteredClient;
let confidential: RegisteredClient;
let publicClient: RegisteredClient;

beforeAll(async () => {
  // A 1-second interval keeps the polling device quick; the protocol is the same.
  server = await startServer({ OAUTH2_DEVICE_CODE_INTERVAL_SECS: '1' });
  const token = await adminToken(server);
  user = await createUser(server, token);
  device = await registerClient(server, token, {
    client_name: 'Scripted TV',
    grant_types: [DEVICE_GRANT, 'refresh_token'],
    token_endpoint_auth_method: 'none',
  });
  confidential = await registerClient(server, token, {
    client_name: 'PAR confidential',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    require_pushed_authorization_requests: true,
  });
  publicClient = await registerClient(server, token, {
    client_name: 'PAR public',
    redirect_uris: [REDIRECT_URI],
    token_endpoint_auth_method: 'none',
  });
});

afterAll(async () => {
  await server?.stop();
});

/** The browser's part: open the verification URI, sign in, confirm the code, decide. */
async function browserDecides(verificationUri: string, decision: 'approve' | 'deny'): Promise<void> {
  const agent = new CookieAgent(server.url);
  const first = await agent.fetch(verificationUri);
  expect(first.status).toBe(302);
  const loginUrl = location(first, server.url);
  expect(loginUrl.pathname).toBe('/auth/login');
  const loginPage = await agent.fetch(loginUrl);
  const signedIn = await agent.postForm('/auth/login', {
    ...formInputs(await loginPage.text()),
    username: user.username,
    password: user.password,
  });
  expect(signedIn.status).toBe(303);
  const confirm = await agent.fetch(location(signedIn, server.url));
  const html = await confirm.text();
  expect(confirm.status, html).toBe(200);
  expect(html).toContain('Scripted TV');
  const form = formInputs(html);
  const decided = await agent.postForm('/oauth/device/verify', {
    csrf_token: form.csrf_token as string,
    user_code: form.user_code as string,
    decision,
  });
  expect(decided.status).toBe(303);
  expect(location(decided, server.url).searchParams.get('done')).toBe(
    decision === 'approve' ? 'approved' : 'denied',
  );
}

describe('Device authorization grant (RFC 8628) with openid-client 6', () => {
  let config: client.Configuration;

  beforeAll(async () => {
    config = await client.discovery(
      new URL(server.url),
      device.client_id,
      undefined,
      client.None(),
      insecure,
    );
  });

  it('discovery advertises the device authorization endpoint', () => {
    const metadata = config.serverMetadata();
    expect(metadata.device_authorization_endpoint).toBe(`${server.url}/oauth/device_authorization`);
    expect(metadata.grant_types_supported).toContain(DEVICE_GRANT);
  });

  it('a polling device gets tokens once a browser signs in and approves', async () => {
    const started = await client.initiateDeviceAuthorization(config, {
      scope: 'openid profile offline_access',
    });
    expect(started.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(started.verification_uri).toBe(`${server.url}/oauth/device/verify`);
    expect(started.interval).toBe(1);
    const polling = client.pollDeviceAuthorizationGrant(config, started);
    // The device is polling (authorization_pending) while the user takes a moment.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await browserDecides(started.verification_uri_complete as string, 'approve');
    const tokens = await polling;
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toMatch(/^ort_/);
    expect(tokens.claims()?.sub).toBe(user.id);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.access_token).toBeTruthy();
  });

  it('a denial reaches the polling device as access_denied', async () => {
    const started = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    const polling = client.pollDeviceAuthorizationGrant(config, started).then(
      () => null,
      (error: { error?: string }) => error,
    );
    await browserDecides(started.verification_uri_complete as string, 'deny');
    expect((await polling)?.error).toBe('access_denied');
  });

  it('a device polling too fast is told slow_down', async () => {
    const started = await client.initiateDeviceAuthorization(config, {});
    const poll = () =>
      fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: DEVICE_GRANT,
          device_code: started.device_code,
          client_id: device.client_id,
        }),
      }).then((res) => res.json() as Promise<{ error: string }>);
    expect((await poll()).error).toBe('authorization_pending');
    expect((await poll()).error).toBe('slow_down');
  });
});

describe.each([
  { kind: 'confidential client (client_secret_basic)', registered: () => confidential, basic: true },
  { kind: 'public client (none)', registered: () => publicClient, basic: false },
])('Pushed authorization requests (RFC 9126) + PKCE with openid-client 6, $kind', ({ registered, basic }) => {
  it('pushes, signs in, approves and redeems the code', async () => {
    const auth = basic ? client.ClientSecretBasic(String(registered().client_secret)) : client.None();
    const config = await client.discovery(
      new URL(server.url),
      registered().client_id,
      undefined,
      auth,
      insecure,
    );
    expect(config.serverMetadata().pushed_authorization_request_endpoint).toBe(`${server.url}/oauth/par`);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const callback = await signInAndApprove(new CookieAgent(server.url), url, user);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(tokens.claims()?.sub).toBe(user.id);
    // The request_uri was single use.
    const again = await fetch(url, { redirect: 'manual' });
    expect(again.status).toBe(400);
  });
});

describe('A client registered with require_pushed_authorization_requests', () => {
  it('cannot send its request through the front channel', async () => {
    const config = await client.discovery(
      new URL(server.url),
      confidential.client_id,
      undefined,
      client.ClientSecretBasic(String(confidential.client_secret)),
      insecure,
    );
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: 'front',
    });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = location(res, server.url);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('state')).toBe('front');
  });
});
