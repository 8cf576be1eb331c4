/**
 * The event bus: envelope and filter, publication from real requests, the queue consumer (idempotency,
 * webhook signatures, retries with backoff, dead-lettering), POST /events/ingest and GET /events/health.
 */
import { env, SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config';
import { EventBus } from '../../src/events/bus';
import { eventAllowed } from '../../src/events/config';
import { EVENTS_MAX_RETRIES, retryDelaySecs } from '../../src/events/consumer';
import { DEAD_LETTER_EVENT_TYPE, DEAD_LETTER_QUEUE } from '../../src/events/dead-letter';
import { buildEnvelope, uuidv7 } from '../../src/events/envelope';
import { PACK_MAX_BYTES, packEnvelopes, packText } from '../../src/events/pack';
import { signatureHeader, verifySignature } from '../../src/events/signature';
import type { EventEnvelope } from '../../src/events/types';
import { MetricsRegistry } from '../../src/observability/metrics';
import { createStorage } from '../../src/storage';
import { AdminApi, codeFlow, createTestUser, createWebClient, signedIn } from './admin-helpers';
import { ADMIN_ID, ADMIN_SECRET, basic, expectOAuthError } from './helpers';
import {
  CapturingQueue,
  clientCredentials,
  deliver,
  envWith,
  eventsOfClient,
  eventually,
  form,
  json,
  metricValue,
  workerFor,
} from './telemetry-helpers';

const WEBHOOK_URL = 'https://hooks.example.test/oauth-events';
const WEBHOOK_SECRET = 'test-webhook-secret-7d6c5b4a39281706f5e4d3c2';
const INGEST_TOKEN = 'test-ingest-token-0f1e2d3c4b5a69788796a5b4c3d2e1f0';

function envelope(overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    ...buildEnvelope(
      {
        type: 'token_created',
        clientId: `client-${crypto.randomUUID()}`,
        metadata: { grant_type: 'client_credentials' },
      },
      Date.now(),
      null,
    ),
    ...overrides,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Event envelope', () => {
  it('has the envelope fields, a time-ordered UUIDv7 id and the idempotency key defaulting to the id', () => {
    const event = buildEnvelope({ type: 'user_logout', userId: 'u1' }, Date.UTC(2026, 0, 2), null);
    expect(Object.keys(event).sort()).toEqual(
      [
        'client_id',
        'id',
        'idempotency_key',
        'metadata',
        'severity',
        'time',
        'traceparent',
        'type',
        'user_id',
      ].sort(),
    );
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event.idempotency_key).toBe(event.id);
    expect(event.time).toBe('2026-01-02T00:00:00.000Z');
    expect(event.severity).toBe('info');
    expect(uuidv7(1_000) < uuidv7(2_000)).toBe(true);
  });

  it('drops metadata keys that name secrets, at any depth, and bounds long strings', () => {
    const event = buildEnvelope(
      {
        type: 'token_created',
        metadata: {
          grant_type: 'authorization_code',
          access_token: 'eyJ-secret',
          Refresh_Token: 'ort_secret',
          nested: { client_secret: 's3cret', password: 'pw', kept: 1 },
          long: 'x'.repeat(2000),
        },
      },
      Date.now(),
      null,
    );
    const text = JSON.stringify(event);
    for (const secret of ['eyJ-secret', 'ort_secret', 's3cret', '"pw"']) expect(text).not.toContain(secret);
    expect(event.metadata.nested).toEqual({ kept: 1 });
    expect(String(event.metadata.long).length).toBeLessThan(600);
  });
});

describe('Event filter (OAUTH2_EVENTS_*)', () => {
  it('allow_all, include and exclude select by type; disabled publishes nothing', () => {
    const filter = (mode: 'allow_all' | 'include' | 'exclude', enabled = true) => ({
      enabled,
      mode,
      types: ['token_created' as const],
    });
    expect(eventAllowed(filter('allow_all'), 'user_logout')).toBe(true);
    expect(eventAllowed(filter('include'), 'token_created')).toBe(true);
    expect(eventAllowed(filter('include'), 'user_logout')).toBe(false);
    expect(eventAllowed(filter('exclude'), 'token_created')).toBe(false);
    expect(eventAllowed(filter('exclude'), 'user_logout')).toBe(true);
    expect(eventAllowed(filter('allow_all', false), 'user_logout')).toBe(false);
  });

  it('refuses unknown types and modes, insecure webhook URLs and a missing or weak webhook secret', () => {
    const problems = (vars: Record<string, string>) => {
      const result = parseConfig({ ...env, ...vars });
      return result.ok ? [] : result.problems;
    };
    expect(problems({ OAUTH2_EVENTS_TYPES: 'token_created,nope' }).join()).toMatch(
      /OAUTH2_EVENTS_TYPES .*nope/,
    );
    expect(problems({ OAUTH2_EVENTS_FILTER_MODE: 'some' }).join()).toMatch(/OAUTH2_EVENTS_FILTER_MODE/);
    expect(problems({ OAUTH2_EVENTS_WEBHOOK_URLS: 'http://hooks.example.com/x' }).join()).toMatch(
      /OAUTH2_EVENTS_WEBHOOK_URLS must be https/,
    );
    expect(problems({ OAUTH2_EVENTS_WEBHOOK_URLS: WEBHOOK_URL }).join()).toMatch(
      /OAUTH2_EVENTS_WEBHOOK_SECRET is not set/,
    );
    expect(
      problems({ OAUTH2_EVENTS_WEBHOOK_URLS: WEBHOOK_URL, OAUTH2_EVENTS_WEBHOOK_SECRET: 'short' }).join(),
    ).toMatch(/OAUTH2_EVENTS_WEBHOOK_SECRET is a default or too short/);
    expect(
      problems({
        OAUTH2_EVENTS_WEBHOOK_URLS: `${WEBHOOK_URL}, http://127.0.0.1:9000/hook`,
        OAUTH2_EVENTS_WEBHOOK_SECRET: WEBHOOK_SECRET,
      }),
    ).toEqual([]);
  });
});

describe('Publishing from requests', () => {
  it('a token request publishes token_created with its trace, after the response, without secrets', async () => {
    const queue = new CapturingQueue();
    const call = workerFor(envWith({}, queue));
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await call(
      '/oauth/token',
      form(
        { grant_type: 'client_credentials', scope: 'read' },
        { Authorization: basic(ADMIN_ID, ADMIN_SECRET), traceparent },
      ),
    );
    const tokens = (await res.json()) as { access_token: string };
    const [event] = queue.of('token_created');
    expect(event).toMatchObject({
      type: 'token_created',
      severity: 'info',
      client_id: ADMIN_ID,
      user_id: null,
      metadata: { grant_type: 'client_credentials', scope: 'read', token_format: 'jwt' },
    });
    expect(event?.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(event?.traceparent).not.toBe(traceparent);
    expect(JSON.stringify(queue.bodies)).not.toContain(tokens.access_token);
    expect(JSON.stringify(queue.bodies)).not.toContain(ADMIN_SECRET);
  });

  it('the filter drops excluded types; a failing queue never fails the request', async () => {
    const excluded = new CapturingQueue();
    const call = workerFor(
      envWith({ OAUTH2_EVENTS_FILTER_MODE: 'exclude', OAUTH2_EVENTS_TYPES: 'token_created' }, excluded),
    );
    await clientCredentials(call);
    expect(excluded.bodies).toEqual([]);

    const disabled = new CapturingQueue();
    await clientCredentials(workerFor(envWith({ OAUTH2_EVENTS_ENABLED: 'false' }, disabled)));
    expect(disabled.bodies).toEqual([]);

    const broken = new CapturingQueue();
    broken.failing = true;
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await clientCredentials(workerFor(envWith({}, broken)));
    expect(res.access_token).toBeTruthy();
    expect(errors.mock.calls.join('\n')).toMatch(/events lost: queue send failed/);
  });

  it('registration, revocation and the whole code flow publish their events', async () => {
    const queue = new CapturingQueue();
    const call = workerFor(envWith({}, queue));
    const admin = await clientCredentials(call, 'admin');
    const registered = await call(
      '/connect/register',
      json(
        { client_name: 'Events', grant_types: ['client_credentials'], scope: 'read' },
        { Authorization: `Bearer ${admin.access_token}` },
      ),
    );
    const client = (await registered.json()) as { client_id: string; client_secret: string };
    const [created] = queue.of('client_registered');
    expect(created).toMatchObject({ client_id: client.client_id, metadata: { registered_by: ADMIN_ID } });

    const token = await call(
      '/oauth/token',
      form(
        { grant_type: 'client_credentials' },
        { Authorization: basic(client.client_id, client.client_secret) },
      ),
    );
    const { access_token } = (await token.json()) as { access_token: string };
    await call(
      '/oauth/revoke',
      form({ token: access_token }, { Authorization: basic(client.client_id, client.client_secret) }),
    );
    const [revoked] = queue.of('token_revoked');
    expect(revoked).toMatchObject({
      client_id: client.client_id,
      metadata: { reason: 'client_request', token_kind: 'access_token' },
    });
    expect(typeof revoked?.metadata.grant_id).toBe('string');
    const all = JSON.stringify(queue.bodies);
    for (const secret of [client.client_secret, access_token, admin.access_token])
      expect(all).not.toContain(secret);
  });
});

describe('token_revoked from every revocation path', () => {
  it('an administrator revoking a grant publishes token_revoked (reason admin) once', async () => {
    const admin = await AdminApi.create();
    const user = await createTestUser(admin);
    const tokens = await codeFlow(await createWebClient(admin), user);
    const queue = new CapturingQueue();
    const call = workerFor(envWith({}, queue));
    const revoke = () =>
      call(`/admin/api/grants/${tokens.grantId}`, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${admin.token}` },
      });
    expect((await revoke()).status).toBe(200);
    const revoked = queue.of('token_revoked');
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({
      severity: 'info',
      user_id: user.id,
      metadata: { grant_id: tokens.grantId, reason: 'admin' },
    });
    // Revoking again changes nothing and publishes nothing.
    expect((await revoke()).status).toBe(200);
    expect(queue.of('token_revoked')).toHaveLength(1);
    // The audit entry goes out as admin_action too.
    expect(queue.of('admin_action').map((e) => e.metadata.action)).toEqual(['grant.revoke', 'grant.revoke']);
  });

  it('refresh token reuse revokes the family and publishes token_revoked (refresh_token_reuse, warning)', async () => {
    const admin = await AdminApi.create();
    const web = await createWebClient(admin);
    const tokens = await codeFlow(web, await createTestUser(admin));
    const queue = new CapturingQueue();
    const call = workerFor(envWith({}, queue));
    const refresh = () =>
      call(
        '/oauth/token',
        form(
          { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string },
          { Authorization: basic(web.client_id, web.client_secret as string) },
        ),
      );
    expect((await refresh()).status).toBe(200);
    expect(queue.of('token_revoked')).toEqual([]);
    await expectOAuthError(await refresh(), 400, 'invalid_grant');
    expect(queue.of('token_revoked')).toMatchObject([
      {
        severity: 'warning',
        client_id: web.client_id,
        metadata: { grant_id: tokens.grantId, reason: 'refresh_token_reuse' },
      },
    ]);
  });

  it('a replayed authorization code revokes its grant and publishes token_revoked (code_replay)', async () => {
    const admin = await AdminApi.create();
    const web = await createWebClient(admin);
    const browser = await signedIn(await createTestUser(admin));
    const verifier = 'v'.repeat(43);
    const challenge = btoa(
      String.fromCharCode(
        ...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
      ),
    )
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    const authorized = await browser.get(
      `/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: web.client_id,
        redirect_uri: 'https://console.example.com/cb',
        scope: 'openid read',
        state: 'st',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      })}`,
    );
    expect(authorized.status, await authorized.clone().text()).toBe(302);
    const code = new URL(authorized.headers.get('location') ?? '').searchParams.get('code') as string;
    const queue = new CapturingQueue();
    const call = workerFor(envWith({}, queue));
    const redeem = () =>
      call(
        '/oauth/token',
        form(
          {
            grant_type: 'authorization_code',
            code,
            code_verifier: verifier,
            redirect_uri: 'https://console.example.com/cb',
          },
          { Authorization: basic(web.client_id, web.client_secret as string) },
        ),
      );
    expect((await redeem()).status).toBe(200);
    const [created] = queue.of('token_created');
    await expectOAuthError(await redeem(), 400, 'invalid_grant');
    expect(queue.of('token_revoked')).toMatchObject([
      {
        severity: 'warning',
        client_id: web.client_id,
        metadata: { grant_id: created?.metadata.grant_id, reason: 'code_replay' },
      },
    ]);
  });

  it('a grant the client already revoked itself is not announced again by an administrator', async () => {
    const admin = await AdminApi.create();
    const user = await createTestUser(admin);
    const web = await createWebClient(admin);
    const tokens = await codeFlow(web, user);
    const queue = new CapturingQueue();
    const call = workerFor(envWith({}, queue));
    const own = await call(
      '/oauth/revoke',
      form(
        { token: tokens.refresh_token as string },
        { Authorization: basic(web.client_id, web.client_secret as string) },
      ),
    );
    expect(own.status).toBe(200);
    expect(queue.of('token_revoked')).toMatchObject([{ metadata: { reason: 'client_request' } }]);
    const res = await call(`/admin/api/grants/${tokens.grantId}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${admin.token}` },
    });
    expect(res.status).toBe(200);
    expect(queue.of('token_revoked')).toHaveLength(1);
  });
});

describe('Queue consumer', () => {
  it('records each event once: duplicate messages and a repeated idempotency key add nothing', async () => {
    const queue = new CapturingQueue();
    const e = envWith({ OAUTH2_EVENTS_CONSOLE: 'false' }, queue);
    const first = envelope();
    const sameKey = { ...envelope({ client_id: first.client_id }), idempotency_key: first.idempotency_key };
    const result = await deliver(e, [first, first, sameKey]);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(3);
    // Delivered again later (at-least-once): still one record.
    const again = await deliver(e, [first]);
    expect(again.explicitAcks).toHaveLength(1);
    const recorded = await eventsOfClient(first.client_id as string);
    expect(recorded.map((r) => r.id)).toEqual([first.id]);
    expect(recorded[0]).toMatchObject({
      type: 'token_created',
      severity: 'info',
      idempotencyKey: first.idempotency_key,
      metadata: first.metadata,
    });
  });

  it('writes one console line per new event, none for duplicates', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    const event = envelope();
    await deliver(envWith(), [event, event]);
    await deliver(envWith(), [event]);
    const mine = lines.filter((line) => line.includes(event.id));
    expect(mine).toHaveLength(1);
    expect(JSON.parse(mine[0] as string)).toEqual({ level: 'info', msg: 'event', event });
  });

  it('drops (acknowledges) a message that is not an envelope', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const result = await deliver(envWith(), [{ hello: 'world' }, 'text']);
    expect(result.explicitAcks).toHaveLength(2);
    expect(result.retryMessages).toEqual([]);
  });

  it('mirrors a revocation onto the admin view of the grant, unless the event was ingested', async () => {
    const storage = createStorage(env);
    const grantId = `g${crypto.randomUUID().replace(/-/g, '').slice(0, 21)}`;
    const ingestedGrant = `${grantId.slice(0, -1)}x`;
    for (const id of [grantId, ingestedGrant]) {
      await storage.grants.upsert({
        id,
        clientId: 'c',
        userId: 'u',
        grantType: 'authorization_code',
        scope: 'openid',
        createdAt: 1,
        expiresAt: 4_000_000_000,
        revokedAt: null,
      });
    }
    const revoked = envelope({
      type: 'token_revoked',
      metadata: { grant_id: grantId, reason: 'client_request' },
    });
    const forged = envelope({
      type: 'token_revoked',
      metadata: { grant_id: ingestedGrant, source: 'ingest' },
    });
    await deliver(envWith({ OAUTH2_EVENTS_CONSOLE: 'false' }), [revoked, forged]);
    expect((await storage.grants.get(grantId))?.revokedAt).not.toBeNull();
    expect((await storage.grants.get(ingestedGrant))?.revokedAt).toBeNull();
  });
});

describe('Webhooks: signed, retried with backoff, dead-lettered', () => {
  const webhookEnv = () =>
    envWith({
      OAUTH2_EVENTS_CONSOLE: 'false',
      OAUTH2_EVENTS_WEBHOOK_URLS: WEBHOOK_URL,
      OAUTH2_EVENTS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });

  function interceptWebhooks(status: () => number) {
    const received: { headers: Headers; body: string }[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (request.url !== WEBHOOK_URL) throw new Error(`unexpected fetch ${request.url}`);
      received.push({ headers: request.headers, body: await request.text() });
      return new Response(null, { status: status() });
    });
    return received;
  }

  it('POSTs the envelope with a valid HMAC-SHA256 signature, event id and trace context', async () => {
    const received = interceptWebhooks(() => 204);
    const event = envelope({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    const result = await deliver(webhookEnv(), [event]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(received).toHaveLength(1);
    const [{ headers, body }] = received as [{ headers: Headers; body: string }];
    expect(JSON.parse(body)).toEqual(event);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('x-oauth2-event-id')).toBe(event.id);
    expect(headers.get('x-oauth2-event-type')).toBe('token_created');
    expect(headers.get('traceparent')).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    const signature = headers.get('x-oauth2-signature');
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const now = Math.floor(Date.now() / 1000);
    expect(await verifySignature(WEBHOOK_SECRET, signature, body, now)).toBe(true);
    expect(await verifySignature(WEBHOOK_SECRET, signature, `${body} `, now)).toBe(false);
    expect(await verifySignature('another-secret', signature, body, now)).toBe(false);
    expect(await verifySignature(WEBHOOK_SECRET, signature, body, now + 3600)).toBe(false);
  });

  it('a failed delivery is retried with exponential backoff, recording the event only once', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    let status = 503;
    const received = interceptWebhooks(() => status);
    const event = envelope();
    const first = await deliver(webhookEnv(), [event], { ids: ['m-1'] });
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages).toEqual([{ msgId: 'm-1' }]);
    expect(first.delays).toEqual({ 'm-1': retryDelaySecs(1) });
    const third = await deliver(webhookEnv(), [event], { ids: ['m-1'], attempts: 3 });
    expect(third.delays).toEqual({ 'm-1': retryDelaySecs(3) });
    expect([retryDelaySecs(1), retryDelaySecs(2), retryDelaySecs(3), retryDelaySecs(20)]).toEqual([
      10, 20, 40, 600,
    ]);
    status = 200;
    const fourth = await deliver(webhookEnv(), [event], { ids: ['m-1'], attempts: 4 });
    expect(fourth.explicitAcks).toEqual(['m-1']);
    expect(received).toHaveLength(3);
    // Every delivery carries the same event id, so the receiver can deduplicate.
    expect(new Set(received.map((r) => r.headers.get('x-oauth2-event-id')))).toEqual(new Set([event.id]));
    expect((await eventsOfClient(event.client_id as string)).map((r) => r.id)).toEqual([event.id]);
  });

  it('after the last retry the message is retried once more, which moves it to the dead-letter queue', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    interceptWebhooks(() => 500);
    const event = envelope();
    const last = await deliver(webhookEnv(), [event], { ids: ['m-last'], attempts: EVENTS_MAX_RETRIES + 1 });
    expect(last.retryMessages).toEqual([{ msgId: 'm-last' }]);
    expect(last.delays).toEqual({ 'm-last': retryDelaySecs(EVENTS_MAX_RETRIES + 1) });
    const logged = errors.mock.calls.map((call) => String(call[0])).find((line) => line.includes(event.id));
    expect(JSON.parse(logged as string)).toMatchObject({
      level: 'error',
      msg: 'event delivery failed; dead-lettered',
      plugin: 'webhook',
      attempts: EVENTS_MAX_RETRIES + 1,
      error: 'WebhookDeliveryError: webhook delivery failed: hooks.example.test answered 500',
    });
  });

  it('a timeout or network error fails the delivery too', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('network down'));
    const result = await deliver(webhookEnv(), [envelope()], { ids: ['m-net'] });
    expect(result.retryMessages).toEqual([{ msgId: 'm-net' }]);
    expect(result.delays).toEqual({ 'm-net': 10 });
  });

  it('the signature helpers agree with a hand-computed HMAC', async () => {
    const key = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode('k'.repeat(32)),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const mac = new Uint8Array(
      await crypto.subtle.sign('HMAC', key, new TextEncoder().encode('1700000000.{}')),
    );
    const hex = [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
    expect(await signatureHeader('k'.repeat(32), 1_700_000_000, '{}')).toBe(`t=1700000000,v1=${hex}`);
  });
});

describe('Packs: one queue message per flush (src/events/pack.ts)', () => {
  const packEnv = (queue?: CapturingQueue) =>
    envWith(
      {
        OAUTH2_EVENTS_CONSOLE: 'false',
        OAUTH2_EVENTS_WEBHOOK_URLS: WEBHOOK_URL,
        OAUTH2_EVENTS_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
      queue,
    );

  /** Webhook calls by event id; `failing` ids answer 503. */
  function webhookReceiver(failing: Set<string>) {
    const received: string[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      const id = request.headers.get('x-oauth2-event-id') ?? '';
      received.push(id);
      return new Response(null, { status: failing.has(id) ? 503 : 204 });
    });
    return received;
  }

  it('the bus sends the events of one flush as one message, split below the size limit', async () => {
    const queue = new CapturingQueue();
    const bus = new EventBus(
      { enabled: true, mode: 'allow_all', types: [] },
      queue,
      new MetricsRegistry(),
      Date.now,
    );
    const clientId = `client-${crypto.randomUUID()}`;
    for (let i = 0; i < 3; i += 1) bus.publish({ type: 'token_created', clientId, metadata: { i } }, null);
    await bus.flush();
    expect(queue.messages).toHaveLength(1);
    expect(typeof queue.messages[0]).toBe('string');
    expect(queue.bodies.map((e) => e.metadata.i)).toEqual([0, 1, 2]);

    // 40 events of ~7 KB each do not fit one message: several packs, each within the limit, none lost.
    const big = new CapturingQueue();
    const bigBus = new EventBus(
      { enabled: true, mode: 'allow_all', types: [] },
      big,
      new MetricsRegistry(),
      Date.now,
    );
    const filler = Object.fromEntries(Array.from({ length: 14 }, (_, k) => [`k${k}`, 'x'.repeat(500)]));
    for (let i = 0; i < 40; i += 1) {
      bigBus.publish({ type: 'token_created', clientId, metadata: { i, ...filler } }, null);
    }
    await bigBus.flush();
    expect(big.messages.length).toBeGreaterThan(1);
    for (const message of big.messages)
      expect((message as string).length).toBeLessThanOrEqual(PACK_MAX_BYTES);
    expect(big.bodies.map((e) => e.metadata.i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('a pack is recorded event by event, each once, and acknowledged', async () => {
    const received = webhookReceiver(new Set());
    const events = [envelope(), envelope(), envelope()];
    const result = await deliver(packEnv(), [packEnvelopes(events)], { ids: ['pack-ok'] });
    expect(result.explicitAcks).toEqual(['pack-ok']);
    expect(received).toEqual(events.map((e) => e.id));
    for (const event of events) {
      expect((await eventsOfClient(event.client_id as string)).map((r) => r.id)).toEqual([event.id]);
    }
    // The same pack delivered again (at-least-once) is a duplicate: nothing recorded or sent again.
    const again = await deliver(packEnv(), [packEnvelopes(events)], { ids: ['pack-ok'] });
    expect(again.explicitAcks).toEqual(['pack-ok']);
    expect(received).toHaveLength(3);
  });

  it('only the failed events of a pack are queued again, with their attempts and the backoff delay', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const [a, b, c] = [envelope(), envelope(), envelope()];
    const failing = new Set([b.id]);
    const received = webhookReceiver(failing);
    const queue = new CapturingQueue();
    const first = await deliver(packEnv(queue), [packEnvelopes([a, b, c])], { ids: ['pack-1'] });
    expect(first.explicitAcks).toEqual(['pack-1']);
    expect(first.retryMessages).toEqual([]);
    expect(queue.messages).toHaveLength(1);
    expect(JSON.parse(queue.messages[0] as string)).toEqual({ prior_attempts: 1, events: [b] });
    expect(queue.delays).toEqual([retryDelaySecs(1)]);

    // The requeued pack's first queue delivery is the event's second attempt: delivered, not a duplicate.
    failing.clear();
    const second = await deliver(packEnv(), [queue.messages[0]], { ids: ['pack-1b'] });
    expect(second.explicitAcks).toEqual(['pack-1b']);
    expect(received).toEqual([a.id, b.id, c.id, b.id]);
    expect((await eventsOfClient(b.client_id as string)).map((r) => r.id)).toEqual([b.id]);
  });

  it('a pack whose every event failed is retried whole, with the backoff of its attempts so far', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const events = [envelope(), envelope()];
    webhookReceiver(new Set(events.map((e) => e.id)));
    const queue = new CapturingQueue();
    const result = await deliver(packEnv(queue), [packEnvelopes(events, 2)], { ids: ['pack-2'] });
    expect(result.retryMessages).toEqual([{ msgId: 'pack-2' }]);
    expect(result.delays).toEqual({ 'pack-2': retryDelaySecs(3) });
    expect(queue.messages).toEqual([]);
  });

  it('a malformed event in a pack is dropped; the others go through', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const received = webhookReceiver(new Set());
    const good = envelope();
    const text = packText([JSON.stringify({ hello: 'world' }), JSON.stringify(good)]);
    const result = await deliver(packEnv(), [text, '{not json'], { ids: ['pack-bad', 'not-json'] });
    expect(result.explicitAcks.sort()).toEqual(['not-json', 'pack-bad']);
    expect(received).toEqual([good.id]);
  });

  it('a dead-lettered pack records every one of its events', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const events = [envelope(), envelope()];
    const result = await deliver(envWith({ OAUTH2_EVENTS_CONSOLE: 'false' }), [packEnvelopes(events)], {
      queue: DEAD_LETTER_QUEUE,
      ids: [`dlq-pack-${crypto.randomUUID()}`],
    });
    expect(result.explicitAcks).toHaveLength(1);
    for (const event of events) {
      const recorded = (await eventsOfClient(event.client_id as string)).filter(
        (r) => r.type === DEAD_LETTER_EVENT_TYPE,
      );
      expect(recorded).toMatchObject([{ metadata: { event_id: event.id, valid_envelope: true } }]);
    }
  });
});

describe('Dead-letter queue consumer (oauth2-events-dlq)', () => {
  const DEAD = 'oauth2_server_events_dead_lettered_total';
  const scrape = async () => (await SELF.fetch('http://localhost/metrics')).text();

  it('records each dead letter once as event_dead_lettered (error), counts and logs it, delivers nothing', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const fetches = vi.spyOn(globalThis, 'fetch');
    const e = envWith({
      OAUTH2_EVENTS_CONSOLE: 'false',
      OAUTH2_EVENTS_WEBHOOK_URLS: WEBHOOK_URL,
      OAUTH2_EVENTS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    const before = metricValue(await scrape(), DEAD);
    const event = envelope({ user_id: `user-${crypto.randomUUID()}` });
    const garbage = { not: 'an envelope' };
    const garbageId = `dlq-garbage-${crypto.randomUUID()}`;
    const first = await deliver(e, [event, garbage], {
      queue: DEAD_LETTER_QUEUE,
      ids: [`dlq-${crypto.randomUUID()}`, garbageId],
      attempts: 1,
    });
    expect(first.explicitAcks).toHaveLength(2);
    expect(first.retryMessages).toEqual([]);
    // The queue delivers the same dead letter again: nothing new is recorded or counted.
    const again = await deliver(e, [event], { queue: DEAD_LETTER_QUEUE, attempts: 2 });
    expect(again.explicitAcks).toHaveLength(1);
    expect(fetches).not.toHaveBeenCalled();

    const recorded = (await eventsOfClient(event.client_id as string)).filter(
      (r) => r.type === DEAD_LETTER_EVENT_TYPE,
    );
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      severity: 'error',
      userId: event.user_id,
      metadata: { event_id: event.id, event_type: 'token_created', valid_envelope: true },
    });
    const storage = createStorage(env);
    const byMessage = (await storage.events.list({ type: DEAD_LETTER_EVENT_TYPE, limit: 200 })).items.filter(
      (r) => r.metadata.event_id === garbageId,
    );
    expect(byMessage).toMatchObject([{ metadata: { event_type: null, valid_envelope: false } }]);
    expect(metricValue(await scrape(), DEAD) - before).toBe(2);
    const lines = errors.mock.calls.map((call) => String(call[0])).filter((l) => l.includes('dead-lettered'));
    expect(lines.filter((l) => l.includes(event.id))).toHaveLength(1);
    expect(JSON.parse(lines.find((l) => l.includes(event.id)) as string)).toMatchObject({
      level: 'error',
      msg: 'event dead-lettered',
      type: 'token_created',
    });
  });

  it('a dead letter the store cannot take is retried, not lost', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const fail = () => Promise.reject(new Error('D1_ERROR: Network connection lost.'));
    const statement = { bind: () => statement, run: fail, all: fail, raw: fail, first: fail };
    const downDb = { prepare: () => statement, batch: fail, exec: fail } as unknown as D1Database;
    const e = { ...envWith({ OAUTH2_EVENTS_CONSOLE: 'false' }), DB: downDb };
    const result = await deliver(e, [envelope()], { queue: DEAD_LETTER_QUEUE, ids: ['dlq-down'] });
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toEqual([{ msgId: 'dlq-down' }]);
  });

  it('the main consumer no longer counts a message as dead-lettered before it reaches the DLQ', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(null, { status: 500 }));
    const before = metricValue(await scrape(), DEAD);
    const e = envWith({
      OAUTH2_EVENTS_CONSOLE: 'false',
      OAUTH2_EVENTS_WEBHOOK_URLS: WEBHOOK_URL,
      OAUTH2_EVENTS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    await deliver(e, [envelope()], { attempts: EVENTS_MAX_RETRIES + 1 });
    vi.restoreAllMocks();
    expect(metricValue(await scrape(), DEAD) - before).toBe(0);
  });
});

describe('Events through the real queue (wrangler.toml producer and consumer)', () => {
  it('every token issued shows up in the recent-events store', async () => {
    const registered = await SELF.fetch('http://localhost/oauth/token', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: basic(ADMIN_ID, ADMIN_SECRET),
      },
      body: 'grant_type=client_credentials&scope=read',
    });
    expect(registered.status).toBe(200);
    // Other tests issue tokens to the same client (scope admin, say), delivered by the queue at their own
    // pace: wait for this one, the client_credentials token with scope read.
    const recorded = await eventually(async () => {
      const events = await eventsOfClient(ADMIN_ID);
      return (
        events.find(
          (event) =>
            event.type === 'token_created' &&
            (event.metadata as Record<string, unknown> | undefined)?.scope === 'read',
        ) ?? null
      );
    });
    expect(recorded.metadata).toMatchObject({ grant_type: 'client_credentials', scope: 'read' });
  }, 30_000);
});

describe('POST /events/ingest', () => {
  const ingestEnv = (queue: CapturingQueue, vars: Record<string, string> = {}) =>
    envWith({ OAUTH2_EVENTS_INGEST_BEARER_TOKEN: INGEST_TOKEN, ...vars }, queue);

  it('needs the ingest Bearer token', async () => {
    const queue = new CapturingQueue();
    const call = workerFor(ingestEnv(queue));
    await expectOAuthError(await call('/events/ingest', json({ type: 'user_logout' })), 401, 'invalid_token');
    await expectOAuthError(
      await call('/events/ingest', json({ type: 'user_logout' }, { Authorization: 'Bearer wrong-token' })),
      401,
      'invalid_token',
    );
    // Not configured at all: nobody may ingest.
    const closed = workerFor(envWith({}, queue));
    await expectOAuthError(
      await closed(
        '/events/ingest',
        json({ type: 'user_logout' }, { Authorization: `Bearer ${INGEST_TOKEN}` }),
      ),
      401,
      'invalid_token',
    );
    expect(queue.bodies).toEqual([]);
  });

  it('queues valid envelopes (202), marks them as ingested, and the consumer records each once', async () => {
    const queue = new CapturingQueue();
    const e = ingestEnv(queue, { OAUTH2_EVENTS_CONSOLE: 'false' });
    const call = workerFor(e);
    const clientId = `ext-${crypto.randomUUID()}`;
    const one = {
      id: `ext-${crypto.randomUUID()}`,
      type: 'client_validated',
      client_id: clientId,
      metadata: { via: 'gateway', password: 'hunter2' },
    };
    const res = await call(
      '/events/ingest',
      json(
        { events: [one, one, { type: 'user_logout', client_id: clientId }] },
        { Authorization: `Bearer ${INGEST_TOKEN}` },
      ),
    );
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; filtered: number; ids: string[] };
    expect(body).toMatchObject({ accepted: 3, filtered: 0 });
    expect(body.ids[0]).toBe(one.id);
    expect(queue.bodies[0]?.metadata).toEqual({ via: 'gateway', source: 'ingest' });
    await deliver(e, queue.bodies);
    const recorded = await eventsOfClient(clientId);
    expect(recorded.map((r) => r.type).sort()).toEqual(['client_validated', 'user_logout']);
  });

  it('answers 400 naming the field of an invalid envelope, and applies the filter', async () => {
    const queue = new CapturingQueue();
    const call = workerFor(
      ingestEnv(queue, { OAUTH2_EVENTS_FILTER_MODE: 'include', OAUTH2_EVENTS_TYPES: 'admin_action' }),
    );
    const auth = { Authorization: `Bearer ${INGEST_TOKEN}` };
    const bad = await expectOAuthError(
      await call('/events/ingest', json({ events: [{ type: 'admin_action' }, { type: 'nope' }] }, auth)),
      400,
      'invalid_request',
    );
    expect(bad.error_description).toMatch(/^events\.1\.type/);
    const badTrace = await expectOAuthError(
      await call('/events/ingest', json({ type: 'admin_action', traceparent: '00-zz' }, auth)),
      400,
      'invalid_request',
    );
    expect(badTrace.error_description).toMatch(/^traceparent/);
    const res = await call(
      '/events/ingest',
      json({ events: [{ type: 'admin_action' }, { type: 'user_logout' }] }, auth),
    );
    expect(await res.json()).toMatchObject({ accepted: 1, filtered: 1 });
  });

  it('with OAUTH2_EVENTS_PUBLIC_INGEST=true needs no token', async () => {
    const queue = new CapturingQueue();
    const call = workerFor(envWith({ OAUTH2_EVENTS_PUBLIC_INGEST: 'true' }, queue));
    const res = await call('/events/ingest', json({ type: 'user_logout', user_id: 'u-1' }));
    expect(res.status).toBe(202);
    expect(queue.of('user_logout')).toHaveLength(1);
  });

  it('answers 503 when the queue refuses the batch', async () => {
    const queue = new CapturingQueue();
    queue.failing = true;
    const call = workerFor(ingestEnv(queue));
    await expectOAuthError(
      await call(
        '/events/ingest',
        json({ type: 'user_logout' }, { Authorization: `Bearer ${INGEST_TOKEN}` }),
      ),
      503,
      'service_unavailable',
    );
  });
});

describe('GET /events/health', () => {
  it('reports each plugin; the webhook plugin is disabled without URLs', async () => {
    const res = await SELF.fetch('http://localhost/events/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      enabled: boolean;
      filter: { mode: string };
      plugins: { name: string; enabled: boolean; status: string }[];
    };
    expect(body).toMatchObject({ status: 'ok', enabled: true, filter: { mode: 'allow_all', types: [] } });
    expect(body.plugins.map((p) => [p.name, p.enabled])).toEqual([
      ['storage', true],
      ['webhook', false],
      ['console', true],
    ]);
    expect(body.plugins.find((p) => p.name === 'webhook')?.status).toBe('disabled');
  });

  it('reports a failing webhook (503) once a delivery failed after the last success', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(null, { status: 500 }));
    const e = envWith({
      OAUTH2_EVENTS_CONSOLE: 'false',
      OAUTH2_EVENTS_WEBHOOK_URLS: WEBHOOK_URL,
      OAUTH2_EVENTS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    await deliver(e, [envelope()]);
    vi.restoreAllMocks();
    const res = await workerFor(e)('/events/health');
    const body = (await res.json()) as {
      status: string;
      plugins: { name: string; status: string; targets?: number }[];
    };
    expect(res.status).toBe(503);
    expect(body.status).toBe('degraded');
    expect(body.plugins.find((p) => p.name === 'webhook')).toMatchObject({ status: 'failing', targets: 1 });
  });
});
