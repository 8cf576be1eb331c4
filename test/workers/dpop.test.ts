/** RFC 9449 DPoP: proof validation, replay, nonces, token binding at userinfo, introspection and refresh. */
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdminApi,
  createServiceClient,
  createTestUser,
  createWebClient,
  json,
  signedIn,
  type TestClient,
  type TestUser,
} from './admin-helpers';
import {
  ADMIN_ID,
  ADMIN_SECRET,
  approveIfAsked,
  basic,
  expectOAuthError,
  get,
  ORIGIN,
  type Poster,
  post,
  postWith,
} from './helpers';

const TOKEN_URL = `${ORIGIN}/oauth/token`;
const USERINFO_URL = `${ORIGIN}/oauth/userinfo`;
const REDIRECT = 'https://console.example.com/cb';

interface Holder {
  privateKey: CryptoKey;
  jwk: JWK;
  jkt: string;
  alg: string;
}

async function holder(alg = 'ES256'): Promise<Holder> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk), alg };
}

interface ProofOptions {
  htm?: string;
  htu?: string;
  iat?: number;
  jti?: string | null;
  typ?: string;
  alg?: string;
  jwk?: unknown;
  ath?: string;
  nonce?: string;
  key?: CryptoKey;
}

async function proof(key: Holder, options: ProofOptions = {}): Promise<string> {
  const claims: Record<string, unknown> = {
    htm: options.htm ?? 'POST',
    htu: options.htu ?? TOKEN_URL,
  };
  if (options.jti !== null) claims.jti = options.jti ?? crypto.randomUUID();
  if (options.ath) claims.ath = options.ath;
  if (options.nonce) claims.nonce = options.nonce;
  return new SignJWT(claims)
    .setProtectedHeader({
      typ: options.typ ?? 'dpop+jwt',
      alg: options.alg ?? key.alg,
      jwk: (options.jwk ?? key.jwk) as JWK,
    })
    .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000))
    .sign(options.key ?? key.privateKey);
}

async function ath(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

let admin: AdminApi;
let service: TestClient;
let user: TestUser;

beforeAll(async () => {
  admin = await AdminApi.create();
  service = await createServiceClient(admin);
  user = await createTestUser(admin);
});

function clientCredentials(dpop: string | undefined, client = service, send: Poster = post) {
  return send(
    '/oauth/token',
    { grant_type: 'client_credentials', scope: 'read' },
    {
      Authorization: basic(client.client_id, client.client_secret ?? ''),
      ...(dpop === undefined ? {} : { DPoP: dpop }),
    },
  );
}

async function pkce() {
  const verifier = crypto.randomUUID() + crypto.randomUUID();
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const challenge = btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  return { verifier, challenge };
}

/** Signs `user` in and runs the code flow for `client`; the token request carries `dpop` when given. */
async function codeFlowWithProof(client: TestClient, key: Holder | null) {
  const browser = await signedIn(user);
  const { verifier, challenge } = await pkce();
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope: 'openid profile offline_access',
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const authorized = await browser.get(`/oauth/authorize?${query}`);
  expect(authorized.status, await authorized.clone().text()).toBe(302);
  const code = new URL(authorized.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const headers: Record<string, string> =
    client.client_secret === undefined
      ? {}
      : { Authorization: basic(client.client_id, client.client_secret) };
  if (key) headers.DPoP = await proof(key);
  const form: Record<string, string> = {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT,
  };
  if (client.client_secret === undefined) form.client_id = client.client_id;
  return post('/oauth/token', form, headers);
}

interface Tokens {
  access_token: string;
  token_type: string;
  refresh_token?: string;
}

describe('DPoP token requests (RFC 9449 §5)', () => {
  it('binds a client_credentials token to the proof key: token_type DPoP and cnf.jkt', async () => {
    const key = await holder();
    const body = await json<Tokens>(await clientCredentials(await proof(key)), 200);
    expect(body.token_type).toBe('DPoP');
    expect(decodeJwt(body.access_token).cnf).toEqual({ jkt: key.jkt });
  });

  it('issues Bearer tokens without cnf when no proof is sent', async () => {
    const body = await json<Tokens>(await clientCredentials(undefined), 200);
    expect(body.token_type).toBe('Bearer');
    expect(decodeJwt(body.access_token).cnf).toBeUndefined();
  });

  it.each(['RS256', 'PS256', 'EdDSA'])('accepts %s proofs', async (alg) => {
    const key = await holder(alg);
    const body = await json<Tokens>(await clientCredentials(await proof(key)), 200);
    expect(decodeJwt(body.access_token).cnf).toEqual({ jkt: key.jkt });
  });

  it('ignores the query of htu but not its path', async () => {
    const key = await holder();
    await json(await clientCredentials(await proof(key, { htu: `${TOKEN_URL}?x=1#f` })), 200);
    const res = await clientCredentials(await proof(key, { htu: `${ORIGIN}/oauth/introspect` }));
    await expectOAuthError(res, 400, 'invalid_dpop_proof');
  });
});

describe('DPoP proof validation (RFC 9449 §4.3)', () => {
  let key: Holder;
  beforeAll(async () => {
    key = await holder();
  });

  const cases: [string, (k: Holder) => Promise<string>][] = [
    ['a proof that is not a JWT', async () => 'not-a-jwt'],
    ['typ other than dpop+jwt', (k) => proof(k, { typ: 'JWT' })],
    ['htm of another method', (k) => proof(k, { htm: 'GET' })],
    ['htu of another server', (k) => proof(k, { htu: 'https://evil.example/oauth/token' })],
    ['an iat too far in the past', (k) => proof(k, { iat: Math.floor(Date.now() / 1000) - 3600 })],
    ['an iat in the future', (k) => proof(k, { iat: Math.floor(Date.now() / 1000) + 600 })],
    ['no jti', (k) => proof(k, { jti: null })],
    ['a jti longer than 256 characters', (k) => proof(k, { jti: 'j'.repeat(300) })],
  ];
  it.each(cases)('refuses %s', async (_, make) => {
    await expectOAuthError(await clientCredentials(await make(key)), 400, 'invalid_dpop_proof');
  });

  it('refuses a signature by another key than the jwk header', async () => {
    const other = await holder();
    const res = await clientCredentials(await proof(key, { key: other.privateKey }));
    await expectOAuthError(res, 400, 'invalid_dpop_proof');
  });

  it('refuses alg none and symmetric algorithms', async () => {
    const header = btoa(JSON.stringify({ typ: 'dpop+jwt', alg: 'none', jwk: key.jwk })).replace(/=+$/, '');
    const payload = btoa(
      JSON.stringify({ jti: 'x', htm: 'POST', htu: TOKEN_URL, iat: Math.floor(Date.now() / 1000) }),
    ).replace(/=+$/, '');
    await expectOAuthError(await clientCredentials(`${header}.${payload}.`), 400, 'invalid_dpop_proof');
    const secret = new TextEncoder().encode('k'.repeat(32));
    const hs = await new SignJWT({ jti: 'y', htm: 'POST', htu: TOKEN_URL })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: 'a2traw' } as JWK })
      .setIssuedAt()
      .sign(secret);
    await expectOAuthError(await clientCredentials(hs), 400, 'invalid_dpop_proof');
  });

  it('refuses a jwk header carrying the private key', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    const res = await clientCredentials(await proof(key, { jwk: privateJwk, key: privateKey }));
    await expectOAuthError(res, 400, 'invalid_dpop_proof');
  });

  it('refuses a jwk that is not a valid key (not a 500)', async () => {
    const bad = { ...key.jwk, x: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' };
    await expectOAuthError(
      await clientCredentials(await proof(key, { jwk: bad })),
      400,
      'invalid_dpop_proof',
    );
    const odd = { kty: 'EC', crv: 'P-999', x: 'AA', y: 'AA' };
    await expectOAuthError(
      await clientCredentials(await proof(key, { jwk: odd })),
      400,
      'invalid_dpop_proof',
    );
    const text = { kty: 'RSA', n: 'not base64!', e: 'AQAB' };
    await expectOAuthError(
      await clientCredentials(await proof(key, { jwk: text })),
      400,
      'invalid_dpop_proof',
    );
  });

  it('refuses two DPoP headers', async () => {
    const headers = new Headers({
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: basic(service.client_id, service.client_secret ?? ''),
    });
    headers.append('DPoP', await proof(key));
    headers.append('DPoP', await proof(key));
    const res = await SELF.fetch(TOKEN_URL, {
      method: 'POST',
      headers,
      body: 'grant_type=client_credentials',
    });
    await expectOAuthError(res, 400, 'invalid_dpop_proof');
  });

  it('refuses an oversized proof', async () => {
    await expectOAuthError(await clientCredentials('a'.repeat(20_000)), 400, 'invalid_dpop_proof');
  });

  it('refuses a replayed proof (same jti), also across concurrent requests', async () => {
    const once = await proof(key);
    await json(await clientCredentials(once), 200);
    await expectOAuthError(await clientCredentials(once), 400, 'invalid_dpop_proof');
    const shared = await proof(key);
    const results = await Promise.all(Array.from({ length: 5 }, () => clientCredentials(shared)));
    expect(results.filter((res) => res.status === 200)).toHaveLength(1);
  });

  it('requires a proof from a client registered with dpop_bound_access_tokens', async () => {
    const bound = await createServiceClient(admin, { dpop_bound_access_tokens: true });
    await expectOAuthError(await clientCredentials(undefined, bound), 400, 'invalid_dpop_proof');
    const body = await json<Tokens>(await clientCredentials(await proof(key), bound), 200);
    expect(body.token_type).toBe('DPoP');
  });
});

describe('DPoP server nonces (RFC 9449 §8)', () => {
  it('answers use_dpop_nonce with a DPoP-Nonce header, then accepts the nonce', async () => {
    const send = postWith({ OAUTH2_DPOP_REQUIRE_NONCE: 'true' });
    const key = await holder();
    const first = await clientCredentials(await proof(key), service, send);
    const nonce = first.headers.get('DPoP-Nonce');
    await expectOAuthError(first, 400, 'use_dpop_nonce');
    expect(nonce).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
    const body = await json<Tokens>(
      await clientCredentials(await proof(key, { nonce: nonce as string }), service, send),
      200,
    );
    expect(body.token_type).toBe('DPoP');
    const forged = await clientCredentials(
      await proof(key, { nonce: `${(nonce as string).split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAA` }),
      service,
      send,
    );
    await expectOAuthError(forged, 400, 'use_dpop_nonce');
  });

  it('hands out a fresh DPoP-Nonce with successful token and PAR responses (§8.2), only when required', async () => {
    const send = postWith({ OAUTH2_DPOP_REQUIRE_NONCE: 'true' });
    const key = await holder();
    const nonce = (await clientCredentials(await proof(key), service, send)).headers.get(
      'DPoP-Nonce',
    ) as string;
    const ok = await clientCredentials(await proof(key, { nonce }), service, send);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('DPoP-Nonce')).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
    // Without a proof, or with nonces off, no nonce is handed out.
    expect((await clientCredentials(undefined, service, send)).headers.get('DPoP-Nonce')).toBeNull();
    const plain = await clientCredentials(await proof(key));
    expect(plain.status).toBe(200);
    expect(plain.headers.get('DPoP-Nonce')).toBeNull();
  });
});

describe('DPoP-bound tokens at protected resources (RFC 9449 §7)', () => {
  let key: Holder;
  let web: TestClient;
  let tokens: Tokens;

  beforeAll(async () => {
    key = await holder();
    web = await createWebClient(admin);
    tokens = await json<Tokens>(await codeFlowWithProof(web, key), 200);
  });

  function userinfo(authorization: string, dpop?: string) {
    return get('/oauth/userinfo', { Authorization: authorization, ...(dpop ? { DPoP: dpop } : {}) });
  }

  it('issues a bound authorization code token and serves userinfo with a matching proof', async () => {
    expect(tokens.token_type).toBe('DPoP');
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: key.jkt });
    const dpop = await proof(key, { htm: 'GET', htu: USERINFO_URL, ath: await ath(tokens.access_token) });
    const claims = await json<{ sub: string }>(await userinfo(`DPoP ${tokens.access_token}`, dpop), 200);
    expect(claims.sub).toBe(user.id);
  });

  it('refuses the bound token presented as Bearer, with a DPoP challenge', async () => {
    const res = await userinfo(`Bearer ${tokens.access_token}`);
    await expectOAuthError(res, 401, 'invalid_token');
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^DPoP .*error="invalid_token"/);
  });

  it('refuses the DPoP scheme without a proof, with a wrong ath, a wrong htm or another key', async () => {
    const noProof = await userinfo(`DPoP ${tokens.access_token}`);
    await expectOAuthError(noProof, 401, 'invalid_dpop_proof');
    expect(noProof.headers.get('WWW-Authenticate')).toMatch(/^DPoP .*error="invalid_dpop_proof".*algs="/);
    const wrongAth = await proof(key, { htm: 'GET', htu: USERINFO_URL, ath: await ath('other') });
    await expectOAuthError(
      await userinfo(`DPoP ${tokens.access_token}`, wrongAth),
      401,
      'invalid_dpop_proof',
    );
    const wrongHtm = await proof(key, {
      htm: 'POST',
      htu: USERINFO_URL,
      ath: await ath(tokens.access_token),
    });
    await expectOAuthError(
      await userinfo(`DPoP ${tokens.access_token}`, wrongHtm),
      401,
      'invalid_dpop_proof',
    );
    const other = await holder();
    const otherKey = await proof(other, {
      htm: 'GET',
      htu: USERINFO_URL,
      ath: await ath(tokens.access_token),
    });
    await expectOAuthError(
      await userinfo(`DPoP ${tokens.access_token}`, otherKey),
      401,
      'invalid_dpop_proof',
    );
  });

  it('refuses a Bearer token presented with the DPoP scheme', async () => {
    const bearer = await json<Tokens>(
      await post(
        '/oauth/token',
        { grant_type: 'client_credentials', scope: 'read' },
        { Authorization: basic(service.client_id, service.client_secret ?? '') },
      ),
      200,
    );
    const dpop = await proof(key, { htm: 'GET', htu: USERINFO_URL, ath: await ath(bearer.access_token) });
    await expectOAuthError(await userinfo(`DPoP ${bearer.access_token}`, dpop), 401, 'invalid_token');
  });

  it('offers both schemes when no credentials are sent', async () => {
    const res = await get('/oauth/userinfo');
    expect(res.status).toBe(401);
    const challenge = res.headers.get('WWW-Authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toMatch(/, DPoP realm="oauth2", algs="ES256 RS256 PS256 EdDSA"$/);
  });

  it('refuses a bound token as Bearer at the admin API', async () => {
    const bound = await json<Tokens>(
      await post(
        '/oauth/token',
        { grant_type: 'client_credentials', scope: 'admin' },
        {
          Authorization: basic(ADMIN_ID ?? '', ADMIN_SECRET),
          DPoP: await proof(key),
        },
      ),
      200,
    );
    const res = await get('/admin/api/clients', { Authorization: `Bearer ${bound.access_token}` });
    expect(res.status).toBe(401);
  });

  it('reports cnf.jkt and token_type DPoP at introspection', async () => {
    const res = await post(
      '/oauth/introspect',
      { token: tokens.access_token },
      { Authorization: basic(web.client_id, web.client_secret ?? '') },
    );
    const body = await json<Record<string, unknown>>(res, 200);
    expect(body.active).toBe(true);
    expect(body.token_type).toBe('DPoP');
    expect(body.cnf).toEqual({ jkt: key.jkt });
  });

  it('binds opaque access tokens through their stored record', async () => {
    const send = postWith({ OAUTH2_ACCESS_TOKENS_OPAQUE: 'true' });
    const issued = await json<Tokens>(await clientCredentials(await proof(key), service, send), 200);
    expect(issued.access_token).toMatch(/^oat_/);
    const res = await send(
      '/oauth/introspect',
      { token: issued.access_token },
      { Authorization: basic(service.client_id, service.client_secret ?? '') },
    );
    const body = await json<Record<string, unknown>>(res, 200);
    expect(body).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });
  });
});

describe('DPoP-bound refresh tokens of public clients (RFC 9449 §5)', () => {
  let key: Holder;
  let spa: TestClient;

  beforeAll(async () => {
    key = await holder();
    spa = await createWebClient(admin, { token_endpoint_auth_method: 'none' });
  });

  function refresh(token: string, dpop?: string) {
    return post(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: token, client_id: spa.client_id },
      dpop ? { DPoP: dpop } : {},
    );
  }

  it('refreshes only with a proof of the same key; a refusal does not consume the token', async () => {
    const tokens = await json<Tokens>(await codeFlowWithProof(spa, key), 200);
    expect(tokens.token_type).toBe('DPoP');
    const refreshToken = tokens.refresh_token as string;
    await expectOAuthError(await refresh(refreshToken), 400, 'invalid_grant');
    const other = await holder();
    await expectOAuthError(await refresh(refreshToken, await proof(other)), 400, 'invalid_grant');
    const rotated = await json<Tokens>(await refresh(refreshToken, await proof(key)), 200);
    expect(rotated.token_type).toBe('DPoP');
    expect(decodeJwt(rotated.access_token).cnf).toEqual({ jkt: key.jkt });
    // The successor stays bound to the same key.
    await expectOAuthError(
      await refresh(rotated.refresh_token as string, await proof(other)),
      400,
      'invalid_grant',
    );
    await json(await refresh(rotated.refresh_token as string, await proof(key)), 200);
  });

  it('leaves refresh tokens of a public client without DPoP unbound', async () => {
    const tokens = await json<Tokens>(await codeFlowWithProof(spa, null), 200);
    expect(tokens.token_type).toBe('Bearer');
    await json(await refresh(tokens.refresh_token as string), 200);
  });
});

describe('DPoP authorization code binding: dpop_jkt (RFC 9449 §10)', () => {
  const PAR_URL = `${ORIGIN}/oauth/par`;
  let web: TestClient;
  let thirdParty: TestClient;
  let spa: TestClient;
  let browser: Awaited<ReturnType<typeof signedIn>>;

  beforeAll(async () => {
    web = await createWebClient(admin);
    thirdParty = await createWebClient(admin, { first_party: false });
    spa = await createWebClient(admin, { token_endpoint_auth_method: 'none' });
    browser = await signedIn(user);
  });

  function clientAuth(client: TestClient): { headers: Record<string, string>; form: Record<string, string> } {
    return client.client_secret === undefined
      ? { headers: {}, form: { client_id: client.client_id } }
      : { headers: { Authorization: basic(client.client_id, client.client_secret) }, form: {} };
  }

  /** The authorization response (after approving consent when asked) for these parameters. */
  async function authorizeWith(params: Record<string, string>): Promise<URL> {
    const res = await approveIfAsked(
      browser,
      await browser.get(`/oauth/authorize?${new URLSearchParams(params)}`),
    );
    expect([302, 303], `status ${res.status}`).toContain(res.status);
    return new URL(res.headers.get('location') ?? '');
  }

  async function authorizationRequest(client: TestClient, extra: Record<string, string> = {}) {
    const { verifier, challenge } = await pkce();
    const params = {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid read',
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    };
    return { verifier, params };
  }

  /** A code from /oauth/authorize with these extra parameters. */
  async function codeFor(client: TestClient, extra: Record<string, string>) {
    const { verifier, params } = await authorizationRequest(client, extra);
    const location = await authorizeWith(params);
    const code = location.searchParams.get('code');
    expect(code, location.toString()).toBeTruthy();
    return { code: code as string, verifier };
  }

  function redeem(client: TestClient, code: string, verifier: string, dpop?: string) {
    const auth = clientAuth(client);
    return post(
      '/oauth/token',
      {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT,
        ...auth.form,
      },
      { ...auth.headers, ...(dpop === undefined ? {} : { DPoP: dpop }) },
    );
  }

  function pushWith(client: TestClient, params: Record<string, string>, dpop?: string, send: Poster = post) {
    const auth = clientAuth(client);
    return send(
      '/oauth/par',
      { ...params, ...auth.form },
      { ...auth.headers, ...(dpop === undefined ? {} : { DPoP: dpop }) },
    );
  }

  /** Pushes, then authorizes with the request_uri: the code. */
  async function codeViaPar(client: TestClient, extra: Record<string, string>, dpop?: string) {
    const { verifier, params } = await authorizationRequest(client, extra);
    const pushed = await json<{ request_uri: string }>(await pushWith(client, params, dpop), 201);
    const location = await authorizeWith({ client_id: client.client_id, request_uri: pushed.request_uri });
    const code = location.searchParams.get('code');
    expect(code, location.toString()).toBeTruthy();
    return { code: code as string, verifier };
  }

  /** A bound code is refused without a proof and with another key (not burned), then redeemed by its key. */
  async function expectBoundTo(client: TestClient, code: string, verifier: string, key: Holder) {
    await expectOAuthError(await redeem(client, code, verifier), 400, 'invalid_grant');
    const other = await holder();
    await expectOAuthError(await redeem(client, code, verifier, await proof(other)), 400, 'invalid_grant');
    const tokens = await json<Tokens>(await redeem(client, code, verifier, await proof(key)), 200);
    expect(tokens.token_type).toBe('DPoP');
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: key.jkt });
    // Redeemed now: a second use is a replay.
    await expectOAuthError(await redeem(client, code, verifier, await proof(key)), 400, 'invalid_grant');
  }

  it('binds the code to dpop_jkt of /oauth/authorize; other keys or no proof are invalid_grant', async () => {
    const key = await holder();
    const { code, verifier } = await codeFor(web, { dpop_jkt: key.jkt });
    await expectBoundTo(web, code, verifier, key);
  });

  it('carries dpop_jkt through the consent screen into the code', async () => {
    const key = await holder();
    const { code, verifier } = await codeFor(thirdParty, { dpop_jkt: key.jkt });
    await expectBoundTo(thirdParty, code, verifier, key);
  });

  it('leaves codes without dpop_jkt unbound (a proof is optional, any key)', async () => {
    const { code, verifier } = await codeFor(web, {});
    const tokens = await json<Tokens>(await redeem(web, code, verifier, await proof(await holder())), 200);
    expect(tokens.token_type).toBe('DPoP');
  });

  it.each([
    ['too short', 'abc'],
    ['44 characters', `${'A'.repeat(43)}B`],
    ['not base64url', `${'A'.repeat(42)}+`],
    ['padded', `${'A'.repeat(42)}=`],
  ])('refuses a malformed dpop_jkt (%s) with invalid_request by redirect', async (_, value) => {
    const { params } = await authorizationRequest(web, { dpop_jkt: value });
    const location = await authorizeWith(params);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe('st');
  });

  it('refuses a malformed dpop_jkt at /oauth/par with invalid_request', async () => {
    const { params } = await authorizationRequest(spa, { dpop_jkt: 'not-a-thumbprint' });
    await expectOAuthError(await pushWith(spa, params), 400, 'invalid_request');
  });

  it('binds the code to the key of a DPoP proof sent to /oauth/par (§10.1)', async () => {
    const key = await holder();
    const { code, verifier } = await codeViaPar(spa, {}, await proof(key, { htu: PAR_URL }));
    await expectBoundTo(spa, code, verifier, key);
  });

  it('accepts a proof and dpop_jkt of the same key at /oauth/par', async () => {
    const key = await holder();
    const dpop = await proof(key, { htu: PAR_URL });
    const { code, verifier } = await codeViaPar(web, { dpop_jkt: key.jkt }, dpop);
    await expectBoundTo(web, code, verifier, key);
  });

  it('binds the code to a pushed dpop_jkt sent without a proof', async () => {
    const key = await holder();
    const { code, verifier } = await codeViaPar(spa, { dpop_jkt: key.jkt });
    await expectBoundTo(spa, code, verifier, key);
  });

  it('refuses a proof whose key differs from the pushed dpop_jkt with invalid_dpop_proof', async () => {
    const key = await holder();
    const other = await holder();
    const { params } = await authorizationRequest(spa, { dpop_jkt: other.jkt });
    const res = await pushWith(spa, params, await proof(key, { htu: PAR_URL }));
    await expectOAuthError(res, 400, 'invalid_dpop_proof');
  });

  it('validates the proof at /oauth/par like the token endpoint', async () => {
    const key = await holder();
    const { params } = await authorizationRequest(spa);
    // htu must name the PAR endpoint, htm the method.
    await expectOAuthError(await pushWith(spa, params, await proof(key)), 400, 'invalid_dpop_proof');
    await expectOAuthError(
      await pushWith(spa, params, await proof(key, { htu: PAR_URL, htm: 'GET' })),
      400,
      'invalid_dpop_proof',
    );
    await expectOAuthError(await pushWith(spa, params, 'not.a.jwt'), 400, 'invalid_dpop_proof');
    // A proof is single-use here too.
    const dpop = await proof(key, { htu: PAR_URL });
    await json(await pushWith(spa, params, dpop), 201);
    await expectOAuthError(await pushWith(spa, params, dpop), 400, 'invalid_dpop_proof');
  });

  it('asks for a server nonce at /oauth/par when nonces are required', async () => {
    const send = postWith({ OAUTH2_DPOP_REQUIRE_NONCE: 'true' });
    const key = await holder();
    const { params } = await authorizationRequest(spa);
    const first = await pushWith(spa, params, await proof(key, { htu: PAR_URL }), send);
    const nonce = first.headers.get('DPoP-Nonce');
    await expectOAuthError(first, 400, 'use_dpop_nonce');
    expect(nonce).toBeTruthy();
    await json(
      await pushWith(spa, params, await proof(key, { htu: PAR_URL, nonce: nonce as string }), send),
      201,
    );
  });
});

describe('ReplayGuard (RFC 9449 §11.1)', () => {
  it('claims a key once until it expires, and its alarm drops expired entries', async () => {
    const stub = env.REPLAY_GUARD.get(env.REPLAY_GUARD.idFromName('replay-test'));
    const t = Math.floor(Date.now() / 1000);
    expect(await stub.claim('k1', t + 60, t)).toBe(true);
    expect(await stub.claim('k1', t + 60, t + 30)).toBe(false);
    expect(await stub.claim('k1', t + 200, t + 61)).toBe(true);
    expect(await stub.claim('old', t - 10, t - 20)).toBe(true);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const left = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec<{ key: string }>('SELECT key FROM seen ORDER BY key').toArray(),
    );
    expect(left.map((row) => row.key)).toEqual(['k1']);
  });
});

describe('DPoP discovery (RFC 9449 §5.1)', () => {
  it('advertises dpop_signing_alg_values_supported', async () => {
    const body = await json<Record<string, unknown>>(await get('/.well-known/openid-configuration'), 200);
    expect(body.dpop_signing_alg_values_supported).toEqual(['ES256', 'RS256', 'PS256', 'EdDSA']);
  });
});
