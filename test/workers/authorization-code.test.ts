import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientRecord } from '../../src/storage/ports';
import {
  ADMIN_ID,
  ADMIN_SECRET,
  adminToken,
  Browser,
  basic,
  expectOAuthError,
  get,
  inputValue,
  ORIGIN,
  post,
  postJson,
} from './helpers';

const WEB_REDIRECT = 'https://app.example.com/callback';
const POST_LOGOUT = 'https://app.example.com/signed-out';

interface Client {
  client_id: string;
  client_secret?: string;
}

async function register(metadata: Record<string, unknown>): Promise<Client> {
  const res = await postJson('/connect/register', metadata, {
    Authorization: `Bearer ${await adminToken()}`,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Client;
}

async function createUser(role: 'user' | 'admin' = 'user') {
  const username = `user-${crypto.randomUUID().slice(0, 8)}`;
  const password = `pw-${crypto.randomUUID()}`;
  const res = await postJson(
    '/admin/api/users',
    { username, password, email: `${username}@example.com`, name: 'Ada Lovelace', role },
    { Authorization: `Bearer ${await adminToken()}` },
  );
  expect(res.status, await res.clone().text()).toBe(201);
  const { id } = (await res.json()) as { id: string };
  return { id, username, password };
}

async function pkce() {
  const verifier = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const challenge = btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  return { verifier, challenge };
}

function authorizePath(params: Record<string, string>): string {
  return `/oauth/authorize?${new URLSearchParams(params)}`;
}

/** A signed-in browser and the parameters of a valid request for `client`. */
async function session(user?: { username: string; password: string }) {
  const browser = new Browser();
  const who = user ?? (await createUser());
  const res = await browser.signIn(who.username, who.password);
  expect(res.status).toBe(303);
  return browser;
}

function location(res: Response): URL {
  const value = res.headers.get('location');
  expect(value, `status ${res.status}`).toBeTruthy();
  return new URL(value as string, ORIGIN);
}

/** Follows authorize → (consent approve) → redirect; returns the redirect URL. */
async function authorizeAndApprove(browser: Browser, params: Record<string, string>): Promise<URL> {
  let res = await browser.get(authorizePath(params));
  if (res.status === 200) {
    const html = await res.text();
    res = await browser.postForm('/oauth/consent', {
      csrf_token: inputValue(html, 'csrf_token') as string,
      request_id: inputValue(html, 'request_id') as string,
      decision: 'approve',
    });
    expect(res.status).toBe(303);
  }
  return location(res);
}

/** A GET through a fresh app and env object: its client cache has not seen the client yet. */
async function freshGet(browser: Browser, path: string): Promise<Response> {
  const { env } = await import('cloudflare:test');
  const { createApp } = await import('../../worker/app');
  const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  return createApp().request(`${ORIGIN}${path}`, { headers: { Cookie: cookie } }, { ...env });
}

/** Changes a client's stored record directly, bypassing the admin API's checks. */
async function patchClient(clientId: string, patch: (record: ClientRecord) => ClientRecord): Promise<void> {
  const { env } = await import('cloudflare:test');
  const stub = env.CLIENT_ACTOR.get(env.CLIENT_ACTOR.idFromName(clientId));
  const record = (await stub.get(clientId)) as ClientRecord | null;
  if (!record) throw new Error('client missing');
  await stub.replace(patch(record));
}

function exchange(client: Client, form: Record<string, string>) {
  const headers: Record<string, string> =
    client.client_secret === undefined
      ? {}
      : { Authorization: basic(client.client_id, client.client_secret) };
  const body = client.client_secret === undefined ? { ...form, client_id: client.client_id } : form;
  return post('/oauth/token', { grant_type: 'authorization_code', ...body }, headers);
}

let web: Client;
let spa: Client;
let firstParty: Client;

beforeAll(async () => {
  web = await register({
    client_name: 'Web app',
    redirect_uris: [WEB_REDIRECT],
    post_logout_redirect_uris: [POST_LOGOUT],
    grant_types: ['authorization_code', 'refresh_token'],
  });
  spa = await register({
    client_name: 'Native app',
    redirect_uris: ['http://127.0.0.1/callback'],
    token_endpoint_auth_method: 'none',
  });
  // First-party clients skip consent; the flag is set by admins.
  firstParty = await register({ client_name: 'Console', redirect_uris: ['https://console.example.com/cb'] });
  await patchClient(firstParty.client_id, (record) => ({
    ...record,
    firstParty: true,
    scope: `${record.scope} admin`,
  }));
});

describe('Authorization Code Grant (RFC 6749 §4.1) with PKCE (RFC 7636)', () => {
  it('runs the whole flow: sign in, consent, code with state and iss, tokens, ID token', async () => {
    const user = await createUser();
    const browser = new Browser();
    const { verifier, challenge } = await pkce();
    const params = {
      response_type: 'code',
      client_id: web.client_id,
      redirect_uri: WEB_REDIRECT,
      scope: 'openid profile email',
      state: 'xyz-state',
      nonce: 'n-0S6_WzA2Mj',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const first = await browser.get(authorizePath(params));
    expect(first.status).toBe(302);
    const login = location(first);
    expect(login.pathname).toBe('/auth/login');
    const returnTo = login.searchParams.get('return_to') as string;
    expect(returnTo.startsWith('/oauth/authorize?')).toBe(true);

    const signedIn = await browser.signIn(user.username, user.password, returnTo);
    expect(signedIn.status).toBe(303);
    expect(location(signedIn).pathname + location(signedIn).search).toBe(returnTo);

    const consent = await browser.get(returnTo);
    expect(consent.status).toBe(200);
    const html = await consent.text();
    expect(html).toContain('Web app');
    expect(html).toContain('name="decision"');
    const approved = await browser.postForm('/oauth/consent', {
      csrf_token: inputValue(html, 'csrf_token') as string,
      request_id: inputValue(html, 'request_id') as string,
      decision: 'approve',
    });
    expect(approved.status).toBe(303);
    const redirect = location(approved);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(WEB_REDIRECT);
    expect(redirect.searchParams.get('state')).toBe('xyz-state');
    expect(redirect.searchParams.get('iss')).toBe(ORIGIN);
    const code = redirect.searchParams.get('code') as string;

    const res = await exchange(web, { code, code_verifier: verifier, redirect_uri: WEB_REDIRECT });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const tokens = (await res.json()) as Record<string, string>;
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.scope).toBe('openid profile email');

    const jwks = createLocalJWKSet((await (await get('/.well-known/jwks.json')).json()) as JSONWebKeySet);
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token as string, jwks, {
      issuer: ORIGIN,
      audience: web.client_id,
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.sub).toBe(user.id);
    expect(payload.nonce).toBe('n-0S6_WzA2Mj');
    expect(typeof payload.auth_time).toBe('number');
    expect(typeof payload.sid).toBe('string');
    expect(typeof payload.at_hash).toBe('string');
    const access = await jwtVerify(tokens.access_token as string, jwks, { issuer: ORIGIN, typ: 'at+jwt' });
    expect(access.payload.sub).toBe(user.id);
    expect(access.payload.client_id).toBe(web.client_id);
  });

  it('remembers consent: a second request within the same scopes skips the screen', async () => {
    const browser = await session();
    const { challenge } = await pkce();
    const params = {
      response_type: 'code',
      client_id: web.client_id,
      redirect_uri: WEB_REDIRECT,
      scope: 'openid email',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    await authorizeAndApprove(browser, params);
    const again = await browser.get(authorizePath({ ...params, scope: 'openid' }));
    expect(again.status).toBe(302);
    expect(location(again).searchParams.get('code')).toBeTruthy();
    // prompt=consent asks again even so.
    expect((await browser.get(authorizePath({ ...params, prompt: 'consent' }))).status).toBe(200);
  });

  it('returns access_denied with state and iss when the user denies', async () => {
    const browser = await session();
    const { challenge } = await pkce();
    const res = await browser.get(
      authorizePath({
        response_type: 'code',
        client_id: web.client_id,
        redirect_uri: WEB_REDIRECT,
        scope: 'openid',
        state: 's1',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    const html = await res.text();
    const denied = await browser.postForm('/oauth/consent', {
      csrf_token: inputValue(html, 'csrf_token') as string,
      request_id: inputValue(html, 'request_id') as string,
      decision: 'deny',
    });
    const url = location(denied);
    expect(url.searchParams.get('error')).toBe('access_denied');
    expect(url.searchParams.get('state')).toBe('s1');
    expect(url.searchParams.get('iss')).toBe(ORIGIN);
    expect(url.searchParams.get('code')).toBeNull();
  });

  it('first-party clients skip the consent screen', async () => {
    const browser = await session();
    const { challenge } = await pkce();
    const res = await freshGet(
      browser,
      authorizePath({
        response_type: 'code',
        client_id: firstParty.client_id,
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(res.status).toBe(302);
    expect(location(res).origin).toBe('https://console.example.com');
    expect(location(res).searchParams.get('code')).toBeTruthy();
  });

  it('a consent form without its CSRF token is refused', async () => {
    const browser = await session();
    const { challenge } = await pkce();
    const page = await browser.get(
      authorizePath({
        response_type: 'code',
        client_id: web.client_id,
        redirect_uri: WEB_REDIRECT,
        scope: 'openid profile',
        prompt: 'consent',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    const html = await page.text();
    const res = await browser.postForm('/oauth/consent', {
      request_id: inputValue(html, 'request_id') as string,
      decision: 'approve',
    });
    expect(res.status).toBe(403);
  });
});

describe('Authorization request validation (RFC 6749 §4.1.2.1, RFC 9207, RFC 9700 §4.1)', () => {
  let browser: Browser;
  let challenge: string;
  beforeAll(async () => {
    browser = await session();
    challenge = (await pkce()).challenge;
  });
  const base = () => ({
    response_type: 'code',
    client_id: web.client_id,
    redirect_uri: WEB_REDIRECT,
    scope: 'openid',
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });

  it.each([
    ['an unknown client', { client_id: 'client_nope' }],
    ['a suffix on the redirect URI', { redirect_uri: `${WEB_REDIRECT}/evil` }],
    ['a different case', { redirect_uri: WEB_REDIRECT.toUpperCase() }],
    ['a fragment', { redirect_uri: `${WEB_REDIRECT}#x` }],
    ['userinfo', { redirect_uri: 'https://app.example.com@evil.example/callback' }],
    ['an encoded path', { redirect_uri: 'https://app.example.com/%63allback' }],
    ['an extra query', { redirect_uri: `${WEB_REDIRECT}?next=evil` }],
    ['a trailing slash', { redirect_uri: `${WEB_REDIRECT}/` }],
    ['http instead of https', { redirect_uri: WEB_REDIRECT.replace('https:', 'http:') }],
    ['another host', { redirect_uri: 'https://evil.example/callback' }],
  ])('shows an error page, never a redirect, for %s', async (_name, override) => {
    const res = await browser.get(authorizePath({ ...base(), ...override }));
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('refuses a repeated parameter with an error page', async () => {
    const res = await browser.get(`${authorizePath(base())}&scope=admin`);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it.each([
    ['unsupported_response_type', { response_type: 'token' }],
    ['unsupported_response_type', { response_type: 'code id_token' }],
    ['invalid_request', { response_type: '' }],
    ['invalid_request', { code_challenge: '' }],
    ['invalid_request', { code_challenge_method: 'plain' }],
    ['invalid_request', { code_challenge_method: '' }],
    ['invalid_request', { code_challenge: 'too-short' }],
    ['invalid_scope', { scope: 'openid admin' }],
    ['invalid_scope', { scope: 'openid unknown' }],
    ['invalid_request', { prompt: 'none login' }],
    ['invalid_request', { prompt: 'sometimes' }],
    ['invalid_request', { max_age: '-1' }],
    ['invalid_request_object', { request: 'eyJ.x.y' }],
    // PAR (RFC 9126): a pushed-request reference this server did not issue is OIDC's invalid_request_uri;
    // any other request_uri is not dereferenced (RFC 9101 §5.2).
    ['invalid_request_uri', { request_uri: 'urn:ietf:params:oauth:request_uri:abc' }],
    ['request_uri_not_supported', { request_uri: 'urn:example:1' }],
    ['invalid_request', { response_mode: 'fragment' }],
  ])('redirects %s with state and iss for %o', async (error, override) => {
    const params: Record<string, string> = { ...base(), ...override };
    for (const [key, value] of Object.entries(params)) if (value === '') delete params[key];
    const res = await browser.get(authorizePath(params));
    expect(res.status).toBe(302);
    const url = location(res);
    expect(`${url.origin}${url.pathname}`).toBe(WEB_REDIRECT);
    expect(url.searchParams.get('error')).toBe(error);
    expect(url.searchParams.get('state')).toBe('st');
    expect(url.searchParams.get('iss')).toBe(ORIGIN);
  });

  it('answers prompt=none without a session with login_required', async () => {
    const res = await new Browser().get(authorizePath({ ...base(), prompt: 'none' }));
    expect(location(res).searchParams.get('error')).toBe('login_required');
  });

  it('answers prompt=none without consent with consent_required', async () => {
    const fresh = await session();
    const res = await fresh.get(authorizePath({ ...base(), scope: 'openid profile', prompt: 'none' }));
    expect(location(res).searchParams.get('error')).toBe('consent_required');
  });

  it('prompt=login sends a signed-in user back to the login form, and the new sign-in satisfies it', async () => {
    const user = await createUser();
    const fresh = await session(user);
    const res = await fresh.get(authorizePath({ ...base(), prompt: 'login' }));
    const login = location(res);
    expect(login.pathname).toBe('/auth/login');
    expect(login.searchParams.get('prompt')).toBe('login');
    const returnTo = login.searchParams.get('return_to') as string;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await fresh.signIn(user.username, user.password, returnTo);
    const back = await fresh.get(`${location(again).pathname}${location(again).search}`);
    // Consent page (first time for this user), not another login redirect.
    expect(back.status).toBe(200);
  });

  it('max_age=0 forces a new sign-in once any time has passed since the last one', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const res = await browser.get(authorizePath({ ...base(), max_age: '0' }));
    expect(location(res).pathname).toBe('/auth/login');
    expect(location(res).searchParams.get('prompt')).toBe('login');
  });

  it('narrows scope admin away for a non-administrator, and asks an administrator even for a first-party client', async () => {
    const params = {
      response_type: 'code',
      client_id: firstParty.client_id,
      scope: 'openid admin',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    // RFC 6749 §3.3: not refused, narrowed (a first-party client needs no consent for the rest).
    const narrowed = await freshGet(await session(), authorizePath(params));
    expect(location(narrowed).searchParams.get('code')).toBeTruthy();
    const admin = await freshGet(await session(await createUser('admin')), authorizePath(params));
    const page = await admin.text();
    expect(admin.status, page).toBe(200);
    expect(page).toContain('Administer this server: clients, users, signing keys');
  });
});

describe('Token endpoint, authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.6)', () => {
  async function freshCode(client: Client, redirectUri: string, scope = 'openid') {
    const browser = await session();
    const { verifier, challenge } = await pkce();
    const url = await authorizeAndApprove(browser, {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: redirectUri,
      scope,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    return { code: url.searchParams.get('code') as string, verifier };
  }

  it('refuses a wrong code_verifier without burning the code', async () => {
    const { code, verifier } = await freshCode(web, WEB_REDIRECT);
    const wrong = `${verifier.slice(0, -2)}xx`;
    await expectOAuthError(await exchange(web, { code, code_verifier: wrong }), 400, 'invalid_grant');
    expect((await exchange(web, { code, code_verifier: verifier })).status).toBe(200);
  });

  it('requires the code_verifier (no downgrade to a request without PKCE)', async () => {
    const { code } = await freshCode(web, WEB_REDIRECT);
    await expectOAuthError(await exchange(web, { code }), 400, 'invalid_request');
  });

  it('refuses a redirect_uri different from the authorization request', async () => {
    const { code, verifier } = await freshCode(web, WEB_REDIRECT);
    const res = await exchange(web, {
      code,
      code_verifier: verifier,
      redirect_uri: 'https://app.example.com/other',
    });
    await expectOAuthError(res, 400, 'invalid_grant');
  });

  it('refuses a code issued to another client', async () => {
    const { code, verifier } = await freshCode(web, WEB_REDIRECT);
    const res = post(
      '/oauth/token',
      { grant_type: 'authorization_code', code, code_verifier: verifier },
      { Authorization: basic(ADMIN_ID, ADMIN_SECRET) },
    );
    await expectOAuthError(await res, 400, 'unauthorized_client');
  });

  it('a replayed code is refused and revokes the tokens it produced (RFC 9700 §4.5.3)', async () => {
    const { code, verifier } = await freshCode(web, WEB_REDIRECT);
    const first = (await (await exchange(web, { code, code_verifier: verifier })).json()) as {
      access_token: string;
    };
    await expectOAuthError(await exchange(web, { code, code_verifier: verifier }), 400, 'invalid_grant');
    const introspection = await post(
      '/oauth/introspect',
      { token: first.access_token },
      { Authorization: basic(web.client_id, web.client_secret as string) },
    );
    expect(await introspection.json()).toEqual({ active: false });
  });

  it('20 parallel redemptions of one code: exactly one succeeds, none fails with 5xx', async () => {
    const { code, verifier } = await freshCode(web, WEB_REDIRECT);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => exchange(web, { code, code_verifier: verifier })),
    );
    const statuses = results.map((res) => res.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status >= 500)).toHaveLength(0);
  });

  it('a public client redeems with client_id only, on any loopback port (RFC 8252 §7.3)', async () => {
    const { code, verifier } = await freshCode(spa, 'http://127.0.0.1:53682/callback');
    const res = await exchange(spa, {
      code,
      code_verifier: verifier,
      redirect_uri: 'http://127.0.0.1:53682/callback',
    });
    expect(res.status, await res.clone().text()).toBe(200);
  });

  it('a public client must not send a secret, and may not use client_credentials', async () => {
    const res = await post('/oauth/token', { grant_type: 'client_credentials', client_id: spa.client_id });
    await expectOAuthError(res, 400, 'unauthorized_client');
    const withSecret = await post('/oauth/token', {
      grant_type: 'authorization_code',
      code: 'x',
      code_verifier: 'y'.repeat(43),
      client_id: spa.client_id,
      client_secret: 'made-up',
    });
    await expectOAuthError(withSecret, 401, 'invalid_client');
  });

  it('answers invalid_grant for an unknown or malformed code', async () => {
    for (const code of ['nope', `aa${'A'.repeat(43)}`]) {
      const res = await exchange(web, { code, code_verifier: 'v'.repeat(43) });
      await expectOAuthError(res, 400, 'invalid_grant');
    }
  });
});

describe('UserInfo (OIDC Core §5.3) and RP-Initiated Logout', () => {
  async function tokensFor(scope: string) {
    const user = await createUser();
    const browser = await session(user);
    const { verifier, challenge } = await pkce();
    const url = await authorizeAndApprove(browser, {
      response_type: 'code',
      client_id: web.client_id,
      redirect_uri: WEB_REDIRECT,
      scope,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const res = await exchange(web, {
      code: url.searchParams.get('code') as string,
      code_verifier: verifier,
    });
    return { user, browser, tokens: (await res.json()) as { access_token: string; id_token: string } };
  }

  it('returns claims by scope', async () => {
    const { user, tokens } = await tokensFor('openid profile email');
    const res = await get('/oauth/userinfo', { Authorization: `Bearer ${tokens.access_token}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      sub: user.id,
      preferred_username: user.username,
      name: 'Ada Lovelace',
      email: `${user.username}@example.com`,
    });
    const narrow = await tokensFor('openid');
    const only = await (
      await get('/oauth/userinfo', { Authorization: `Bearer ${narrow.tokens.access_token}` })
    ).json();
    expect(only).toEqual({ sub: narrow.user.id });
  });

  it('answers 401 with a Bearer challenge without a token or with a bad one (RFC 6750 §3)', async () => {
    const none = await get('/oauth/userinfo');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const bad = await get('/oauth/userinfo', { Authorization: 'Bearer not-a-token' });
    await expectOAuthError(bad, 401, 'invalid_token');
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('answers 403 insufficient_scope for a token without openid', async () => {
    const res = await get('/oauth/userinfo', { Authorization: `Bearer ${await adminToken('read')}` });
    await expectOAuthError(res, 403, 'insufficient_scope');
  });

  it('logs out with id_token_hint and returns to a registered post_logout_redirect_uri with state', async () => {
    const { browser, tokens } = await tokensFor('openid');
    const res = await browser.get(
      `/oauth/logout?${new URLSearchParams({
        id_token_hint: tokens.id_token,
        post_logout_redirect_uri: POST_LOGOUT,
        state: 'bye',
      })}`,
    );
    expect(res.status).toBe(302);
    const url = location(res);
    expect(`${url.origin}${url.pathname}`).toBe(POST_LOGOUT);
    expect(url.searchParams.get('state')).toBe('bye');
    // The session is gone: the profile page sends the browser to the login page.
    expect(location(await browser.get('/profile')).pathname).toBe('/auth/login');
  });

  it('asks for confirmation without id_token_hint, and refuses unregistered redirect targets', async () => {
    const { browser, tokens } = await tokensFor('openid');
    const confirm = await browser.get('/oauth/logout');
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('name="decision"');
    // Without a hint nothing proves the client asked: no redirect, whatever the URI.
    for (const uri of ['https://evil.example/', POST_LOGOUT]) {
      const unproven = await browser.get(
        `/oauth/logout?${new URLSearchParams({ client_id: web.client_id, post_logout_redirect_uri: uri })}`,
      );
      expect(unproven.status).toBe(200);
      expect(unproven.headers.get('location')).toBeNull();
    }
    const evil = await browser.get(
      `/oauth/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'https://evil.example/' })}`,
    );
    expect(evil.status).toBe(400);
    expect(evil.headers.get('location')).toBeNull();
  });
});
