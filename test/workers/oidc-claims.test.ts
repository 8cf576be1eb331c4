/**
 * ID token contents (OIDC Core §2, §3.1.3.6; RFC 8176 amr; acr) and the request parameters that ask
 * about them: `acr_values` (§3.1.2.1, voluntary) and `claims` (§5.5), through the real Worker.
 */
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, approveIfAsked, Browser, basic, get, ORIGIN, pkce, post, postJson } from './helpers';

const REDIRECT = 'https://claims.example.com/callback';
const BRONZE = 'urn:mace:incommon:iap:bronze';
const MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

interface Client {
  client_id: string;
  client_secret: string;
}

let client: Client;

beforeAll(async () => {
  const res = await postJson(
    '/connect/register',
    {
      client_name: 'Claims app',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile email offline_access',
    },
    { Authorization: `Bearer ${await adminToken()}` },
  );
  expect(res.status, await res.clone().text()).toBe(201);
  client = (await res.json()) as Client;
});

async function signedIn() {
  const username = `claims-${crypto.randomUUID().slice(0, 8)}`;
  const password = `pw-${crypto.randomUUID()}`;
  const res = await postJson(
    '/admin/api/users',
    { username, password, email: `${username}@example.com`, name: 'Grace Hopper' },
    { Authorization: `Bearer ${await adminToken()}` },
  );
  expect(res.status, await res.clone().text()).toBe(201);
  const { id } = (await res.json()) as { id: string };
  const browser = new Browser();
  const before = Math.floor(Date.now() / 1000);
  expect((await browser.signIn(username, password)).status).toBe(303);
  return { browser, id, username, before };
}

/** authorize (+ consent approve) → the redirect back to the client. */
async function authorize(browser: Browser, extra: Record<string, string>, challenge: string): Promise<URL> {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope: 'openid profile email offline_access',
    state: 's1',
    nonce: 'n1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  const res = await approveIfAsked(browser, await browser.get(`/oauth/authorize?${params}`));
  expect([302, 303], `status ${res.status}`).toContain(res.status);
  return new URL(res.headers.get('location') as string, ORIGIN);
}

async function redeem(code: string, verifier: string): Promise<Record<string, string>> {
  const res = await post(
    '/oauth/token',
    { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT },
    { Authorization: basic(client.client_id, client.client_secret) },
  );
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Record<string, string>;
}

async function verified(idToken: string): Promise<JWTPayload> {
  const jwks = createLocalJWKSet((await (await get('/.well-known/jwks.json')).json()) as JSONWebKeySet);
  const { payload } = await jwtVerify(idToken, jwks, { issuer: ORIGIN, audience: client.client_id });
  return payload;
}

async function leftHalf(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
  return btoa(String.fromCharCode(...digest.slice(0, 16)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

describe('ID token contents', () => {
  it('carries auth_time, amr pwd, acr, scope claims and at_hash; a refresh keeps the sign-in facts', async () => {
    const { browser, id, username, before } = await signedIn();
    const { verifier, challenge } = await pkce();
    const back = await authorize(browser, {}, challenge);
    const tokens = await redeem(back.searchParams.get('code') as string, verifier);
    const claims = await verified(tokens.id_token as string);
    expect(claims.sub).toBe(id);
    expect(claims.auth_time).toBeGreaterThanOrEqual(before);
    expect(claims.auth_time).toBeLessThanOrEqual(claims.iat as number);
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.acr).toBe(BRONZE);
    expect(claims.nonce).toBe('n1');
    expect(typeof claims.sid).toBe('string');
    expect(claims.at_hash).toBe(await leftHalf(tokens.access_token as string));
    expect(claims.c_hash).toBeUndefined();
    expect(claims.email).toBe(`${username}@example.com`);
    expect(typeof claims.email_verified).toBe('boolean');
    expect(claims.preferred_username).toBe(username);
    expect(claims.name).toBe('Grace Hopper');

    const refreshed = await post(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string },
      { Authorization: basic(client.client_id, client.client_secret) },
    );
    expect(refreshed.status, await refreshed.clone().text()).toBe(200);
    const again = await verified(((await refreshed.json()) as { id_token: string }).id_token);
    expect(again.auth_time).toBe(claims.auth_time);
    expect(again.amr).toEqual(['pwd']);
    expect(again.acr).toBe(BRONZE);
    expect(again.sid).toBe(claims.sid);
    expect(again.nonce).toBeUndefined();
  });

  it('releases no email or profile claims without those scopes', async () => {
    const { browser } = await signedIn();
    const { verifier, challenge } = await pkce();
    const back = await authorize(browser, { scope: 'openid' }, challenge);
    const tokens = await redeem(back.searchParams.get('code') as string, verifier);
    const claims = decodeJwt(tokens.id_token as string);
    expect(claims.email).toBeUndefined();
    expect(claims.preferred_username).toBeUndefined();
    expect(claims.amr).toEqual(['pwd']);
    expect(typeof claims.auth_time).toBe('number');
  });
});

describe('acr_values and claims', () => {
  it('treats acr_values as voluntary: MFA asked, password sign-in answered with its own acr', async () => {
    const { browser } = await signedIn();
    const { verifier, challenge } = await pkce();
    const back = await authorize(browser, { acr_values: MFA }, challenge);
    expect(back.searchParams.get('error')).toBeNull();
    const tokens = await redeem(back.searchParams.get('code') as string, verifier);
    expect(decodeJwt(tokens.id_token as string).acr).toBe(BRONZE);
  });

  it('fails an essential acr the sign-in cannot meet with unmet_authentication_requirements', async () => {
    const { browser } = await signedIn();
    const { challenge } = await pkce();
    const claims = JSON.stringify({ id_token: { acr: { essential: true, values: [MFA] } } });
    const back = await authorize(browser, { claims }, challenge);
    expect(back.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(back.searchParams.get('state')).toBe('s1');
    expect(back.searchParams.get('iss')).toBe(ORIGIN);
  });

  it('meets an essential acr a password sign-in satisfies', async () => {
    const { browser } = await signedIn();
    const { verifier, challenge } = await pkce();
    const claims = JSON.stringify({
      id_token: { acr: { essential: true, value: BRONZE }, email: null },
      userinfo: { name: { essential: true } },
    });
    const back = await authorize(browser, { claims }, challenge);
    expect(back.searchParams.get('error')).toBeNull();
    const tokens = await redeem(back.searchParams.get('code') as string, verifier);
    expect(decodeJwt(tokens.id_token as string).acr).toBe(BRONZE);
  });

  it('answers a positive response only for the requested sub', async () => {
    const { browser } = await signedIn();
    const { challenge } = await pkce();
    const claims = JSON.stringify({ id_token: { sub: { value: 'someone-else' } } });
    const back = await authorize(browser, { claims }, challenge);
    expect(back.searchParams.get('error')).toBe('login_required');
  });

  it('refuses a malformed claims parameter with invalid_request', async () => {
    const { browser } = await signedIn();
    const { challenge } = await pkce();
    for (const claims of [
      '{not json',
      '[]',
      '{"id_token":[]}',
      '{"id_token":{"acr":{"essential":"yes"}}}',
      '{"id_token":{"acr":{"values":[]}}}',
      '{"userinfo":{"email":{"value":{"x":1}}}}',
      JSON.stringify({ id_token: { x: { value: 'a'.repeat(5000) } } }),
    ]) {
      const back = await authorize(browser, { claims }, challenge);
      expect(back.searchParams.get('error'), claims.slice(0, 40)).toBe('invalid_request');
    }
  });

  it('carries claims through a pushed request (PAR)', async () => {
    const { browser } = await signedIn();
    const { challenge } = await pkce();
    const pushed = await post(
      '/oauth/par',
      {
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid',
        state: 'p1',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        claims: JSON.stringify({ id_token: { acr: { essential: true, values: [MFA] } } }),
      },
      { Authorization: basic(client.client_id, client.client_secret) },
    );
    expect(pushed.status, await pushed.clone().text()).toBe(201);
    const { request_uri } = (await pushed.json()) as { request_uri: string };
    const res = await browser.get(
      `/oauth/authorize?${new URLSearchParams({ client_id: client.client_id, request_uri })}`,
    );
    const back = new URL(res.headers.get('location') as string, ORIGIN);
    expect(back.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(back.searchParams.get('state')).toBe('p1');
  });

  it('refuses a malformed claims parameter at the PAR endpoint', async () => {
    const { challenge } = await pkce();
    const res = await post(
      '/oauth/par',
      {
        response_type: 'code',
        redirect_uri: REDIRECT,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        claims: '{"id_token":',
      },
      { Authorization: basic(client.client_id, client.client_secret) },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('advertises claims_parameter_supported, acr_values_supported and amr/acr claims', async () => {
    const doc = (await (await get('/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    expect(doc.claims_parameter_supported).toBe(true);
    expect(doc.acr_values_supported).toEqual([BRONZE, MFA]);
    expect(doc.claims_supported).toEqual(expect.arrayContaining(['auth_time', 'amr', 'acr', 'email']));
  });
});
