import { env, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/crypto/hash';
import { createApp } from '../../worker/app';
import {
  adminToken,
  authorizeAndApprove,
  authorizePath,
  Browser,
  basic,
  expectOAuthError,
  get,
  ORIGIN,
  post,
  postJson,
  type RegisteredClient,
  registerClient,
  signedInBrowser,
} from './helpers';

const REDIRECT = 'https://par.example.com/cb';
const REQUEST_URI = /^urn:ietf:params:oauth:request_uri:[0-9a-z]{2}[A-Za-z0-9_-]{43}$/;

type Client = RegisteredClient;

function b64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

async function pkce() {
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = b64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  return { verifier, challenge };
}

function authHeaders(client: Client): Record<string, string> {
  return client.client_secret === undefined
    ? {}
    : { Authorization: basic(client.client_id, client.client_secret) };
}

function pushRaw(client: Client, form: Record<string, string> | string) {
  const body =
    typeof form === 'string'
      ? form
      : { ...(client.client_secret === undefined ? { client_id: client.client_id } : {}), ...form };
  return post('/oauth/par', body, authHeaders(client));
}

async function validRequest(extra: Record<string, string> = {}) {
  const { verifier, challenge } = await pkce();
  const params = {
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid read',
    state: `s-${crypto.randomUUID()}`,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
  return { verifier, params };
}

async function push(client: Client, extra: Record<string, string> = {}) {
  const { verifier, params } = await validRequest(extra);
  const res = await pushRaw(client, params);
  expect(res.status, await res.clone().text()).toBe(201);
  const body = (await res.json()) as { request_uri: string; expires_in: number };
  return { ...body, verifier, params };
}

async function onPushedRow(requestUri: string, sql: string, ...bindings: number[]): Promise<unknown[]> {
  const reference = requestUri.slice('urn:ietf:params:oauth:request_uri:'.length);
  const stub = env.AUTH_ACTOR.get(env.AUTH_ACTOR.idFromName(`auth-${reference.slice(0, 2)}`));
  const hash = await sha256(reference);
  return runInDurableObject(stub, (_instance, state) =>
    state.storage.sql.exec(sql.replace('$ref', '?'), ...bindings, hash).toArray(),
  );
}

let web: Client;
let native: Client;
let strict: Client;

beforeAll(async () => {
  web = await registerClient({
    client_name: 'PAR web',
    redirect_uris: [REDIRECT],
    scope: 'openid read write',
  });
  native = await registerClient({
    client_name: 'PAR native',
    redirect_uris: ['http://127.0.0.1/cb'],
    token_endpoint_auth_method: 'none',
  });
  strict = await registerClient({
    client_name: 'PAR only',
    redirect_uris: [REDIRECT],
    require_pushed_authorization_requests: true,
  });
});

describe('Pushed Authorization Request endpoint (RFC 9126 §2)', () => {
  it('answers 201 with a single request_uri and expires_in 60', async () => {
    const { params } = await validRequest();
    const res = await pushRaw(web, params);
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toContain('no-store');
    const body = (await res.json()) as { request_uri: string; expires_in: number };
    expect(body.request_uri).toMatch(REQUEST_URI);
    expect(body.expires_in).toBe(60);
  });

  it('authenticates confidential clients; public clients send client_id', async () => {
    const { params } = await validRequest();
    await expectOAuthError(
      await post('/oauth/par', { ...params, client_id: web.client_id }),
      401,
      'invalid_client',
    );
    await expectOAuthError(
      await post('/oauth/par', params, { Authorization: basic(web.client_id, 'wrong') }),
      401,
      'invalid_client',
    );
    await expectOAuthError(await post('/oauth/par', params), 401, 'invalid_client');
    const publicPush = await pushRaw(native, { ...params, redirect_uri: 'http://127.0.0.1:5555/cb' });
    expect(publicPush.status, await publicPush.clone().text()).toBe(201);
  });

  it('validates the request like the authorization endpoint, answering JSON errors', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ request_uri: 'urn:ietf:params:oauth:request_uri:abc' }, 'invalid_request'],
      [{ redirect_uri: 'https://evil.example.com/cb' }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ scope: 'admin' }, 'invalid_scope'],
      [{ request: 'eyJhbGciOiJub25lIn0.e30.' }, 'invalid_request_object'],
      [{ prompt: 'none login' }, 'invalid_request'],
      [{ max_age: '-1' }, 'invalid_request'],
      [{ state: 'x'.repeat(5000) }, 'invalid_request'],
    ];
    for (const [extra, error] of cases) {
      const { params } = await validRequest(extra);
      await expectOAuthError(await pushRaw(web, params), 400, error);
    }
    const { params } = await validRequest();
    const { code_challenge: _, ...noChallenge } = params;
    await expectOAuthError(await pushRaw(web, noChallenge), 400, 'invalid_request');
    const { response_type: __, ...noType } = params;
    await expectOAuthError(await pushRaw(web, noType), 400, 'invalid_request');
  });

  it('refuses clients without the authorization code grant', async () => {
    const machine = await registerClient({ client_name: 'Machine', grant_types: ['client_credentials'] });
    const { params } = await validRequest();
    await expectOAuthError(await pushRaw(machine, params), 400, 'unauthorized_client');
  });

  it('answers hostile bodies with 4xx, never a 500', async () => {
    const headers = authHeaders(web);
    const repeated = await post('/oauth/par', 'response_type=code&response_type=code', headers);
    await expectOAuthError(repeated, 400, 'invalid_request');
    const broken = await post('/oauth/par', 'response_type=%ZZ', headers);
    await expectOAuthError(broken, 400, 'invalid_request');
    const nul = await post('/oauth/par', 'response_type=code&state=a%00b', headers);
    await expectOAuthError(nul, 400, 'invalid_request');
    const big = await post('/oauth/par', { state: 'x'.repeat(200_000) }, headers);
    expect(big.status).toBe(413);
    const json = await postJson('/oauth/par', { response_type: 'code' }, headers);
    await expectOAuthError(json, 400, 'invalid_request');
    const wrongMethod = await get('/oauth/par');
    expect(wrongMethod.status).toBe(405);
  });
});

describe('Authorization requests with a request_uri (RFC 9126 §4)', () => {
  it('uses the pushed parameters, ignoring others in the front channel, and the code redeems', async () => {
    const browser = await signedInBrowser('par');
    const pushed = await push(web);
    const redirect = await authorizeAndApprove(browser, {
      client_id: web.client_id,
      request_uri: pushed.request_uri,
      redirect_uri: 'https://evil.example.com/cb',
      state: 'front-channel',
      scope: 'write',
    });
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT);
    expect(redirect.searchParams.get('state')).toBe(pushed.params.state);
    const code = redirect.searchParams.get('code') as string;
    expect(code).toBeTruthy();
    const res = await post(
      '/oauth/token',
      { grant_type: 'authorization_code', code, code_verifier: pushed.verifier, redirect_uri: REDIRECT },
      authHeaders(web),
    );
    const tokens = (await res.json()) as Record<string, string>;
    expect(res.status, JSON.stringify(tokens)).toBe(200);
    expect(tokens.scope).toBe('openid read');
    expect(tokens.id_token).toBeTruthy();
  });

  it('is single use', async () => {
    const browser = await signedInBrowser('par');
    const pushed = await push(web);
    const params = { client_id: web.client_id, request_uri: pushed.request_uri };
    await authorizeAndApprove(browser, params);
    const again = await browser.get(authorizePath(params));
    expect(again.status).toBe(400);
    expect(again.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await again.text()).toContain('request_uri');
  });

  it('expires after 60 seconds', async () => {
    const browser = await signedInBrowser('par');
    const pushed = await push(web);
    await onPushedRow(pushed.request_uri, 'UPDATE pushed SET expires_at = ? WHERE ref_hash = $ref', 1);
    const res = await browser.get(
      authorizePath({ client_id: web.client_id, request_uri: pushed.request_uri }),
    );
    expect(res.status).toBe(400);
  });

  it('belongs to the client that pushed it, and a mismatch does not use it up', async () => {
    const browser = await signedInBrowser('par');
    const pushed = await push(web);
    const wrong = await browser.get(
      authorizePath({ client_id: native.client_id, request_uri: pushed.request_uri }),
    );
    expect(wrong.status).toBe(400);
    const missing = await browser.get(authorizePath({ request_uri: pushed.request_uri }));
    expect(missing.status).toBe(400);
    const redirect = await authorizeAndApprove(browser, {
      client_id: web.client_id,
      request_uri: pushed.request_uri,
    });
    expect(redirect.searchParams.get('code')).toBeTruthy();
  });

  it('survives the trip to the sign-in page, which keeps it for the interaction', async () => {
    const pushed = await push(web);
    const browser = new Browser();
    const start = await browser.get(
      authorizePath({ client_id: web.client_id, request_uri: pushed.request_uri }),
    );
    expect(start.status).toBe(302);
    const login = new URL(start.headers.get('location') as string, ORIGIN);
    const returnTo = login.searchParams.get('return_to') as string;
    expect(returnTo).toContain(encodeURIComponent(pushed.request_uri));
    const [row] = (await onPushedRow(
      pushed.request_uri,
      'SELECT expires_at FROM pushed WHERE ref_hash = $ref',
    )) as {
      expires_at: number;
    }[];
    expect(row?.expires_at).toBeGreaterThan(Date.now() / 1000 + 500);

    const username = `par-${crypto.randomUUID().slice(0, 8)}`;
    const password = `pw-${crypto.randomUUID()}`;
    await postJson(
      '/admin/api/users',
      { username, password },
      { Authorization: `Bearer ${await adminToken()}` },
    );
    const signedIn = await browser.signIn(username, password, returnTo);
    expect(signedIn.headers.get('location')).toBe(returnTo);
    const redirect = await authorizeAndApprove(
      browser,
      Object.fromEntries(new URL(returnTo, ORIGIN).searchParams),
    );
    expect(redirect.searchParams.get('code')).toBeTruthy();
    expect(redirect.searchParams.get('state')).toBe(pushed.params.state);
  });

  it('is used up by an error answered to the client too', async () => {
    const browser = await signedInBrowser('par');
    const pushed = await push(web, { prompt: 'none' });
    const res = await browser.get(
      authorizePath({ client_id: web.client_id, request_uri: pushed.request_uri }),
    );
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location') as string).searchParams.get('error')).toBe('consent_required');
    const again = await browser.get(
      authorizePath({ client_id: web.client_id, request_uri: pushed.request_uri }),
    );
    expect(again.status).toBe(400);
  });

  it('answers malformed or hostile request_uri values with the error page', async () => {
    const browser = await signedInBrowser('par');
    for (const value of [
      'urn:ietf:params:oauth:request_uri:',
      'https://evil.example.com/request',
      `urn:ietf:params:oauth:request_uri:${'a'.repeat(3000)}`,
      'urn:ietf:params:oauth:request_uri:<script>',
      `urn:ietf:params:oauth:request_uri:00${'A'.repeat(43)}`,
    ]) {
      const res = await browser.get(authorizePath({ client_id: web.client_id, request_uri: value }));
      expect(res.status, value).toBe(400);
      expect(await res.text()).not.toContain('<script>');
    }
  });
  it('reports an unusable request_uri to a registered redirect_uri named in the front channel', async () => {
    const browser = await signedInBrowser('par');
    const res = await browser.get(
      authorizePath({
        client_id: web.client_id,
        request_uri: 'urn:ietf:params:oauth:request_uri:unknown',
        redirect_uri: REDIRECT,
        state: 'st',
      }),
    );
    expect(res.status).toBe(302);
    const url = new URL(res.headers.get('location') as string);
    expect(`${url.origin}${url.pathname}`).toBe(REDIRECT);
    expect(url.searchParams.get('error')).toBe('invalid_request_uri');
    expect(url.searchParams.get('state')).toBe('st');
    const unregistered = await browser.get(
      authorizePath({
        client_id: web.client_id,
        request_uri: 'urn:ietf:params:oauth:request_uri:unknown',
        redirect_uri: 'https://evil.example.com/cb',
      }),
    );
    expect(unregistered.status).toBe(400);
  });
});

describe('Requiring PAR (RFC 9126 §5, §6)', () => {
  it('refuses a front-channel request of a client registered with require_pushed_authorization_requests', async () => {
    const browser = await signedInBrowser('par');
    const { params } = await validRequest();
    const res = await browser.get(authorizePath({ ...params, client_id: strict.client_id }));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') as string);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe(params.state);
    const pushed = await push(strict);
    const redirect = await authorizeAndApprove(browser, {
      client_id: strict.client_id,
      request_uri: pushed.request_uri,
    });
    expect(redirect.searchParams.get('code')).toBeTruthy();
  });

  it('refuses every front-channel request with OAUTH2_REQUIRE_PAR=true, and says so in discovery', async () => {
    const app = createApp();
    const configured = { ...env, OAUTH2_REQUIRE_PAR: 'true' };
    const { params } = await validRequest();
    const res = await app.request(
      `${ORIGIN}${authorizePath({ ...params, client_id: web.client_id })}`,
      {},
      configured,
    );
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location') as string).searchParams.get('error')).toBe('invalid_request');
    const metadata = (await (
      await app.request(`${ORIGIN}/.well-known/oauth-authorization-server`, {}, configured)
    ).json()) as Record<string, unknown>;
    expect(metadata.require_pushed_authorization_requests).toBe(true);
  });

  it('is advertised in discovery, not required by default', async () => {
    const metadata = (await (await get('/.well-known/openid-configuration')).json()) as Record<
      string,
      unknown
    >;
    expect(metadata.pushed_authorization_request_endpoint).toBe(`${ORIGIN}/oauth/par`);
    expect(metadata.require_pushed_authorization_requests).toBe(false);
  });

  it('is a client field of the registration and admin APIs', async () => {
    const token = await adminToken();
    const created = await postJson(
      '/admin/api/clients',
      { client_name: 'Admin PAR', redirect_uris: [REDIRECT], require_pushed_authorization_requests: true },
      { Authorization: `Bearer ${token}` },
    );
    const body = (await created.json()) as Record<string, unknown>;
    expect(created.status, JSON.stringify(body)).toBe(201);
    expect(body.require_pushed_authorization_requests).toBe(true);
    const bad = await postJson(
      '/admin/api/clients',
      { client_name: 'Bad', redirect_uris: [REDIRECT], require_pushed_authorization_requests: 'yes' },
      { Authorization: `Bearer ${token}` },
    );
    await expectOAuthError(bad, 400, 'invalid_request');
    const badRegistration = await postJson(
      '/connect/register',
      { redirect_uris: [REDIRECT], require_pushed_authorization_requests: 'yes' },
      { Authorization: `Bearer ${token}` },
    );
    await expectOAuthError(badRegistration, 400, 'invalid_client_metadata');
  });
});
