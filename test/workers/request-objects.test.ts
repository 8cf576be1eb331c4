/** RFC 9101 (JAR) request objects by value, at /oauth/authorize and through PAR (RFC 9126 §3). */
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  authorizeAndApprove,
  authorizePath,
  type Browser,
  basic,
  expectOAuthError,
  get,
  ORIGIN,
  pkce,
  post,
  postJson,
  signedInBrowser,
} from './helpers';

const REDIRECT = 'https://jar.example.com/cb';

interface Client {
  client_id: string;
  client_secret?: string;
}

async function register(metadata: Record<string, unknown>): Promise<Client> {
  const res = await postJson(
    '/connect/register',
    { redirect_uris: [REDIRECT], scope: 'openid read', ...metadata },
    { Authorization: `Bearer ${await adminToken()}` },
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Client;
}

let es: Client;
let esKey: CryptoKey;
let hs: Client;
let strict: Client;
let plain: Client;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  esKey = privateKey;
  const jwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' };
  es = await register({
    client_name: 'JAR ES256',
    jwks: { keys: [jwk] },
    request_object_signing_alg: 'ES256',
  });
  hs = await register({ client_name: 'JAR HS256', request_object_signing_alg: 'HS256' });
  strict = await register({
    client_name: 'JAR required',
    jwks: { keys: [jwk] },
    require_signed_request_object: true,
  });
  plain = await register({ client_name: 'JAR plain' });
});

async function requestClaims(client: Client, extra: Record<string, unknown> = {}) {
  const { verifier, challenge } = await pkce();
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = {
    iss: client.client_id,
    aud: ORIGIN,
    iat: now,
    exp: now + 300,
    jti: crypto.randomUUID(),
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid read',
    state: `s-${crypto.randomUUID()}`,
    nonce: `n-${crypto.randomUUID()}`,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
  return { claims, verifier };
}

function signEs(claims: JWTPayload, key: CryptoKey = esKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'oauth-authz-req+jwt' }).sign(key);
}

function signHs(claims: JWTPayload, secret: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

function unsigned(claims: JWTPayload): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'none' })}.${part(claims)}.`;
}

async function redeem(client: Client, code: string, verifier: string) {
  const res = await post(
    '/oauth/token',
    { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT },
    { Authorization: basic(client.client_id, client.client_secret as string) },
  );
  const tokens = (await res.json()) as Record<string, string>;
  expect(res.status, JSON.stringify(tokens)).toBe(200);
  return tokens;
}

/** The error an authorization request answers by redirect to REDIRECT. */
async function redirectedError(browser: Browser, params: Record<string, string>): Promise<URLSearchParams> {
  const res = await browser.get(authorizePath(params));
  expect(res.status, await res.clone().text()).toBe(302);
  const location = new URL(res.headers.get('location') as string);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
  return location.searchParams;
}

describe('request objects at /oauth/authorize (RFC 9101)', () => {
  it('signed with ES256 via the registered jwks: only the object parameters are used', async () => {
    const browser = await signedInBrowser('jar');
    const { claims, verifier } = await requestClaims(es);
    const request = await signEs(claims);
    // A query parameter beside the object is ignored (§6.3): this state is not the object's.
    const location = await authorizeAndApprove(browser, {
      client_id: es.client_id,
      response_type: 'code',
      state: 'from-the-query',
      request,
    });
    expect(location.searchParams.get('state')).toBe(claims.state);
    expect(location.searchParams.get('iss')).toBe(ORIGIN);
    const tokens = await redeem(es, location.searchParams.get('code') as string, verifier);
    expect(tokens.scope).toBe('openid read');
    const idToken = JSON.parse(atob((tokens.id_token as string).split('.')[1] as string)) as JWTPayload;
    expect(idToken.nonce).toBe(claims.nonce);
  });

  it('signed with HS256 via the client secret', async () => {
    const browser = await signedInBrowser('jar');
    const { claims, verifier } = await requestClaims(hs);
    const request = await signHs(claims, hs.client_secret as string);
    const location = await authorizeAndApprove(browser, { client_id: hs.client_id, request });
    expect(location.searchParams.get('error')).toBeNull();
    await redeem(hs, location.searchParams.get('code') as string, verifier);
  });

  it('refuses alg none, a wrong aud, an expired object, a replayed jti and another client_id', async () => {
    const browser = await signedInBrowser('jar');
    const refuse = async (request: string, clientId = es.client_id) => {
      const error = await redirectedError(browser, { client_id: clientId, redirect_uri: REDIRECT, request });
      expect(error.get('error')).toBe('invalid_request_object');
      expect(error.get('code')).toBeNull();
      return error.get('error_description');
    };
    expect(await refuse(unsigned((await requestClaims(es)).claims))).toMatch(/signed/);
    expect(
      await refuse(await signEs((await requestClaims(es, { aud: 'https://other.example' })).claims)),
    ).toMatch(/aud/);
    const past = Math.floor(Date.now() / 1000) - 3600;
    expect(
      await refuse(await signEs((await requestClaims(es, { iat: past - 60, exp: past })).claims)),
    ).toMatch(/expired/);
    const far = Math.floor(Date.now() / 1000) + 86400;
    await refuse(await signEs((await requestClaims(es, { exp: far })).claims));
    const { jti: _, ...noJti } = (await requestClaims(es)).claims;
    await refuse(await signEs(noJti));
    // The object names another client than the query (and the key is not that client's either).
    expect(await refuse(await signEs((await requestClaims(es, { client_id: hs.client_id })).claims))).toMatch(
      /client_id/,
    );
    expect(await refuse(await signEs((await requestClaims(es, { iss: hs.client_id })).claims))).toMatch(
      /iss/,
    );
    // HS256 for a client registered with ES256.
    await refuse(await signHs((await requestClaims(es)).claims, 'x'.repeat(32)));
    // response_type in the query must agree with the object's.
    const request = await signEs((await requestClaims(es)).claims);
    const error = await redirectedError(browser, {
      client_id: es.client_id,
      redirect_uri: REDIRECT,
      response_type: 'token',
      request,
    });
    expect(error.get('error')).toBe('invalid_request_object');

    const replayed = await signEs((await requestClaims(es)).claims);
    const first = await browser.get(authorizePath({ client_id: es.client_id, request: replayed }));
    expect(first.status).toBe(200); // the consent page
    expect(await refuse(replayed)).toMatch(/already used/);
  });

  it('shows the error page when the object is bad and the query names no redirect_uri', async () => {
    const res = await get(authorizePath({ client_id: es.client_id, request: 'not-a-jwt' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('invalid_request_object');
  });

  it('refuses a request without an object from a client that requires one', async () => {
    const browser = await signedInBrowser('jar');
    const { claims } = await requestClaims(strict);
    const params = Object.fromEntries(
      Object.entries(claims)
        .filter(([name]) => !['iss', 'aud', 'iat', 'exp', 'jti'].includes(name))
        .map(([name, value]) => [name, String(value)]),
    );
    const error = await redirectedError(browser, params);
    expect(error.get('error')).toBe('invalid_request');
    expect(error.get('state')).toBe(claims.state);
    // The same parameters signed are accepted.
    const location = await authorizeAndApprove(browser, {
      client_id: strict.client_id,
      request: await signEs(claims),
    });
    expect(location.searchParams.get('code')).toBeTruthy();
  });

  it('answers request_uri_not_supported for a request_uri that is not a pushed request', async () => {
    const browser = await signedInBrowser('jar');
    const error = await redirectedError(browser, {
      client_id: plain.client_id,
      redirect_uri: REDIRECT,
      state: 'st',
      request_uri: 'https://jar.example.com/request.jwt',
    });
    expect(error.get('error')).toBe('request_uri_not_supported');
    expect(error.get('state')).toBe('st');
  });
});

describe('request objects through PAR (RFC 9126 §3)', () => {
  it('pushes a signed object, then authorizes with its request_uri', async () => {
    const browser = await signedInBrowser('jar');
    const { claims, verifier } = await requestClaims(es);
    const res = await post(
      '/oauth/par',
      { request: await signEs(claims) },
      { Authorization: basic(es.client_id, es.client_secret as string) },
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const { request_uri } = (await res.json()) as { request_uri: string };
    const location = await authorizeAndApprove(browser, { client_id: es.client_id, request_uri });
    expect(location.searchParams.get('state')).toBe(claims.state);
    await redeem(es, location.searchParams.get('code') as string, verifier);
  });

  it('answers invalid_request_object for a bad pushed object and invalid_request for an unsigned strict one', async () => {
    const auth = (client: Client) => ({
      Authorization: basic(client.client_id, client.client_secret as string),
    });
    const { claims } = await requestClaims(es, { aud: 'https://other.example' });
    await expectOAuthError(
      await post('/oauth/par', { request: await signEs(claims) }, auth(es)),
      400,
      'invalid_request_object',
    );
    await expectOAuthError(
      await post('/oauth/par', { request: unsigned((await requestClaims(es)).claims) }, auth(es)),
      400,
      'invalid_request_object',
    );
    const replay = await signEs((await requestClaims(es)).claims);
    expect((await post('/oauth/par', { request: replay }, auth(es))).status).toBe(201);
    await expectOAuthError(
      await post('/oauth/par', { request: replay }, auth(es)),
      400,
      'invalid_request_object',
    );
    const { challenge } = await pkce();
    await expectOAuthError(
      await post(
        '/oauth/par',
        {
          response_type: 'code',
          redirect_uri: REDIRECT,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        },
        auth(strict),
      ),
      400,
      'invalid_request',
    );
    const signed = await signEs((await requestClaims(strict)).claims);
    expect((await post('/oauth/par', { request: signed }, auth(strict))).status).toBe(201);
  });
});

describe('registration and discovery', () => {
  it('validates request_object_signing_alg and require_signed_request_object', async () => {
    const token = await adminToken();
    const cases: Record<string, unknown>[] = [
      { request_object_signing_alg: 'none' },
      { request_object_signing_alg: 'ES256' },
      { request_object_signing_alg: 'HS256', token_endpoint_auth_method: 'none' },
      { require_signed_request_object: 'yes' },
    ];
    for (const metadata of cases) {
      await expectOAuthError(
        await postJson(
          '/connect/register',
          { redirect_uris: [REDIRECT], ...metadata },
          { Authorization: `Bearer ${token}` },
        ),
        400,
        'invalid_client_metadata',
      );
    }
  });

  it('advertises request objects', async () => {
    const metadata = (await (await get('/.well-known/openid-configuration')).json()) as Record<
      string,
      unknown
    >;
    expect(metadata.request_parameter_supported).toBe(true);
    expect(metadata.request_uri_parameter_supported).toBe(false);
    expect(metadata.request_object_signing_alg_values_supported).toEqual(
      expect.arrayContaining(['ES256', 'RS256', 'PS256', 'EdDSA', 'HS256']),
    );
    expect(metadata.request_object_signing_alg_values_supported).not.toContain('none');
  });
});
