/**
 * OpenID Connect Back-Channel Logout 1.0: client metadata, discovery, which clients a logout reaches,
 * the Logout Token (verified with jose against our JWKS) and its delivery through the queue consumer
 * with retries, the circuit breaker and the SSRF guard.
 */
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventAllowed } from '../../src/events/config';
import { buildEnvelope } from '../../src/events/envelope';
import type { EventEnvelope } from '../../src/events/types';
import { BACKCHANNEL_LOGOUT_EVENT, logoutUriProblem } from '../../src/oidc/backchannel-logout';
import { outboundUrlProblem } from '../../src/outbound';
import { AdminApi, createTestUser, json, type TestClient, type TestUser, unique } from './admin-helpers';
import { Browser, basic, expectOAuthError, get, inputValue, ORIGIN } from './helpers';
import { type Call, CapturingQueue, deliver, envWith, workerFor } from './telemetry-helpers';

const REDIRECT = 'https://rp.example.com/cb';

let admin: AdminApi;
let user: TestUser;

afterEach(() => {
  vi.restoreAllMocks();
});

beforeAll(async () => {
  admin = await AdminApi.create();
  user = await createTestUser(admin);
});

/** A first-party web client, optionally with a back-channel logout URI. */
function webClient(fields: Record<string, unknown> = {}, allowLoopback = false): Promise<TestClient> {
  const create = allowLoopback ? admin.postAllowingLoopback.bind(admin) : admin.post.bind(admin);
  return create<TestClient>('/admin/api/clients', {
    client_name: unique('rp'),
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid profile offline_access',
    first_party: true,
    ...fields,
  });
}

/** A Browser over `call` (an app with its own env and queue) instead of SELF. */
class AppBrowser extends Browser {
  constructor(private readonly call: Call) {
    super();
  }

  override async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('CF-Connecting-IP', this.ip);
    if (this.cookies.size > 0) {
      headers.set('Cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const res = await this.call(path, { ...init, headers, redirect: 'manual' });
    for (const header of res.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(header) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** The code flow for `client` in `browser`'s session; answers the token response. */
async function codeFlow(call: Call, browser: Browser, client: TestClient): Promise<Record<string, string>> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope: 'openid offline_access',
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const authorized = await browser.get(`/oauth/authorize?${query}`);
  expect(authorized.status, await authorized.clone().text()).toBe(302);
  const code = new URL(authorized.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const res = await call('/oauth/token', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: basic(client.client_id, client.client_secret ?? ''),
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
    }).toString(),
  });
  return json<Record<string, string>>(res, 200);
}

async function signIn(browser: Browser): Promise<void> {
  const res = await browser.signIn(user.username, user.password);
  expect(res.status, await res.clone().text()).toBe(303);
}

async function logout(browser: Browser): Promise<void> {
  const csrf = inputValue(await (await browser.get('/profile')).text(), 'csrf_token') ?? '';
  const res = await browser.postForm('/auth/logout', { csrf_token: csrf });
  expect(res.status).toBe(303);
}

async function jwks(call: Call) {
  return createLocalJWKSet(await json(await call('/.well-known/jwks.json'), 200));
}

/** The POSTs the plugin makes, answered by `answer`. */
function captureFetch(answer: (url: string) => Response | Promise<Response>) {
  const posts: { url: string; body: string; headers: Headers }[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    posts.push({ url, body: String(init?.body ?? ''), headers: new Headers(init?.headers) });
    return answer(url);
  });
  return posts;
}

describe('Back-Channel Logout: metadata and discovery', () => {
  it('is never stopped by the event filter (it is delivery, not observation)', () => {
    expect(eventAllowed({ enabled: false, mode: 'allow_all', types: [] }, 'backchannel_logout')).toBe(true);
    expect(
      eventAllowed({ enabled: true, mode: 'exclude', types: ['backchannel_logout'] }, 'backchannel_logout'),
    ).toBe(true);
    expect(
      eventAllowed({ enabled: true, mode: 'include', types: ['token_created'] }, 'backchannel_logout'),
    ).toBe(true);
    expect(eventAllowed({ enabled: false, mode: 'allow_all', types: [] }, 'token_created')).toBe(false);
  });

  it('advertises backchannel_logout_supported and backchannel_logout_session_supported', async () => {
    const body = await json<Record<string, unknown>>(await get('/.well-known/openid-configuration'), 200);
    expect(body.backchannel_logout_supported).toBe(true);
    expect(body.backchannel_logout_session_supported).toBe(true);
  });

  it('stores backchannel_logout_uri and backchannel_logout_session_required (admin API)', async () => {
    const client = await webClient({
      backchannel_logout_uri: 'https://rp.example.com/logout?x=1',
      backchannel_logout_session_required: true,
    });
    const view = await admin.get(`/admin/api/clients/${client.client_id}`);
    expect(view).toMatchObject({
      backchannel_logout_uri: 'https://rp.example.com/logout?x=1',
      backchannel_logout_session_required: true,
    });
  });

  it('refuses a logout URI with a fragment, plain http off loopback, credentials or a private address', async () => {
    for (const uri of [
      'https://rp.example.com/logout#x',
      'http://rp.example.com/logout',
      'https://user:pw@rp.example.com/logout',
      'https://10.0.0.1/logout',
      'https://169.254.169.254/latest',
      'ftp://rp.example.com/logout',
      'not a uri',
    ]) {
      const res = await admin.call('POST', '/admin/api/clients', {
        client_name: unique('rp'),
        redirect_uris: [REDIRECT],
        backchannel_logout_uri: uri,
      });
      const body = await expectOAuthError(res, 400, 'invalid_request');
      expect(body.error_description).toContain('backchannel_logout_uri');
    }
  });

  it('judges a logout URI by the outbound policy: loopback registrable, delivered only where allowed', () => {
    expect(logoutUriProblem('http://127.0.0.1:8080/bcl')).toBeNull();
    expect(outboundUrlProblem('http://127.0.0.1:8080/bcl', { allowLoopback: false })).not.toBeNull();
    expect(logoutUriProblem('https://foo.localhost/bcl')).not.toBeNull();
    expect(logoutUriProblem('https://[fd00::1]/bcl')).not.toBeNull();
    expect(logoutUriProblem('https://metadata.google.internal/x')).not.toBeNull();
    expect(logoutUriProblem('https://rp.example.com/bcl#f')).toBe('has a fragment');
    expect(logoutUriProblem('https://rp.example.com/bcl')).toBeNull();
  });
});

describe('Back-Channel Logout: who is told when a session ends', () => {
  it('publishes one delivery per client with a logout URI that got tokens in the ended session', async () => {
    const queue = new CapturingQueue();
    const e = envWith({}, queue);
    const call = workerFor(e);
    const notified = await webClient({ backchannel_logout_uri: 'https://rp-a.example.com/bcl' });
    const silent = await webClient();
    const earlier = await webClient({ backchannel_logout_uri: 'https://rp-b.example.com/bcl' });

    const browser = new AppBrowser(call);
    await signIn(browser);
    await codeFlow(call, browser, earlier);
    // A new sign-in (new sid): the earlier client's grant belongs to the sid that ended.
    await signIn(browser);
    const tokens = await codeFlow(call, browser, notified);
    await codeFlow(call, browser, silent);
    const sid = decodeJwt(tokens.id_token ?? '').sid;
    queue.bodies.length = 0;

    await logout(browser);
    const deliveries = queue.of('backchannel_logout');
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({
      client_id: notified.client_id,
      user_id: user.id,
      metadata: { iss: ORIGIN, sid, via: 'sign_out' },
    });
    expect(queue.of('user_logout')).toHaveLength(1);
  });

  it('tells every client with a live grant when an administrator disables the user (sub only)', async () => {
    const queue = new CapturingQueue();
    const e = envWith({}, queue);
    const call = workerFor(e);
    const member = await createTestUser(admin);
    const client = await webClient({ backchannel_logout_uri: 'https://rp-c.example.com/bcl' });
    const browser = new AppBrowser(call);
    const signedIn = await browser.signIn(member.username, member.password);
    expect(signedIn.status).toBe(303);
    await codeFlow(call, browser, client);
    queue.bodies.length = 0;

    const token = (
      await json<{ access_token: string }>(
        await call('/oauth/token', {
          method: 'POST',
          headers: {
            'Content-Type': 'application/x-www-form-urlencoded',
            Authorization: basic(e.OAUTH2_ADMIN_CLIENT_ID ?? '', e.OAUTH2_ADMIN_CLIENT_SECRET ?? ''),
          },
          body: 'grant_type=client_credentials&scope=admin',
        }),
        200,
      )
    ).access_token;
    const res = await call(`/admin/api/users/${member.id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const deliveries = queue.of('backchannel_logout');
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ client_id: client.client_id, user_id: member.id });
    expect(deliveries[0]?.metadata.sid).toBeUndefined();
  });

  it("two concurrent sessions of one user: only the ended session's clients are told, with its sid", async () => {
    const queue = new CapturingQueue();
    const call = workerFor(envWith({}, queue));
    const member = await createTestUser(admin);
    const laptopClient = await webClient({ backchannel_logout_uri: 'https://rp-e.example.com/bcl' });
    const phoneClient = await webClient({ backchannel_logout_uri: 'https://rp-f.example.com/bcl' });
    const laptop = new AppBrowser(call);
    const phone = new AppBrowser(call);
    expect((await laptop.signIn(member.username, member.password)).status).toBe(303);
    expect((await phone.signIn(member.username, member.password)).status).toBe(303);
    const laptopSid = decodeJwt((await codeFlow(call, laptop, laptopClient)).id_token ?? '').sid;
    // Made later, by the same user, in the other session: not told when the laptop signs out.
    const phoneSid = decodeJwt((await codeFlow(call, phone, phoneClient)).id_token ?? '').sid;
    expect(laptopSid).not.toBe(phoneSid);
    queue.bodies.length = 0;

    await logout(laptop);
    expect(queue.of('backchannel_logout')).toEqual([
      expect.objectContaining({
        client_id: laptopClient.client_id,
        user_id: member.id,
        metadata: { iss: ORIGIN, sid: laptopSid, via: 'sign_out' },
      }),
    ]);
    queue.bodies.length = 0;
    await logout(phone);
    expect(queue.of('backchannel_logout')).toEqual([
      expect.objectContaining({
        client_id: phoneClient.client_id,
        metadata: { iss: ORIGIN, sid: phoneSid, via: 'sign_out' },
      }),
    ]);
  });

  it('signing in again in the same browser tells the clients of the replaced session', async () => {
    const queue = new CapturingQueue();
    const call = workerFor(envWith({}, queue));
    const first = await createTestUser(admin);
    const second = await createTestUser(admin);
    const client = await webClient({ backchannel_logout_uri: 'https://rp-g.example.com/bcl' });
    const browser = new AppBrowser(call);
    expect((await browser.signIn(first.username, first.password)).status).toBe(303);
    const firstSid = decodeJwt((await codeFlow(call, browser, client)).id_token ?? '').sid;
    queue.bodies.length = 0;

    // The same user again (e.g. prompt=login): the old session ends.
    expect((await browser.signIn(first.username, first.password)).status).toBe(303);
    expect(queue.of('backchannel_logout')).toEqual([
      expect.objectContaining({
        client_id: client.client_id,
        user_id: first.id,
        metadata: { iss: ORIGIN, sid: firstSid, via: 'session_replaced' },
      }),
    ]);
    const againSid = decodeJwt((await codeFlow(call, browser, client)).id_token ?? '').sid;
    expect(againSid).not.toBe(firstSid);
    queue.bodies.length = 0;

    // Another user signs in over it: the first user's session ends too.
    expect((await browser.signIn(second.username, second.password)).status).toBe(303);
    expect(queue.of('backchannel_logout')).toEqual([
      expect.objectContaining({
        client_id: client.client_id,
        user_id: first.id,
        metadata: { iss: ORIGIN, sid: againSid, via: 'session_replaced' },
      }),
    ]);
    queue.bodies.length = 0;
    // A sign-in without a previous session tells no one.
    const fresh = new AppBrowser(call);
    expect((await fresh.signIn(first.username, first.password)).status).toBe(303);
    expect(queue.of('backchannel_logout')).toEqual([]);
  });

  it('on admin paths, names each ended session to clients that require sid, sub only to the others', async () => {
    const queue = new CapturingQueue();
    const e = envWith({}, queue);
    const call = workerFor(e);
    const member = await createTestUser(admin);
    const strict = await webClient({
      backchannel_logout_uri: 'https://rp-h.example.com/bcl',
      backchannel_logout_session_required: true,
    });
    const plain = await webClient({ backchannel_logout_uri: 'https://rp-i.example.com/bcl' });
    const one = new AppBrowser(call);
    const two = new AppBrowser(call);
    const three = new AppBrowser(call);
    expect((await one.signIn(member.username, member.password)).status).toBe(303);
    expect((await two.signIn(member.username, member.password)).status).toBe(303);
    expect((await three.signIn(member.username, member.password)).status).toBe(303);
    const sidOne = decodeJwt((await codeFlow(call, one, strict)).id_token ?? '').sid;
    const sidTwo = decodeJwt((await codeFlow(call, two, strict)).id_token ?? '').sid;
    await codeFlow(call, one, plain);
    // The third session has no grant of `strict`: it is not named to it.
    await codeFlow(call, three, plain);
    queue.bodies.length = 0;

    const token = (
      await json<{ access_token: string }>(
        await call('/oauth/token', {
          method: 'POST',
          headers: {
            'Content-Type': 'application/x-www-form-urlencoded',
            Authorization: basic(e.OAUTH2_ADMIN_CLIENT_ID ?? '', e.OAUTH2_ADMIN_CLIENT_SECRET ?? ''),
          },
          body: 'grant_type=client_credentials&scope=admin',
        }),
        200,
      )
    ).access_token;
    const res = await call(`/admin/api/users/${member.id}/password`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ password: `new-${crypto.randomUUID()}` }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const deliveries = queue.of('backchannel_logout');
    const toStrict = deliveries.filter((d) => d.client_id === strict.client_id);
    expect(toStrict.map((d) => d.metadata.sid).sort()).toEqual([sidOne, sidTwo].sort());
    for (const d of toStrict) {
      expect(d).toMatchObject({ user_id: member.id, metadata: { via: 'admin_password_reset' } });
    }
    const toPlain = deliveries.filter((d) => d.client_id === plain.client_id);
    expect(toPlain).toHaveLength(1);
    expect(toPlain[0]?.metadata.sid).toBeUndefined();
    expect(deliveries).toHaveLength(3);
  });

  it('RP-initiated logout with an id_token_hint ends the session and tells the clients', async () => {
    const queue = new CapturingQueue();
    const call = workerFor(envWith({}, queue));
    const client = await webClient({ backchannel_logout_uri: 'https://rp-d.example.com/bcl' });
    const member = await createTestUser(admin);
    const browser = new AppBrowser(call);
    expect((await browser.signIn(member.username, member.password)).status).toBe(303);
    const tokens = await codeFlow(call, browser, client);
    queue.bodies.length = 0;
    const res = await browser.get(`/oauth/logout?id_token_hint=${tokens.id_token}`);
    expect(res.status).toBe(200);
    expect(queue.of('backchannel_logout')).toEqual([
      expect.objectContaining({
        client_id: client.client_id,
        metadata: expect.objectContaining({ via: 'rp_initiated_logout' }),
      }),
    ]);
  });
});

describe('Back-Channel Logout: delivery through the queue consumer', () => {
  async function delivery(uri: string, fields: Record<string, unknown> = {}, allowLoopback = false) {
    const client = await webClient({ backchannel_logout_uri: uri, ...fields }, allowLoopback);
    const envelope = buildEnvelope(
      {
        type: 'backchannel_logout',
        clientId: client.client_id,
        userId: user.id,
        metadata: { iss: ORIGIN, sid: 'sid-123', via: 'sign_out' },
      },
      Date.now(),
      null,
    );
    return { client, envelope };
  }

  it('POSTs a Logout Token that verifies against the JWKS (§2.4, §2.5)', async () => {
    const e = envWith();
    const { client, envelope } = await delivery('https://rp-e.example.com/bcl?tenant=1');
    const posts = captureFetch(() => new Response(null, { status: 200 }));
    const result = await deliver(e, [envelope]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    expect(posts).toHaveLength(1);
    const [sent] = posts;
    expect(sent?.url).toBe('https://rp-e.example.com/bcl?tenant=1');
    expect(sent?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(sent?.body);
    expect([...form.keys()]).toEqual(['logout_token']);
    const { payload, protectedHeader } = await jwtVerify(
      form.get('logout_token') ?? '',
      await jwks(workerFor(e)),
      {
        issuer: ORIGIN,
        audience: client.client_id,
        typ: 'logout+jwt',
      },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      sub: user.id,
      sid: 'sid-123',
      jti: envelope.id,
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    });
    expect(payload.nonce).toBeUndefined();
    expect((payload.exp as number) - (payload.iat as number)).toBe(120);
  });

  it('signs with ES256 for a client registered with id_token_signed_response_alg ES256', async () => {
    const e = envWith();
    const { envelope } = await delivery('https://rp-f.example.com/bcl', {
      id_token_signed_response_alg: 'ES256',
    });
    const posts = captureFetch(() => new Response('ok'));
    await deliver(e, [envelope]);
    const token = new URLSearchParams(posts[0]?.body).get('logout_token') ?? '';
    const { protectedHeader } = await jwtVerify(token, await jwks(workerFor(e)), { typ: 'logout+jwt' });
    expect(protectedHeader.alg).toBe('ES256');
    // Signed with the ES256 ID-token key, never the access-token key.
    const { env } = await import('cloudflare:test');
    const keys = await env.KEY_RING.get(env.KEY_RING.idFromName('key-ring')).getKeys();
    expect(keys.find((key) => key.kid === protectedHeader.kid)).toMatchObject({
      use: 'id_token',
      alg: 'ES256',
    });
  });

  it('retries with backoff on 5xx, 429, timeouts and network errors; not on 400', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const e = envWith();
    const answers: (() => Response)[] = [
      () => new Response('down', { status: 503 }),
      () => new Response('slow', { status: 429 }),
      () => {
        throw new TypeError('network');
      },
      () => {
        throw new DOMException('deadline passed', 'TimeoutError');
      },
    ];
    for (const [i, answer] of answers.entries()) {
      const { envelope } = await delivery(`https://rp-retry-${i}.example.com/bcl`);
      captureFetch(answer);
      const result = await deliver(e, [envelope], { attempts: 2 });
      expect(result.retryMessages).toHaveLength(1);
      expect(Object.values(result.delays)[0]).toBeGreaterThan(0);
      vi.restoreAllMocks();
      vi.spyOn(console, 'error').mockImplementation(() => {});
    }
    const { envelope } = await delivery('https://rp-refuses.example.com/bcl');
    const posts = captureFetch(() => new Response('bad token', { status: 400 }));
    const refused = await deliver(e, [envelope]);
    expect(posts).toHaveLength(1);
    expect(refused.retryMessages).toEqual([]);
  });

  it('a retry signs a new token with the same jti; an open breaker retries without calling the host', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const e = envWith();
    const { envelope } = await delivery('https://rp-breaker.example.com/bcl');
    const posts = captureFetch(() => new Response('down', { status: 500 }));
    for (let attempt = 1; attempt <= 5; attempt++) {
      const result = await deliver(e, [envelope], { attempts: attempt });
      expect(result.retryMessages).toHaveLength(1);
    }
    expect(posts).toHaveLength(5);
    const jtis = posts.map((post) => decodeJwt(new URLSearchParams(post.body).get('logout_token') ?? '').jti);
    expect(new Set(jtis)).toEqual(new Set([envelope.id]));
    const open = await deliver(e, [envelope], { attempts: 6 });
    expect(open.retryMessages).toHaveLength(1);
    expect(posts).toHaveLength(5);
  });

  it('delivers nothing for ingested events, disabled clients, or a URI the guard refuses', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const e = envWith();
    const posts = captureFetch(() => new Response('ok'));
    const ingested = await delivery('https://rp-g.example.com/bcl');
    const forged: EventEnvelope = {
      ...ingested.envelope,
      metadata: { ...ingested.envelope.metadata, source: 'ingest' },
    };
    const disabled = await delivery('https://rp-h.example.com/bcl');
    await admin.put(`/admin/api/clients/${disabled.client.client_id}`, { enabled: false });
    // Registered while the server allowed loopback; delivered only while it still does.
    const loopback = await delivery('http://127.0.0.1:9/bcl', {}, true);
    const result = await deliver(e, [forged, disabled.envelope, loopback.envelope]);
    expect(result.retryMessages).toEqual([]);
    expect(posts).toEqual([]);
    const allowed = envWith({ OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP: 'true' });
    const again = buildEnvelope(
      {
        type: 'backchannel_logout',
        clientId: loopback.client.client_id,
        userId: user.id,
        metadata: { iss: ORIGIN },
      },
      Date.now(),
      null,
    );
    await deliver(allowed, [again]);
    expect(posts.map((post) => post.url)).toEqual(['http://127.0.0.1:9/bcl']);
  });
});
