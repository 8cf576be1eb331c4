/**
 * Hardening of the authorization and token endpoints against a hostile client or a crafted link:
 * the token endpoint only narrows the resources of a grant (RFC 8707 §2.2), errors before sign-in are
 * not redirected to redirect URIs a client chose for itself (RFC 9700 §4.11.2), and what a pending
 * sign-in requires is held by the server, never read from the browser (OIDC Core §3.1.2.1).
 */
import { env } from 'cloudflare:test';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app';
import {
  adminToken,
  Browser,
  basic,
  expectOAuthError,
  inputValue,
  ORIGIN,
  pkce,
  post,
  postJson,
} from './helpers';

const REDIRECT = 'https://hardening.example.com/cb';
const MCP = `${ORIGIN}/mcp`;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface Client {
  client_id: string;
  client_secret?: string;
}

async function registerAsAdmin(metadata: Record<string, unknown>): Promise<Client> {
  const res = await postJson('/connect/register', metadata, {
    Authorization: `Bearer ${await adminToken()}`,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Client;
}

async function createdByAdmin(metadata: Record<string, unknown>): Promise<Client> {
  const res = await postJson('/admin/api/clients', metadata, {
    Authorization: `Bearer ${await adminToken()}`,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Client;
}

/** Open registration (OAUTH2_DYNAMIC_REGISTRATION_ENABLED=true), without any token. */
async function registeredAnonymously(metadata: Record<string, unknown>): Promise<Client> {
  const res = await createApp().request(
    `${ORIGIN}/connect/register`,
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(metadata) },
    { ...env, OAUTH2_DYNAMIC_REGISTRATION_ENABLED: 'true' },
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Client;
}

async function createUser() {
  const username = `hard-${crypto.randomUUID().slice(0, 8)}`;
  const password = `pw-${crypto.randomUUID()}`;
  const res = await postJson(
    '/admin/api/users',
    { username, password, email: `${username}@example.com` },
    { Authorization: `Bearer ${await adminToken()}` },
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return { username, password };
}

async function signedIn(user?: { username: string; password: string }): Promise<Browser> {
  const who = user ?? (await createUser());
  const browser = new Browser();
  expect((await browser.signIn(who.username, who.password)).status).toBe(303);
  return browser;
}

function authorizePath(params: Record<string, string>): string {
  return `/oauth/authorize?${new URLSearchParams(params)}`;
}

function location(res: Response): URL {
  const value = res.headers.get('location');
  expect(value, `status ${res.status}`).toBeTruthy();
  return new URL(value as string, ORIGIN);
}

/** Approves the consent page when one is shown; the redirect that follows. */
async function approveIfAsked(browser: Browser, res: Response): Promise<URL> {
  if (res.status !== 200) return location(res);
  const html = await res.text();
  const approved = await browser.postForm('/oauth/consent', {
    csrf_token: inputValue(html, 'csrf_token') as string,
    request_id: inputValue(html, 'request_id') as string,
    decision: 'approve',
  });
  expect(approved.status).toBe(303);
  return location(approved);
}

let web: Client;
let device: Client;
let user: { username: string; password: string };

beforeAll(async () => {
  web = await registerAsAdmin({
    client_name: 'Hardening web app',
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid offline_access read',
  });
  device = await registerAsAdmin({
    client_name: 'Hardening TV',
    grant_types: [DEVICE_GRANT],
    token_endpoint_auth_method: 'none',
  });
  user = await createUser();
});

describe('Resource Indicators (RFC 8707 §2.2): the token endpoint only narrows the grant', () => {
  async function codeFor(resources: string[]) {
    const browser = await signedIn(user);
    const { verifier, challenge } = await pkce();
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: web.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid offline_access read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    for (const resource of resources) query.append('resource', resource);
    const redirect = await approveIfAsked(browser, await browser.get(`/oauth/authorize?${query}`));
    const code = redirect.searchParams.get('code');
    expect(code, redirect.toString()).toBeTruthy();
    return { code: code as string, verifier };
  }

  function tokenRequest(form: Record<string, string>, resources: string[]) {
    const body = new URLSearchParams(form);
    for (const resource of resources) body.append('resource', resource);
    return post('/oauth/token', body.toString(), {
      Authorization: basic(web.client_id, web.client_secret as string),
    });
  }

  const redeem = (code: string, verifier: string, resources: string[] = []) =>
    tokenRequest(
      { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT },
      resources,
    );
  const refresh = (token: string, resources: string[] = []) =>
    tokenRequest({ grant_type: 'refresh_token', refresh_token: token }, resources);

  it('refuses to exchange a code issued without resource for a token for the MCP endpoint', async () => {
    const { code, verifier } = await codeFor([]);
    await expectOAuthError(await redeem(code, verifier, [MCP]), 400, 'invalid_target');
    await expectOAuthError(await redeem(code, verifier, [ORIGIN]), 400, 'invalid_target');
    // Refused before the code is used: it still buys a token for the default audience, the client.
    const res = await redeem(code, verifier);
    expect(res.status, await res.clone().text()).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect(decodeJwt(access_token).aud).toBe(web.client_id);
  });

  it('refuses to refresh a grant issued without resource into a token for the MCP endpoint', async () => {
    const { code, verifier } = await codeFor([]);
    const first = (await (await redeem(code, verifier)).json()) as { refresh_token: string };
    expect(first.refresh_token).toBeTruthy();
    await expectOAuthError(await refresh(first.refresh_token, [MCP]), 400, 'invalid_target');
    // Not consumed by the refused request.
    const res = await refresh(first.refresh_token);
    expect(res.status, await res.clone().text()).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect(decodeJwt(access_token).aud).toBe(web.client_id);
  });

  it('with a resource named at authorization: another one is invalid_target, the same one is accepted', async () => {
    const { code, verifier } = await codeFor([MCP]);
    await expectOAuthError(await redeem(code, verifier, [ORIGIN]), 400, 'invalid_target');
    const res = await redeem(code, verifier, [MCP]);
    expect(res.status, await res.clone().text()).toBe(200);
    const tokens = (await res.json()) as { access_token: string; refresh_token: string };
    expect(decodeJwt(tokens.access_token).aud).toBe(MCP);
    await expectOAuthError(await refresh(tokens.refresh_token, [ORIGIN]), 400, 'invalid_target');
    const refreshed = await refresh(tokens.refresh_token, [MCP]);
    expect(refreshed.status, await refreshed.clone().text()).toBe(200);
    const { access_token } = (await refreshed.json()) as { access_token: string };
    expect(decodeJwt(access_token).aud).toBe(MCP);
  });

  it('device_code: the device authorization names no resource, so none is accepted at the token endpoint', async () => {
    const started = await post('/oauth/device_authorization', { client_id: device.client_id });
    expect(started.status, await started.clone().text()).toBe(200);
    const { device_code } = (await started.json()) as { device_code: string };
    const form = { grant_type: DEVICE_GRANT, client_id: device.client_id, device_code };
    await expectOAuthError(await post('/oauth/token', { ...form, resource: MCP }), 400, 'invalid_target');
    // Refused before the poll: the device code is still pending.
    await expectOAuthError(await post('/oauth/token', form), 400, 'authorization_pending');
  });
});

describe('Authorization errors before sign-in (RFC 9700 §4.11.2: no open redirector)', () => {
  const ATTACKER = 'https://attacker.example.com/landing';
  let anonymous: Client;
  let adminCreated: Client;

  beforeAll(async () => {
    anonymous = await registeredAnonymously({
      client_name: 'Self-registered',
      redirect_uris: [ATTACKER],
      token_endpoint_auth_method: 'none',
    });
    adminCreated = await createdByAdmin({
      client_name: 'Created by an administrator',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
    });
  });

  /** A request of `client` with `extra` parameters; an empty value leaves the parameter out. */
  async function request(client: Client, extra: Record<string, string>) {
    const { challenge } = await pkce();
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: client.client_id,
      scope: 'openid',
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    };
    return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== ''));
  }

  it.each([
    ['an unknown scope', { scope: 'openid no-such-scope' }],
    ['no PKCE challenge', { code_challenge: '' }],
    ['an unsupported response_type', { response_type: 'token' }],
    ['prompt=none', { prompt: 'none' }],
  ])('a self-registered client gets the error page, not a redirect, for %s', async (_, extra) => {
    const res = await new Browser().get(authorizePath(await request(anonymous, extra)));
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).not.toContain(ATTACKER);
  });

  it('a self-registered client: an unusable request_uri is not redirected either', async () => {
    const res = await new Browser().get(
      authorizePath({
        client_id: anonymous.client_id,
        redirect_uri: ATTACKER,
        request_uri: 'urn:ietf:params:oauth:request_uri:00AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      }),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('a self-registered client still gets its errors once the user has signed in', async () => {
    const browser = await signedIn();
    const res = await browser.get(authorizePath(await request(anonymous, { response_type: 'token' })));
    const redirect = location(res);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(ATTACKER);
    expect(redirect.searchParams.get('error')).toBe('unsupported_response_type');
    expect(redirect.searchParams.get('iss')).toBe(ORIGIN);
  });

  it.each([
    ['created through the admin API', () => adminCreated],
    ['registered with an administrator’s initial access token', () => web],
  ])('a client %s still gets pre-sign-in errors by redirect, with state and iss', async (_, client) => {
    const params = await request(client(), { response_type: 'token', redirect_uri: REDIRECT });
    const res = await new Browser().get(authorizePath(params));
    const redirect = location(res);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT);
    expect(redirect.searchParams.get('error')).toBe('unsupported_response_type');
    expect(redirect.searchParams.get('state')).toBe('st');
    expect(redirect.searchParams.get('iss')).toBe(ORIGIN);
  });
});

describe('Sign-in state is held by the server (OIDC Core §3.1.2.1 prompt=login, max_age)', () => {
  async function request(extra: Record<string, string> = {}) {
    const { challenge } = await pkce();
    return {
      response_type: 'code',
      client_id: web.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    };
  }

  function expectSignInPage(res: Response): URL {
    const login = location(res);
    expect(login.pathname).toBe('/auth/login');
    expect(login.searchParams.get('prompt')).toBe('login');
    return login;
  }

  it('auth_after=0 does not bypass prompt=login', async () => {
    const browser = await signedIn();
    expectSignInPage(await browser.get(authorizePath(await request({ prompt: 'login', auth_after: '0' }))));
  });

  it('auth_after=0 does not bypass max_age=0', async () => {
    const browser = await signedIn();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expectSignInPage(await browser.get(authorizePath(await request({ max_age: '0', auth_after: '0' }))));
  });

  it('a pushed prompt=login is not relaxed by auth_after=0 in the front channel', async () => {
    const browser = await signedIn();
    const pushedRes = await post('/oauth/par', await request({ prompt: 'login' }), {
      Authorization: basic(web.client_id, web.client_secret as string),
    });
    expect(pushedRes.status, await pushedRes.clone().text()).toBe(201);
    const { request_uri } = (await pushedRes.json()) as { request_uri: string };
    const res = await browser.get(
      authorizePath({ client_id: web.client_id, request_uri, auth_after: '0', prompt: 'none' }),
    );
    expectSignInPage(res);
  });

  it('the sign-in page returns to the held request only; only a new sign-in satisfies it, without a loop', async () => {
    const who = await createUser();
    const browser = await signedIn(who);
    const login = expectSignInPage(await browser.get(authorizePath(await request({ prompt: 'login' }))));
    const returnTo = login.searchParams.get('return_to') as string;
    const back = new URL(returnTo, ORIGIN);
    expect([...back.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    // Coming back without signing in again (the same session) is not enough, whatever is added.
    expectSignInPage(await browser.get(`${returnTo}&auth_after=0`));
    const again = await browser.signIn(who.username, who.password, returnTo);
    expect(location(again).pathname + location(again).search).toBe(returnTo);
    const redirect = await approveIfAsked(browser, await browser.get(returnTo));
    expect(redirect.searchParams.get('code')).toBeTruthy();
  });

  it('max_age=0 without a session: one sign-in, then a code', async () => {
    const who = await createUser();
    const browser = new Browser();
    const login = location(await browser.get(authorizePath(await request({ max_age: '0' }))));
    expect(login.pathname).toBe('/auth/login');
    const returnTo = login.searchParams.get('return_to') as string;
    await browser.signIn(who.username, who.password, returnTo);
    const redirect = await approveIfAsked(browser, await browser.get(returnTo));
    expect(redirect.searchParams.get('code')).toBeTruthy();
  });
});
