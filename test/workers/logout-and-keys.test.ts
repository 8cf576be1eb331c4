/**
 * RP-Initiated Logout redirects only on a valid ID token hint; one signing key per token use (access
 * tokens vs ID and logout tokens); a client authenticates only with its registered method (RFC 7591 §2).
 */
import { env } from 'cloudflare:test';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  jwtVerify,
  SignJWT,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ActiveKey, importKeySet } from '../../src/crypto/signing-keys';
import {
  AdminApi,
  type CodeFlowTokens,
  codeFlow,
  createTestUser,
  createWebClient,
  json,
  type TestClient,
  type TestUser,
} from './admin-helpers';
import { ADMIN_ID, ADMIN_SECRET, Browser, basic, expectOAuthError, get, ORIGIN, post } from './helpers';

const POST_LOGOUT = 'https://console.example.com/signed-out';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const now = () => Math.floor(Date.now() / 1000);

type Tokens = CodeFlowTokens & { id_token: string };

let admin: AdminApi;
let user: TestUser;
let web: TestClient;
let other: TestClient;
let tokens: Tokens;

beforeAll(async () => {
  admin = await AdminApi.create();
  user = await createTestUser(admin);
  web = await createWebClient(admin, { post_logout_redirect_uris: [POST_LOGOUT] });
  other = await createWebClient(admin, { post_logout_redirect_uris: ['https://other.example/bye'] });
  tokens = (await codeFlow(web, user, 'openid read')) as Tokens;
  expect(tokens.id_token).toBeTruthy();
});

/** The server's current signing keys, private parts included (to forge tokens the server would sign). */
async function serverKeys() {
  const records = await env.KEY_RING.get(env.KEY_RING.idFromName('key-ring')).getKeys();
  return importKeySet(records, env.OAUTH2_KEY_ENCRYPTION_KEY ?? '', now());
}

function signWith(key: ActiveKey | undefined, typ: string, claims: Record<string, unknown>): Promise<string> {
  if (!key) throw new Error('no such key');
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ }).sign(key.privateKey);
}

/** The claims of an ID token for `web` (as src/oidc/id-token.ts issues them). */
function idTokenClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = now();
  return {
    iss: ORIGIN,
    sub: user.id,
    aud: web.client_id,
    iat,
    exp: iat + 3600,
    auth_time: iat,
    sid: 'sid-1',
    ...overrides,
  };
}

function logoutPath(params: Record<string, string>): string {
  return `/oauth/logout?${new URLSearchParams(params)}`;
}

/** A logout request from a browser with no session: the signed-out page, never a redirect. */
async function expectNoRedirect(res: Response, status: number): Promise<void> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('location')).toBeNull();
  expect(text).not.toContain(POST_LOGOUT);
}

describe('RP-Initiated Logout 1.0: the post-logout redirect needs an ID token hint (§2, §3)', () => {
  it('shows the signed-out page, not a redirect, for client_id and a registered URI without a hint', async () => {
    const res = await new Browser().get(
      logoutPath({ client_id: web.client_id, post_logout_redirect_uri: POST_LOGOUT, state: 's' }),
    );
    await expectNoRedirect(res, 200);
  });

  it('shows the confirmation, then the signed-out page, to a signed-in user when there is no hint', async () => {
    const browser = new Browser();
    expect((await browser.signIn(user.username, user.password)).status).toBe(303);
    const confirm = await browser.get(
      logoutPath({ client_id: web.client_id, post_logout_redirect_uri: POST_LOGOUT }),
    );
    const html = await confirm.text();
    expect(confirm.status).toBe(200);
    expect(html).toContain('name="decision"');
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const done = await browser.postForm('/oauth/logout', {
      csrf_token: csrf,
      decision: 'logout',
      client_id: web.client_id,
      post_logout_redirect_uri: POST_LOGOUT,
    });
    await expectNoRedirect(done, 200);
  });

  it('redirects to the registered URI, with state, on a valid ID token hint', async () => {
    const res = await new Browser().get(
      logoutPath({
        id_token_hint: tokens.id_token,
        client_id: web.client_id,
        post_logout_redirect_uri: POST_LOGOUT,
        state: 'bye',
      }),
    );
    expect(res.status).toBe(302);
    const url = new URL(res.headers.get('location') ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(POST_LOGOUT);
    expect(url.searchParams.get('state')).toBe('bye');
  });

  it('answers a POSTed logout with 303, never 302 or 307 (RFC 9700 §4.12)', async () => {
    const res = await new Browser().postForm('/oauth/logout', {
      id_token_hint: tokens.id_token,
      client_id: web.client_id,
      post_logout_redirect_uri: POST_LOGOUT,
    });
    expect(res.status).toBe(303);
    const url = new URL(res.headers.get('location') ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(POST_LOGOUT);
  });

  it('accepts an expired ID token as the hint (its signature and issuer still verify)', async () => {
    const keys = await serverKeys();
    const expired = await signWith(
      keys.active.id_token.RS256,
      'JWT',
      idTokenClaims({ iat: now() - 7200, exp: now() - 3600, auth_time: now() - 7200 }),
    );
    const res = await new Browser().get(
      logoutPath({ id_token_hint: expired, post_logout_redirect_uri: POST_LOGOUT }),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(POST_LOGOUT);
  });

  it('refuses an access token as the hint: an error page, no redirect', async () => {
    const keys = await serverKeys();
    // An access token whose audience is the client, as a resource named by the client would get.
    const forClient = await signWith(keys.active.access_token.ES256, 'at+jwt', {
      ...idTokenClaims(),
      client_id: web.client_id,
      jti: `${tokens.grantId}.abcdefghijk`,
      scope: 'openid read',
    });
    for (const hint of [tokens.access_token, forClient]) {
      const res = await new Browser().get(
        logoutPath({ id_token_hint: hint, post_logout_redirect_uri: POST_LOGOUT }),
      );
      await expectNoRedirect(res, 400);
    }
  });

  it('refuses ID-token claims signed with the access-token key, and a logout token', async () => {
    const keys = await serverKeys();
    const withAccessKey = await signWith(keys.active.access_token.ES256, 'JWT', idTokenClaims());
    const logoutToken = await signWith(
      keys.active.id_token.RS256,
      'logout+jwt',
      idTokenClaims({ events: { 'http://schemas.openid.net/event/backchannel-logout': {} } }),
    );
    const accessTyped = await signWith(keys.active.id_token.RS256, 'at+jwt', idTokenClaims());
    for (const hint of [withAccessKey, logoutToken, accessTyped]) {
      const res = await new Browser().get(
        logoutPath({ id_token_hint: hint, post_logout_redirect_uri: POST_LOGOUT }),
      );
      await expectNoRedirect(res, 400);
    }
  });

  it('never redirects to a URI of a client the hint was not issued to', async () => {
    const otherTokens = (await codeFlow(other, user, 'openid read')) as Tokens;
    const named = await new Browser().get(
      logoutPath({
        id_token_hint: otherTokens.id_token,
        client_id: web.client_id,
        post_logout_redirect_uri: POST_LOGOUT,
      }),
    );
    await expectNoRedirect(named, 400);
    const unnamed = await new Browser().get(
      logoutPath({ id_token_hint: otherTokens.id_token, post_logout_redirect_uri: POST_LOGOUT }),
    );
    await expectNoRedirect(unnamed, 400);
  });
});

describe('Signing keys: one key per use (RFC 7517 §4.2, RFC 9068 §2.1)', () => {
  it('publishes distinct signature keys for access tokens and for ID tokens of each algorithm', async () => {
    const jwks = (await (await get('/.well-known/jwks.json')).json()) as JSONWebKeySet;
    const active = await serverKeys();
    const kids = [
      active.active.access_token.ES256?.kid,
      active.active.id_token.RS256?.kid,
      active.active.id_token.ES256?.kid,
    ];
    expect(new Set(kids).size).toBe(3);
    for (const kid of kids) {
      expect(jwks.keys.find((key) => key.kid === kid)).toMatchObject({ use: 'sig' });
    }
  });

  it('signs ES256 ID tokens with an ID-token key, never the access-token key', async () => {
    const es = await createWebClient(admin, { id_token_signed_response_alg: 'ES256' });
    const issued = (await codeFlow(es, user, 'openid read')) as Tokens;
    const idHeader = decodeProtectedHeader(issued.id_token);
    const atHeader = decodeProtectedHeader(issued.access_token);
    expect(idHeader).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    expect(atHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(idHeader.kid).not.toBe(atHeader.kid);
    const jwks = (await (await get('/.well-known/jwks.json')).json()) as JSONWebKeySet;
    await jwtVerify(issued.id_token, createLocalJWKSet(jwks), { issuer: ORIGIN, audience: es.client_id });
    const rsHeader = decodeProtectedHeader(tokens.id_token);
    expect(rsHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(rsHeader.kid).not.toBe(atHeader.kid);
  });

  it('refuses an ID token presented as a Bearer access token (userinfo, introspection)', async () => {
    const keys = await serverKeys();
    // Even shaped like an access token, a token signed by an ID-token key is not one.
    const atShaped = await signWith(keys.active.id_token.ES256, 'at+jwt', {
      ...idTokenClaims(),
      client_id: web.client_id,
      jti: `${tokens.grantId}.abcdefghijk`,
      scope: 'openid read',
    });
    for (const token of [tokens.id_token, atShaped]) {
      const userinfo = await get('/oauth/userinfo', { Authorization: `Bearer ${token}` });
      await expectOAuthError(userinfo, 401, 'invalid_token');
      const introspected = await post(
        '/oauth/introspect',
        { token },
        { Authorization: basic(ADMIN_ID, ADMIN_SECRET) },
      );
      expect((await json<{ active: boolean }>(introspected, 200)).active).toBe(false);
    }
    const userinfo = await get('/oauth/userinfo', { Authorization: `Bearer ${tokens.access_token}` });
    expect(userinfo.status).toBe(200);
  });

  it('rotates the ID-token keys with the access-token key', async () => {
    const before = await serverKeys();
    await admin.post('/admin/api/keys/rotate', undefined, 200);
    const after = await serverKeys();
    expect(after.active.access_token.ES256?.kid).not.toBe(before.active.access_token.ES256?.kid);
    expect(after.active.id_token.RS256?.kid).not.toBe(before.active.id_token.RS256?.kid);
    expect(after.active.id_token.ES256?.kid).not.toBe(before.active.id_token.ES256?.kid);
    // The replaced ID-token key still verifies its hints.
    const res = await new Browser().get(
      logoutPath({ id_token_hint: tokens.id_token, post_logout_redirect_uri: POST_LOGOUT }),
    );
    expect(res.status).toBe(302);
  });
});

describe('Client authentication: only the registered token_endpoint_auth_method (RFC 7591 §2)', () => {
  const ENDPOINTS: [string, Record<string, string>][] = [
    ['/oauth/token', { grant_type: 'client_credentials', scope: 'read' }],
    ['/oauth/introspect', { token: 'x' }],
    ['/oauth/revoke', { token: 'x' }],
    [
      '/oauth/par',
      {
        response_type: 'code',
        redirect_uri: 'https://console.example.com/cb',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      },
    ],
    ['/oauth/device_authorization', { scope: 'read' }],
  ];

  async function clientWith(method: string): Promise<{ client_id: string; client_secret: string }> {
    return admin.post('/admin/api/clients', {
      client_name: `auth ${method}`,
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: method,
    });
  }

  function viaBasic(
    client: { client_id: string; client_secret: string },
    path: string,
    form: Record<string, string>,
  ) {
    return post(path, form, { Authorization: basic(client.client_id, client.client_secret) });
  }

  function viaPost(
    client: { client_id: string; client_secret: string },
    path: string,
    form: Record<string, string>,
  ) {
    return post(path, { ...form, client_id: client.client_id, client_secret: client.client_secret });
  }

  it.each(ENDPOINTS)(
    '%s: a client_secret_jwt client cannot use client_secret_basic or _post',
    async (path, form) => {
      const client = await clientWith('client_secret_jwt');
      await expectOAuthError(await viaBasic(client, path, form), 401, 'invalid_client');
      await expectOAuthError(await viaPost(client, path, form), 401, 'invalid_client');
      const assertion = await new SignJWT({ jti: crypto.randomUUID() })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(client.client_id)
        .setSubject(client.client_id)
        .setAudience(ORIGIN)
        .setIssuedAt()
        .setExpirationTime(now() + 60)
        .sign(new TextEncoder().encode(client.client_secret));
      const token = await post('/oauth/token', {
        grant_type: 'client_credentials',
        scope: 'read',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: assertion,
      });
      expect(token.status).toBe(200);
    },
  );

  it.each(ENDPOINTS)('%s: a basic client cannot use _post, nor a post client basic', async (path, form) => {
    const basicClient = await clientWith('client_secret_basic');
    const postClient = await clientWith('client_secret_post');
    await expectOAuthError(await viaPost(basicClient, path, form), 401, 'invalid_client');
    await expectOAuthError(await viaBasic(postClient, path, form), 401, 'invalid_client');
    const tokenForm = { grant_type: 'client_credentials', scope: 'read' };
    expect((await viaBasic(basicClient, '/oauth/token', tokenForm)).status).toBe(200);
    expect((await viaPost(postClient, '/oauth/token', tokenForm)).status).toBe(200);
  });

  it('a private_key_jwt client cannot authenticate with a client_secret_jwt assertion', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const client = await admin.post<{ client_id: string }>('/admin/api/clients', {
      client_name: 'key client',
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk] },
    });
    const hmac = await new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(client.client_id)
      .setSubject(client.client_id)
      .setAudience(ORIGIN)
      .setIssuedAt()
      .setExpirationTime(now() + 60)
      .sign(new TextEncoder().encode('k'.repeat(43)));
    for (const [path, form] of ENDPOINTS) {
      const res = await post(path, {
        ...form,
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: hmac,
      });
      await expectOAuthError(res, 401, 'invalid_client');
    }
  });
});
