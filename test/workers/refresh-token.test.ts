import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { sha256 } from '../../src/crypto/hash';
import type { OAuthContext, RefreshFamily, RotationRequest } from '../../src/oauth/ports';
import { newGrantId, tokenActorName } from '../../src/oauth/sharded-id';
import { issueInitialRefreshToken, mayIssueRefreshToken } from '../../src/oauth/tokens/refresh-token';
import { createStorage } from '../../src/storage';
import type { ClientRecord } from '../../src/storage/ports';
import { oauthContext } from '../../worker/wiring/services';
import {
  adminToken,
  Browser,
  basic,
  expectOAuthError,
  inputValue,
  ORIGIN,
  type Poster,
  post,
  postJson,
  postWith,
} from './helpers';

const nowSecs = () => Math.floor(Date.now() / 1000);

function actorFor(grantId: string) {
  return env.TOKEN_ACTOR.get(env.TOKEN_ACTOR.idFromName(tokenActorName(grantId)));
}

function context(): OAuthContext {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  return oauthContext(env, loaded.config, ORIGIN);
}

interface TestClient {
  clientId: string;
  /** Authentication for the token, introspection and revocation endpoints. */
  auth: Record<string, string>;
  /** Extra form fields (client_id for a public client). */
  form: Record<string, string>;
}

let admin: string;
let userId: string;
let confidential: TestClient;

beforeAll(async () => {
  admin = await adminToken();
  userId = await createUser();
  confidential = await registerClient();
});

async function createUser(role: 'user' | 'admin' = 'user'): Promise<string> {
  const id = crypto.randomUUID();
  const now = nowSecs();
  await createStorage(env).users.create({
    id,
    username: `refresh-${id}`,
    email: null,
    name: null,
    passwordHash: 'pbkdf2-sha256$1$AA$AA',
    role,
    enabled: true,
    emailVerified: false,
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

async function registerClient(metadata: Record<string, unknown> = {}): Promise<TestClient> {
  const res = await postJson(
    '/connect/register',
    {
      redirect_uris: ['https://app.example.com/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access read write',
      ...metadata,
    },
    { Authorization: `Bearer ${admin}` },
  );
  const text = await res.text();
  expect(res.status, text).toBe(201);
  const body = JSON.parse(text) as { client_id: string; client_secret?: string };
  if (body.client_secret === undefined) {
    return { clientId: body.client_id, auth: {}, form: { client_id: body.client_id } };
  }
  return {
    clientId: body.client_id,
    auth: { Authorization: basic(body.client_id, body.client_secret) },
    form: {},
  };
}

/** A fresh family's first refresh token, as code redemption issues it. */
async function startFamily(
  client: TestClient,
  scope = ['openid', 'offline_access', 'read', 'write'],
  user = userId,
): Promise<string> {
  const ctx = context();
  const record = (await ctx.clients.get(client.clientId)) as ClientRecord;
  const token = await issueInitialRefreshToken(ctx, {
    grantId: newGrantId(ctx.config.tokenActorShards),
    client: record,
    userId: user,
    scope,
    authTime: nowSecs() - 5,
    sid: 'sid-refresh-test',
  });
  expect(token).toMatch(/^ort_[0-9a-z]{2}[A-Za-z0-9_-]{63}$/);
  return token as string;
}

interface TokenBody {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  id_token?: string;
}

function refresh(
  client: TestClient,
  refreshToken: string,
  extra: Record<string, string> = {},
  call: Poster = post,
) {
  return call(
    '/oauth/token',
    { grant_type: 'refresh_token', refresh_token: refreshToken, ...client.form, ...extra },
    client.auth,
  );
}

async function refreshed(client: TestClient, refreshToken: string, extra: Record<string, string> = {}) {
  const res = await refresh(client, refreshToken, extra);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as TokenBody;
}

async function introspect(client: TestClient, token: string, call: Poster = post) {
  const res = await call('/oauth/introspect', { token }, client.auth);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('Refreshing an Access Token (RFC 6749 §6)', () => {
  it('exchanges a refresh token for a new access token, a new refresh token and an ID token', async () => {
    const token = await startFamily(confidential);
    const res = await refresh(confidential, token);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as TokenBody;
    expect(res.status).toBe(200);
    expect(body.token_type).toBe('Bearer');
    expect(body.scope).toBe('openid offline_access read write');
    expect(body.refresh_token).toMatch(/^ort_/);
    expect(body.refresh_token).not.toBe(token);
    expect(body.refresh_token.slice(4, 26)).toBe(token.slice(4, 26));
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({ sub: userId, client_id: confidential.clientId });
    expect(String(claims.jti).startsWith(token.slice(4, 26))).toBe(true);
    const idToken = decodeJwt(body.id_token as string);
    expect(idToken).toMatchObject({ sub: userId, aud: confidential.clientId, sid: 'sid-refresh-test' });
    expect(idToken.nonce).toBeUndefined();
    expect(typeof idToken.at_hash).toBe('string');
  });

  it('the new refresh token works in turn, and so on', async () => {
    let token = await startFamily(confidential);
    for (let i = 0; i < 3; i++) token = (await refreshed(confidential, token)).refresh_token;
    expect((await introspect(confidential, token)).active).toBe(true);
  });

  it('narrows the scope of the access token; the family keeps its original scope', async () => {
    const token = await startFamily(confidential);
    const narrow = await refreshed(confidential, token, { scope: 'read' });
    expect(narrow.scope).toBe('read');
    expect(decodeJwt(narrow.access_token).scope).toBe('read');
    expect(narrow.id_token).toBeUndefined();
    const full = await refreshed(confidential, narrow.refresh_token);
    expect(full.scope).toBe('openid offline_access read write');
  });

  it('answers invalid_scope for a scope beyond the grant, without consuming the token', async () => {
    const token = await startFamily(confidential, ['offline_access', 'read']);
    await expectOAuthError(await refresh(confidential, token, { scope: 'read write' }), 400, 'invalid_scope');
    await refreshed(confidential, token, { scope: 'read' });
  });

  it('answers invalid_request without a refresh_token parameter', async () => {
    await expectOAuthError(await refresh(confidential, '', {}), 400, 'invalid_request');
  });

  it('answers invalid_grant for garbage, unknown and tampered tokens', async () => {
    const token = await startFamily(confidential);
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const candidate of ['garbage', `ort_${'A'.repeat(65)}`, `${token}x`, tampered, token.slice(4)]) {
      await expectOAuthError(await refresh(confidential, candidate), 400, 'invalid_grant');
    }
    await refreshed(confidential, token);
  });

  it("answers invalid_grant for another client's refresh token, which stays usable by its owner", async () => {
    const other = await registerClient();
    const token = await startFamily(confidential);
    await expectOAuthError(await refresh(other, token), 400, 'invalid_grant');
    await refreshed(confidential, token);
  });

  it('answers unauthorized_client for a client not registered for the refresh_token grant', async () => {
    const token = await startFamily(confidential);
    const codeOnly = await registerClient({ grant_types: ['authorization_code'] });
    await expectOAuthError(await refresh(codeOnly, token), 400, 'unauthorized_client');
  });

  it('requires client authentication from a confidential client', async () => {
    const token = await startFamily(confidential);
    await expectOAuthError(
      await post('/oauth/token', {
        grant_type: 'refresh_token',
        refresh_token: token,
        client_id: confidential.clientId,
      }),
      401,
      'invalid_client',
    );
    await refreshed(confidential, token);
  });

  it('lets a public client refresh with its client_id alone', async () => {
    const pub = await registerClient({ token_endpoint_auth_method: 'none' });
    const token = await startFamily(pub);
    const body = await refreshed(pub, token);
    expect(decodeJwt(body.access_token).client_id).toBe(pub.clientId);
    await expectOAuthError(await refresh(pub, token), 400, 'invalid_grant');
  });

  it('answers invalid_grant once the family has reached its absolute lifetime', async () => {
    const call = postWith({ OAUTH2_REFRESH_TOKEN_TTL_SECS: '60' });
    const ctx = context();
    const record = (await ctx.clients.get(confidential.clientId)) as ClientRecord;
    const short = { ...ctx, config: { ...ctx.config, refreshTokenTtlSecs: 60 } };
    const token = (await issueInitialRefreshToken(short, {
      grantId: newGrantId(4),
      client: record,
      userId,
      scope: ['offline_access', 'read'],
      authTime: nowSecs(),
      sid: 'sid-short',
    })) as string;
    const next = (await (await refresh(confidential, token, {}, call)).json()) as TokenBody;
    const realNow = Date.now;
    Date.now = () => realNow() + 61_000;
    try {
      await expectOAuthError(await refresh(confidential, next.refresh_token, {}, call), 400, 'invalid_grant');
    } finally {
      Date.now = realNow;
    }
  });

  it('answers invalid_grant and revokes the family when the user is disabled', async () => {
    const user = await createUser();
    const token = await startFamily(confidential, ['offline_access', 'read'], user);
    const { access_token, refresh_token } = await refreshed(confidential, token);
    const storage = createStorage(env);
    const record = await storage.users.getById(user);
    await storage.users.update({ ...(record as NonNullable<typeof record>), enabled: false });
    await expectOAuthError(await refresh(confidential, refresh_token), 400, 'invalid_grant');
    expect((await introspect(confidential, access_token)).active).toBe(false);
  });

  it('drops admin from the scope of a user who is no longer an administrator', async () => {
    const adminClient = await registerClient({ scope: 'offline_access read' });
    // The registration refuses privileged scopes, so start the family as if admin had been granted.
    const token = await startFamily(adminClient, ['offline_access', 'read', 'admin']);
    const body = await refreshed(adminClient, token);
    expect(body.scope).toBe('offline_access read');
  });
});

describe('Refresh token rotation and reuse detection (RFC 9700 §4.14)', () => {
  it('a rotated token presented again revokes the family: its refresh and access tokens', async () => {
    const token = await startFamily(confidential);
    const first = await refreshed(confidential, token);
    const second = await refreshed(confidential, first.refresh_token);
    expect((await introspect(confidential, second.access_token)).active).toBe(true);
    await expectOAuthError(await refresh(confidential, token), 400, 'invalid_grant');
    await expectOAuthError(await refresh(confidential, second.refresh_token), 400, 'invalid_grant');
    expect((await introspect(confidential, first.access_token)).active).toBe(false);
    expect((await introspect(confidential, second.access_token)).active).toBe(false);
    expect(await introspect(confidential, second.refresh_token)).toEqual({ active: false });
  });

  it('revokes opaque access tokens of the family too', async () => {
    const call = postWith({ OAUTH2_ACCESS_TOKENS_OPAQUE: 'true' });
    const token = await startFamily(confidential);
    const first = (await (await refresh(confidential, token, {}, call)).json()) as TokenBody;
    expect(first.access_token).toMatch(/^oat_/);
    expect((await introspect(confidential, first.access_token, call)).active).toBe(true);
    await expectOAuthError(await refresh(confidential, token, {}, call), 400, 'invalid_grant');
    expect((await introspect(confidential, first.access_token, call)).active).toBe(false);
  });

  it('with the retry window, the same previous token returns the identical successor', async () => {
    const call = postWith({ OAUTH2_REFRESH_TOKEN_REUSE_INTERVAL_SECS: '30' });
    const token = await startFamily(confidential);
    const first = (await (await refresh(confidential, token, {}, call)).json()) as TokenBody;
    const retry = await refresh(confidential, token, {}, call);
    expect(retry.status).toBe(200);
    const again = (await retry.json()) as TokenBody;
    expect(again.refresh_token).toBe(first.refresh_token);
    expect(again.access_token).not.toBe(first.access_token);
    // Once the successor has been used, the old token is reuse even inside the window.
    const next = (await (await refresh(confidential, first.refresh_token, {}, call)).json()) as TokenBody;
    await expectOAuthError(await refresh(confidential, token, {}, call), 400, 'invalid_grant');
    await expectOAuthError(await refresh(confidential, next.refresh_token, {}, call), 400, 'invalid_grant');
  });

  it('without the window (default 0), a retry is reuse', async () => {
    const token = await startFamily(confidential);
    const first = await refreshed(confidential, token);
    await expectOAuthError(await refresh(confidential, token), 400, 'invalid_grant');
    await expectOAuthError(await refresh(confidential, first.refresh_token), 400, 'invalid_grant');
  });

  it('20 parallel refreshes of one token: at most one 200, the rest invalid_grant, never a 5xx', async () => {
    const token = await startFamily(confidential);
    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(confidential, token)));
    const statuses = responses.map((res) => res.status);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(1);
    for (const res of responses) {
      if (res.status !== 200) expect(((await res.json()) as { error: string }).error).toBe('invalid_grant');
    }
    // The duplicates were reuse: nothing of the family is left alive.
    const winner = responses.find((res) => res.status === 200);
    if (winner) {
      const body = (await winner.json()) as TokenBody;
      await expectOAuthError(await refresh(confidential, body.refresh_token), 400, 'invalid_grant');
    }
  });

  it('20 parallel refreshes inside the retry window all get the same successor', async () => {
    const call = postWith({ OAUTH2_REFRESH_TOKEN_REUSE_INTERVAL_SECS: '60' });
    const token = await startFamily(confidential);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => refresh(confidential, token, {}, call)),
    );
    expect(responses.map((res) => res.status)).toEqual(Array(20).fill(200));
    const successors = new Set(
      await Promise.all(responses.map(async (res) => ((await res.json()) as TokenBody).refresh_token)),
    );
    expect(successors.size).toBe(1);
    await refreshed(confidential, [...successors][0] as string);
  });
});

describe('Refresh tokens from the authorization code flow (end to end)', () => {
  const REDIRECT = 'https://app.example.com/callback';

  async function signedInUser(): Promise<{ id: string; browser: Browser }> {
    const username = `refresh-e2e-${crypto.randomUUID().slice(0, 8)}`;
    const password = `pw-${crypto.randomUUID()}`;
    const res = await postJson(
      '/admin/api/users',
      { username, password, role: 'user' },
      { Authorization: `Bearer ${admin}` },
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const browser = new Browser();
    expect((await browser.signIn(username, password)).status).toBe(303);
    return { id: ((await res.json()) as { id: string }).id, browser };
  }

  /** Sign-in, consent and code exchange; answers the token response. */
  async function codeFlow(client: TestClient, scope: string): Promise<Partial<TokenBody>> {
    const { browser } = await signedInUser();
    const verifier = `${crypto.randomUUID()}-${crypto.randomUUID()}`;
    const challenge = await sha256(verifier);
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      scope,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const consent = await browser.get(`/oauth/authorize?${query}`);
    const html = await consent.text();
    expect(consent.status, html).toBe(200);
    const approved = await browser.postForm('/oauth/consent', {
      csrf_token: inputValue(html, 'csrf_token') as string,
      request_id: inputValue(html, 'request_id') as string,
      decision: 'approve',
    });
    expect(approved.status).toBe(303);
    const code = new URL(approved.headers.get('location') as string).searchParams.get('code') as string;
    const res = await post(
      '/oauth/token',
      {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT,
        ...client.form,
      },
      client.auth,
    );
    const text = await res.text();
    expect(res.status, text).toBe(200);
    return JSON.parse(text) as Partial<TokenBody>;
  }

  it('a code granted offline_access yields a refresh token that rotates', async () => {
    const tokens = await codeFlow(confidential, 'openid offline_access read');
    expect(tokens.refresh_token).toMatch(/^ort_/);
    expect(decodeJwt(tokens.access_token as string).jti).toMatch(
      new RegExp(`^${(tokens.refresh_token as string).slice(4, 26)}\\.`),
    );
    const next = await refreshed(confidential, tokens.refresh_token as string);
    expect(next.scope).toBe('openid offline_access read');
    expect(decodeJwt(next.id_token as string).sid).toBe(decodeJwt(tokens.id_token as string).sid);
    await expectOAuthError(await refresh(confidential, tokens.refresh_token as string), 400, 'invalid_grant');
    expect((await introspect(confidential, tokens.access_token as string)).active).toBe(false);
  });

  it('a public client gets one too, and refreshes with its client_id', async () => {
    const pub = await registerClient({ token_endpoint_auth_method: 'none' });
    const tokens = await codeFlow(pub, 'offline_access read');
    const next = await refreshed(pub, tokens.refresh_token as string);
    expect(next.scope).toBe('offline_access read');
    // RFC 7009 §2.1: a public client revokes with its client_id alone.
    expect(
      (await post('/oauth/revoke', { token: next.refresh_token as string, ...pub.form }, pub.auth)).status,
    ).toBe(200);
    await expectOAuthError(await refresh(pub, next.refresh_token as string), 400, 'invalid_grant');
  });

  it('a third-party client without offline_access gets no refresh token', async () => {
    const tokens = await codeFlow(confidential, 'openid read');
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeUndefined();
  });
});

describe('Refresh tokens at introspection (RFC 7662) and revocation (RFC 7009)', () => {
  it('introspects a current refresh token as active, without an access-token token_type', async () => {
    const token = await startFamily(confidential);
    const body = await introspect(confidential, token);
    expect(body).toMatchObject({
      active: true,
      client_id: confidential.clientId,
      sub: userId,
      scope: 'openid offline_access read write',
      iss: ORIGIN,
    });
    expect(body.token_type).toBeUndefined();
    expect(body.exp as number).toBeGreaterThan(nowSecs() + 2_000_000);
  });

  it('a rotated refresh token introspects inactive', async () => {
    const token = await startFamily(confidential);
    await refreshed(confidential, token);
    expect(await introspect(confidential, token)).toEqual({ active: false });
  });

  it("another client cannot introspect a client's refresh token", async () => {
    const other = await registerClient();
    const token = await startFamily(confidential);
    expect(await introspect(other, token)).toEqual({ active: false });
  });

  it('revoking a refresh token (token_type_hint=refresh_token) revokes its family', async () => {
    const token = await startFamily(confidential);
    const { access_token, refresh_token } = await refreshed(confidential, token);
    const res = await post(
      '/oauth/revoke',
      { token: refresh_token, token_type_hint: 'refresh_token' },
      confidential.auth,
    );
    expect(res.status).toBe(200);
    expect(await introspect(confidential, refresh_token)).toEqual({ active: false });
    expect((await introspect(confidential, access_token)).active).toBe(false);
    await expectOAuthError(await refresh(confidential, refresh_token), 400, 'invalid_grant');
  });

  it('revoking an access token of the family ends its refresh tokens too', async () => {
    const token = await startFamily(confidential);
    const { access_token, refresh_token } = await refreshed(confidential, token);
    expect((await post('/oauth/revoke', { token: access_token }, confidential.auth)).status).toBe(200);
    await expectOAuthError(await refresh(confidential, refresh_token), 400, 'invalid_grant');
  });

  it("refuses to revoke another client's refresh token, which stays usable", async () => {
    const other = await registerClient();
    const token = await startFamily(confidential);
    await expectOAuthError(await post('/oauth/revoke', { token }, other.auth), 400, 'invalid_request');
    await refreshed(confidential, token);
  });

  it('answers 200 for an unknown refresh token', async () => {
    expect((await post('/oauth/revoke', { token: `ort_${'A'.repeat(65)}` }, confidential.auth)).status).toBe(
      200,
    );
  });
});

describe('Who gets a refresh token at code redemption', () => {
  const base: ClientRecord = {
    clientId: 'c',
    clientSecretHash: null,
    clientSecretExpiresAt: 0,
    registrationAccessTokenHash: null,
    clientName: null,
    redirectUris: [],
    grantTypes: ['authorization_code', 'refresh_token'],
    responseTypes: ['code'],
    scope: 'openid offline_access',
    tokenEndpointAuthMethod: 'none',
    metadata: {},
    enabled: true,
    firstParty: false,
    createdAt: 0,
    updatedAt: 0,
  };

  it('clients allowed the refresh_token grant that were granted offline_access', () => {
    expect(mayIssueRefreshToken(base, ['openid', 'offline_access'])).toBe(true);
    expect(mayIssueRefreshToken(base, ['openid'])).toBe(false);
  });

  it('first-party clients allowed the refresh_token grant, without offline_access', () => {
    expect(mayIssueRefreshToken({ ...base, firstParty: true }, ['openid'])).toBe(true);
  });

  it('never clients without the refresh_token grant', () => {
    const codeOnly = { ...base, grantTypes: ['authorization_code'], firstParty: true };
    expect(mayIssueRefreshToken(codeOnly, ['openid', 'offline_access'])).toBe(false);
  });

  it('issueInitialRefreshToken answers null when the rule says no, and starts no family', async () => {
    const ctx = context();
    const grantId = newGrantId(4);
    const token = await issueInitialRefreshToken(ctx, {
      grantId,
      client: base,
      userId,
      scope: ['openid'],
      authTime: nowSecs(),
      sid: 's',
    });
    expect(token).toBeNull();
  });
});

describe('TokenActor refresh-token families', () => {
  const family = (overrides: Partial<RefreshFamily> = {}): RefreshFamily => ({
    clientId: 'client-a',
    userId: 'user-a',
    scope: 'openid offline_access read',
    authTime: nowSecs(),
    sid: 'sid-a',
    expiresAt: nowSecs() + 3600,
    ...overrides,
  });

  const rotation = (
    hash: string,
    successorHash: string,
    overrides: Partial<RotationRequest> = {},
  ): RotationRequest => ({
    hash,
    successorHash,
    clientId: 'client-a',
    scope: [],
    reuseIntervalSecs: 0,
    accessTokenExpiresAt: nowSecs() + 3600,
    ...overrides,
  });

  async function started(overrides: Partial<RefreshFamily> = {}) {
    const grantId = newGrantId(4);
    const actor = actorFor(grantId);
    const first = await sha256(crypto.randomUUID());
    expect(
      await actor.startFamily(
        grantId,
        family(overrides),
        { hash: first, accessTokenExpiresAt: nowSecs() + 60 },
        nowSecs(),
      ),
    ).toBe(true);
    /** Hashes unique to this family: every test shares the four actor shards. */
    const h = (name: string) => `${first}.${name}`;
    return { grantId, actor, first, h };
  }

  it('startFamily refuses a second family for the grant, and a revoked grant', async () => {
    const { grantId, actor, h } = await started();
    expect(
      await actor.startFamily(grantId, family(), { hash: h('other'), accessTokenExpiresAt: 0 }, nowSecs()),
    ).toBe(false);
    const revoked = newGrantId(4);
    await actorFor(revoked).revoke(revoked, nowSecs() + 60);
    expect(
      await actorFor(revoked).startFamily(
        revoked,
        family(),
        { hash: h('x'), accessTokenExpiresAt: 0 },
        nowSecs(),
      ),
    ).toBe(false);
  });

  it('rotates the current token and reports the family and generation', async () => {
    const { grantId, actor, first, h } = await started();
    const result = await actor.rotateRefreshToken(grantId, rotation(first, h('second')), nowSecs());
    expect(result).toMatchObject({
      status: 'rotated',
      generation: 2,
      retried: false,
      family: { userId: 'user-a' },
    });
    expect(await actor.findRefreshToken(grantId, first, nowSecs())).toMatchObject({
      current: false,
      generation: 1,
    });
    expect(await actor.findRefreshToken(grantId, h('second'), nowSecs())).toMatchObject({
      current: true,
      generation: 2,
    });
    expect(
      await actor.rotateRefreshToken(grantId, rotation(h('second'), h('third')), nowSecs()),
    ).toMatchObject({
      status: 'rotated',
      generation: 3,
    });
  });

  it('reuse of a rotated token revokes the grant and every refresh token', async () => {
    const { grantId, actor, first, h } = await started();
    await actor.rotateRefreshToken(grantId, rotation(first, h('second')), nowSecs());
    expect(await actor.rotateRefreshToken(grantId, rotation(first, h('second')), nowSecs())).toEqual({
      status: 'reused',
    });
    expect(await actor.isRevoked(grantId)).toBe(true);
    expect(await actor.findRefreshToken(grantId, h('second'), nowSecs())).toBeNull();
    expect(
      (await actor.rotateRefreshToken(grantId, rotation(h('second'), h('third')), nowSecs())).status,
    ).toBe('invalid');
  });

  it('the retry window returns the same successor until it is used, then reuse', async () => {
    const { grantId, actor, first, h } = await started();
    const t0 = nowSecs();
    await actor.rotateRefreshToken(grantId, rotation(first, h('second'), { reuseIntervalSecs: 10 }), t0);
    expect(
      await actor.rotateRefreshToken(
        grantId,
        rotation(first, h('second'), { reuseIntervalSecs: 10 }),
        t0 + 10,
      ),
    ).toMatchObject({ status: 'rotated', generation: 2, retried: true });
    // A different successor means a different presented token: not a retry.
    const other = await started();
    await other.actor.rotateRefreshToken(
      other.grantId,
      rotation(other.first, h('s2'), { reuseIntervalSecs: 10 }),
      t0,
    );
    expect(
      await other.actor.rotateRefreshToken(
        other.grantId,
        rotation(other.first, h('x'), { reuseIntervalSecs: 10 }),
        t0,
      ),
    ).toEqual({ status: 'reused' });
    // After the window: reuse.
    expect(
      await actor.rotateRefreshToken(
        grantId,
        rotation(first, h('second'), { reuseIntervalSecs: 10 }),
        t0 + 11,
      ),
    ).toEqual({ status: 'reused' });
  });

  it('the retry window closes once the successor has been used', async () => {
    const { grantId, actor, first, h } = await started();
    const t0 = nowSecs();
    await actor.rotateRefreshToken(grantId, rotation(first, h('second'), { reuseIntervalSecs: 60 }), t0);
    await actor.rotateRefreshToken(grantId, rotation(h('second'), h('third'), { reuseIntervalSecs: 60 }), t0);
    expect(
      await actor.rotateRefreshToken(
        grantId,
        rotation(first, h('second'), { reuseIntervalSecs: 60 }),
        t0 + 1,
      ),
    ).toEqual({ status: 'reused' });
  });

  it('refuses another client, a wider scope and an expired family without consuming the token', async () => {
    const { grantId, actor, first, h } = await started({ expiresAt: nowSecs() + 100 });
    expect(
      await actor.rotateRefreshToken(grantId, rotation(first, h('s'), { clientId: 'client-b' }), nowSecs()),
    ).toEqual({
      status: 'invalid',
      reason: 'the refresh token was issued to another client',
    });
    expect(
      (await actor.rotateRefreshToken(grantId, rotation(first, h('s'), { scope: ['write'] }), nowSecs()))
        .status,
    ).toBe('invalid_scope');
    expect((await actor.rotateRefreshToken(grantId, rotation(first, h('s')), nowSecs() + 100)).status).toBe(
      'invalid',
    );
    expect(await actor.findRefreshToken(grantId, first, nowSecs())).toMatchObject({ current: true });
    expect(
      (await actor.rotateRefreshToken(grantId, rotation(first, h('s'), { scope: ['read'] }), nowSecs()))
        .status,
    ).toBe('rotated');
  });

  it('20 parallel rotations of one token: exactly one winner, the rest reuse, never an exception', async () => {
    const { grantId, actor, first, h } = await started();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        actor.rotateRefreshToken(grantId, rotation(first, h('next')), nowSecs()),
      ),
    );
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    const statuses = results.map((result) => (result.status === 'fulfilled' ? result.value.status : 'threw'));
    expect(statuses.filter((status) => status === 'rotated')).toHaveLength(1);
    expect(
      statuses.filter((status) => status === 'reused').length +
        statuses.filter((s) => s === 'invalid').length,
    ).toBe(19);
    expect(await actor.isRevoked(grantId)).toBe(true);
  });

  it('20 parallel rotations inside the retry window: one rotation, 19 retries, the family alive', async () => {
    const { grantId, actor, first, h } = await started();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        actor.rotateRefreshToken(grantId, rotation(first, h('next'), { reuseIntervalSecs: 5 }), nowSecs()),
      ),
    );
    expect(results.filter((r) => r.status === 'rotated' && !r.retried)).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rotated' && r.retried)).toHaveLength(19);
    expect(await actor.findRefreshToken(grantId, h('next'), nowSecs())).toMatchObject({ current: true });
  });

  it('keeps a bounded number of rotated tokens per family', async () => {
    const { grantId, actor, first, h } = await started();
    let current = first;
    for (let i = 0; i < 70; i++) {
      const next = h(`gen-${i}`);
      await actor.rotateRefreshToken(grantId, rotation(current, next), nowSecs());
      current = next;
    }
    const rows = await runInDurableObject(
      actor,
      (_instance, state) =>
        state.storage.sql
          .exec<{ n: number }>('SELECT count(*) AS n FROM refresh_tokens WHERE grant_id = ?', grantId)
          .one().n,
    );
    expect(rows).toBeLessThanOrEqual(65);
    // The oldest is forgotten (unknown, not reuse); a recent one is still reuse.
    expect((await actor.rotateRefreshToken(grantId, rotation(first, h('x')), nowSecs())).status).toBe(
      'invalid',
    );
    expect(await actor.rotateRefreshToken(grantId, rotation(h('gen-60'), h('x')), nowSecs())).toEqual({
      status: 'reused',
    });
  });

  it('the alarm sweep drops expired families and their refresh tokens', async () => {
    const { grantId, actor, first } = await started({ expiresAt: nowSecs() - 3600 });
    await runInDurableObject(actor, (_instance, state) => {
      state.storage.sql.exec(
        'UPDATE grants SET expires_at = ? WHERE grant_id = ?',
        nowSecs() - 3600,
        grantId,
      );
    });
    await runDurableObjectAlarm(actor);
    const left = await runInDurableObject(actor, (_instance, state) => ({
      families: state.storage.sql
        .exec<{ n: number }>('SELECT count(*) AS n FROM refresh_families WHERE grant_id = ?', grantId)
        .one().n,
      tokens: state.storage.sql
        .exec<{ n: number }>('SELECT count(*) AS n FROM refresh_tokens WHERE hash = ?', first)
        .one().n,
      grants: state.storage.sql
        .exec<{ n: number }>('SELECT count(*) AS n FROM grants WHERE grant_id = ?', grantId)
        .one().n,
    }));
    expect(left).toEqual({ families: 0, tokens: 0, grants: 0 });
  });
});
