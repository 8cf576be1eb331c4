/**
 * Signed webhooks against a real receiver: the built Worker under Miniflare (queue producer and consumer
 * from wrangler.toml) posts events to an HTTP server on 127.0.0.1 that verifies the HMAC signature the
 * way an operator's receiver would. Failed deliveries are retried until the receiver accepts, or until the
 * last retry, after which the message is dead-lettered.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_MAX_RETRIES } from '../../src/events/consumer';
import { DEAD_LETTER_EVENT_TYPE, DEAD_LETTER_QUEUE } from '../../src/events/dead-letter';
import { verifySignature } from '../../src/events/signature';
import { adminToken, basic, type TestServer } from './support';

const HARNESS = new URL('../../bench/lib/server.mjs', import.meta.url).href;
const SECRET = 'node-webhook-secret-5e4f3a2b1c0d9e8f7a6b5c4d';

interface Delivery {
  headers: IncomingMessage['headers'];
  body: string;
  verified: boolean;
}

const deliveries: Delivery[] = [];
/** The status the receiver answers for an event id (default 204). */
let answer: (eventId: string, seen: number) => number = () => 204;

let receiver: Server;
let server: TestServer;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function deliveriesOf(eventId: string): Delivery[] {
  return deliveries.filter((d) => d.headers['x-oauth2-event-id'] === eventId);
}

async function waitFor<T>(check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One series of a Prometheus text body (0 when absent). */
function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

async function scrapeMetrics(): Promise<string> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** Polls `check` (async) until it answers a value. */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function ingest(event: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${server.url}/events/ingest`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(event),
  });
  expect(res.status, await res.clone().text()).toBe(202);
}

beforeAll(async () => {
  receiver = createServer(async (req, res) => {
    const body = await readBody(req);
    const signature = req.headers['x-oauth2-signature'];
    const verified = await verifySignature(
      SECRET,
      typeof signature === 'string' ? signature : null,
      body,
      Math.floor(Date.now() / 1000),
    );
    deliveries.push({ headers: req.headers, body, verified });
    const eventId = String(req.headers['x-oauth2-event-id']);
    res.writeHead(verified ? answer(eventId, deliveriesOf(eventId).length) : 401).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  const harness = (await import(HARNESS)) as {
    startServer(options: {
      vars: Record<string, string>;
      queueConsumer: Record<string, number>;
      onOutput: (line: string) => void;
    }): Promise<TestServer>;
  };
  server = await harness.startServer({
    vars: {
      OAUTH2_EVENTS_WEBHOOK_URLS: `http://127.0.0.1:${port}/hooks/oauth`,
      OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP: 'true',
      OAUTH2_EVENTS_WEBHOOK_SECRET: SECRET,
      OAUTH2_EVENTS_RETRY_DELAY_SECS: '0',
      OAUTH2_EVENTS_PUBLIC_INGEST: 'true',
      OAUTH2_EVENTS_CONSOLE: 'false',
      OAUTH2_METRICS_FLUSH_INTERVAL_SECS: '1',
    },
    queueConsumer: { maxBatchTimeout: 1 },
    onOutput: () => {},
  });
});

afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('Webhooks to a real receiver', () => {
  it('a token request reaches the receiver as a signed token_created event carrying its trace', async () => {
    const traceId = 'aa0f765191dc43dd8448eb211c8031bb';
    const res = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: basic(server.adminClientId, server.adminClientSecret),
        'Content-Type': 'application/x-www-form-urlencoded',
        traceparent: `00-${traceId}-b7ad6b7169203331-01`,
      },
      body: 'grant_type=client_credentials&scope=read',
    });
    const { access_token } = (await res.json()) as { access_token: string };
    const delivery = await waitFor(() =>
      deliveries.find((d) => d.headers['x-oauth2-event-type'] === 'token_created'),
    );
    expect(delivery.verified).toBe(true);
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(delivery.headers['user-agent']).toMatch(/^edge-oauth2-server-webhooks\//);
    expect(delivery.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const event = JSON.parse(delivery.body) as Record<string, unknown>;
    expect(event).toMatchObject({
      type: 'token_created',
      client_id: server.adminClientId,
      metadata: { grant_type: 'client_credentials', scope: 'read' },
    });
    expect(event.id).toBe(delivery.headers['x-oauth2-event-id']);
    expect((event.traceparent as string).slice(3, 35)).toBe(traceId);
    expect(delivery.body).not.toContain(access_token);
    expect(delivery.body).not.toContain(server.adminClientSecret);
  });

  it('done when: an issued token is on the webhook, in the admin events API and counted in /metrics', async () => {
    const admin = await adminToken(server);
    const issuedSeries = 'oauth2_server_oauth_token_issued_total{grant_type="client_credentials"}';
    const publishedSeries = 'oauth2_server_events_published_total{type="token_created"}';
    // The admin token above is counted too: wait until the aggregate has settled before the baseline.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const before = await scrapeMetrics();
    const res = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: basic(server.adminClientId, server.adminClientSecret),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=read',
    });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    const claims = JSON.parse(Buffer.from(access_token.split('.')[1] ?? '', 'base64url').toString()) as {
      jti: string;
    };
    const grantId = claims.jti.split('.')[0];

    // 1. On the webhook, signed.
    const delivery = await waitFor(() =>
      deliveries.find(
        (d) =>
          d.headers['x-oauth2-event-type'] === 'token_created' &&
          (JSON.parse(d.body) as { metadata: { grant_id?: string } }).metadata.grant_id === grantId,
      ),
    );
    expect(delivery.verified).toBe(true);
    const eventId = String(delivery.headers['x-oauth2-event-id']);

    // 2. In the admin events API (the recent-events store the consumer fills), the same event.
    const listed = await eventually(async () => {
      const page = await fetch(
        `${server.url}/admin/api/events?type=token_created&client_id=${encodeURIComponent(server.adminClientId)}&limit=200`,
        { headers: { Authorization: `Bearer ${admin}` } },
      );
      expect(page.status).toBe(200);
      const { items } = (await page.json()) as { items: { id: string }[] };
      return items.find((item) => item.id === eventId);
    });
    expect(listed).toMatchObject({
      id: eventId,
      type: 'token_created',
      source: 'event_bus',
      client_id: server.adminClientId,
      metadata: { grant_id: grantId, grant_type: 'client_credentials', scope: 'read' },
    });

    // 3. Counted in /metrics (aggregated across isolates; flushed every second here).
    const after = await eventually(async () => {
      const text = await scrapeMetrics();
      return metricValue(text, issuedSeries) > metricValue(before, issuedSeries) ? text : undefined;
    });
    expect(metricValue(after, issuedSeries) - metricValue(before, issuedSeries)).toBe(1);
    expect(metricValue(after, publishedSeries) - metricValue(before, publishedSeries)).toBeGreaterThanOrEqual(
      1,
    );
    expect(JSON.stringify(listed)).not.toContain(access_token);
  });

  it('a receiver that fails twice gets the same event again until it accepts it', async () => {
    const id = `flaky-${crypto.randomUUID()}`;
    answer = (eventId, seen) => (eventId === id && seen <= 2 ? 500 : 204);
    await ingest({ id, type: 'user_logout', user_id: 'u-flaky' });
    await waitFor(() => (deliveriesOf(id).length >= 3 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const all = deliveriesOf(id);
    expect(all).toHaveLength(3);
    expect(all.every((d) => d.verified)).toBe(true);
    expect(new Set(all.map((d) => d.body)).size).toBe(1);
  });

  it('the consumer in wrangler.toml retries as often as the code expects, into the dead-letter queue', () => {
    const toml = readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8');
    const consumers = toml.match(/\[\[queues\.consumers\]\][^[]*/g) ?? [];
    const consumer = consumers[0] ?? '';
    expect(consumer).toMatch(/queue = "oauth2-events"/);
    expect(consumer).toMatch(new RegExp(`max_retries = ${EVENTS_MAX_RETRIES}\\b`));
    expect(consumer).toMatch(new RegExp(`dead_letter_queue = "${DEAD_LETTER_QUEUE}"`));
    // The same Worker consumes the dead-letter queue (src/events/dead-letter.ts).
    expect(consumers.some((c) => new RegExp(`queue = "${DEAD_LETTER_QUEUE}"`).test(c))).toBe(true);
  });

  it(`gives up after ${EVENTS_MAX_RETRIES} retries: the message goes to the dead-letter queue`, async () => {
    const id = `doomed-${crypto.randomUUID()}`;
    answer = (eventId) => (eventId === id ? 503 : 204);
    await ingest({ id, type: 'user_logout', user_id: 'u-doomed' });
    await waitFor(() => (deliveriesOf(id).length >= EVENTS_MAX_RETRIES + 1 ? true : undefined), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(deliveriesOf(id)).toHaveLength(EVENTS_MAX_RETRIES + 1);
    // The dead-letter queue's consumer records it where an operator looks: the admin events API.
    const admin = await adminToken(server);
    const recorded = await eventually(async () => {
      const page = await fetch(`${server.url}/admin/api/events?type=${DEAD_LETTER_EVENT_TYPE}&limit=200`, {
        headers: { Authorization: `Bearer ${admin}` },
      });
      const { items } = (await page.json()) as { items: { metadata: Record<string, unknown> }[] };
      return items.find((item) => item.metadata.event_id === id);
    });
    expect(recorded).toMatchObject({
      severity: 'error',
      user_id: 'u-doomed',
      metadata: { event_id: id, event_type: 'user_logout', valid_envelope: true },
    });
    const health = await eventually(async () => {
      const res = await fetch(`${server.url}/events/health`);
      const body = (await res.json()) as {
        dead_lettered: number;
        plugins: { name: string; status: string }[];
      };
      return body.dead_lettered >= 1 ? { status: res.status, body } : undefined;
    });
    expect(health.status).toBe(503);
    expect(health.body.plugins.find((p) => p.name === 'webhook')?.status).toBe('failing');
    // Nothing is delivered again from the dead-letter queue.
    expect(deliveriesOf(id)).toHaveLength(EVENTS_MAX_RETRIES + 1);
  }, 120_000);
});
