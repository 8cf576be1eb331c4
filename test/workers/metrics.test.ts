/**
 * Metrics: the per-isolate registry and the Prometheus text format, GET /metrics after a known number of
 * requests, aggregation across isolates through the MetricsActor shards, and the flush policy.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  isolateMetrics,
  MetricsRegistry,
  mergeSnapshots,
  recordRateLimitRejected,
  renderPrometheus,
  setCircuitBreakerState,
} from '../../src/observability';
import { afterWork, flushMetrics, METRICS_SHARDS } from '../../worker/wiring/telemetry';
import { ADMIN_ID, ADMIN_SECRET, basic } from './helpers';
import { metricValue } from './telemetry-helpers';

const INFO = { service: 'edge-oauth2-server', version: 'test' };

async function scrape(): Promise<string> {
  const res = await SELF.fetch('http://localhost/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return res.text();
}

function tokenRequest(secret = ADMIN_SECRET) {
  return SELF.fetch('http://localhost/oauth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic(ADMIN_ID, secret) },
    body: 'grant_type=client_credentials&scope=read',
  });
}

describe('Metrics registry and Prometheus text format', () => {
  it('renders counters with labels, HELP and TYPE, and initial zero series', () => {
    const registry = new MetricsRegistry();
    registry.inc('http_requests_total_by_route', { method: 'GET', route: '/x"y\\z', status: 200 }, 2);
    registry.inc('oauth_token_issued_total', { grant_type: 'client_credentials' });
    const delta = registry.takeDelta();
    const text = renderPrometheus({ counters: delta.counters, gauges: delta.gauges, isolates: 1 }, INFO);
    expect(text).toContain('# HELP oauth2_server_http_requests_total_by_route ');
    expect(text).toContain('# TYPE oauth2_server_http_requests_total_by_route counter');
    expect(text).toContain(
      'oauth2_server_http_requests_total_by_route{method="GET",route="/x\\"y\\\\z",status="200"} 2',
    );
    expect(text).toContain('oauth2_server_oauth_token_issued_total{grant_type="client_credentials"} 1');
    expect(text).toContain('oauth2_server_oauth_token_issued_total{grant_type="refresh_token"} 0');
    expect(text).toContain('oauth2_server_rate_limit_rejected_total{rule="global"} 0');
    expect(text).toContain('oauth2_server_circuit_breaker_state{circuit="storage"} 0');
    expect(text).toContain('oauth2_server_back_pressure_rejected_total 0');
    expect(text).toContain('oauth2_server_app_info{service="edge-oauth2-server",version="test"} 1');
    expect(text.endsWith('\n')).toBe(true);
    // Nothing is recorded twice: the delta was taken.
    expect(Object.keys(registry.takeDelta().counters)).toEqual([]);
  });

  it('renders histograms with cumulative buckets, +Inf, _sum and _count, summed across deltas', () => {
    const a = new MetricsRegistry();
    a.observe('http_request_duration_seconds_by_route', { method: 'POST', route: '/oauth/token' }, 0.003);
    a.observe('http_request_duration_seconds_by_route', { method: 'POST', route: '/oauth/token' }, 0.2);
    const b = new MetricsRegistry();
    b.observe('http_request_duration_seconds_by_route', { method: 'POST', route: '/oauth/token' }, 30);
    const merged = mergeSnapshots(
      [a.takeDelta(), b.takeDelta()].map((d) => ({ counters: d.counters, gauges: d.gauges, isolates: 1 })),
    );
    const text = renderPrometheus(merged, INFO);
    const series = (le: string) =>
      metricValue(
        text,
        `oauth2_server_http_request_duration_seconds_by_route_bucket{method="POST",route="/oauth/token",le="${le}"}`,
      );
    expect([
      series('0.001'),
      series('0.005'),
      series('0.1'),
      series('0.25'),
      series('10'),
      series('+Inf'),
    ]).toEqual([0, 1, 1, 2, 2, 3]);
    expect(
      metricValue(
        text,
        'oauth2_server_http_request_duration_seconds_by_route_count{method="POST",route="/oauth/token"}',
      ),
    ).toBe(3);
    expect(
      metricValue(
        text,
        'oauth2_server_http_request_duration_seconds_by_route_sum{method="POST",route="/oauth/token"}',
      ),
    ).toBeCloseTo(30.203);
    expect(text).toContain('# TYPE oauth2_server_http_request_duration_seconds_by_route histogram');
  });

  it('puts back a delta that could not be delivered', () => {
    const registry = new MetricsRegistry();
    registry.inc('http_requests_total');
    const delta = registry.takeDelta();
    registry.inc('http_requests_total');
    registry.restore(delta);
    expect(registry.takeDelta().counters).toEqual({ oauth2_server_http_requests_total: 2 });
  });
});

describe('GET /metrics', () => {
  it('exports every oauth2_server_* metric of the catalogue', async () => {
    const text = await scrape();
    for (const name of [
      'http_requests_total',
      'http_requests_by_class_total',
      'http_requests_total_by_route',
      'http_request_duration_seconds',
      'http_request_duration_seconds_by_route',
      'oauth_token_issued_total',
      'oauth_token_revoked_total',
      'oauth_authorization_codes_issued',
      'oauth_failed_authentications',
      'rate_limit_rejected_total',
      'circuit_breaker_state',
      'events_published_total',
    ]) {
      expect(text).toContain(`# TYPE oauth2_server_${name} `);
    }
  });

  it('counts 5 token requests: +5 tokens issued, +5 by route, +6 durations; a bad secret is a failed authentication', async () => {
    const issued = 'oauth2_server_oauth_token_issued_total{grant_type="client_credentials"}';
    const byRoute =
      'oauth2_server_http_requests_total_by_route{method="POST",route="/oauth/token",status="200"}';
    const durations =
      'oauth2_server_http_request_duration_seconds_by_route_count{method="POST",route="/oauth/token"}';
    const failed = 'oauth2_server_oauth_failed_authentications{kind="client"}';
    const unauthorized =
      'oauth2_server_http_requests_total_by_route{method="POST",route="/oauth/token",status="401"}';
    const before = await scrape();
    for (let i = 0; i < 5; i += 1) expect((await tokenRequest()).status).toBe(200);
    expect((await tokenRequest('wrong-secret')).status).toBe(401);
    const after = await scrape();
    expect(metricValue(after, issued) - metricValue(before, issued)).toBe(5);
    expect(metricValue(after, byRoute) - metricValue(before, byRoute)).toBe(5);
    expect(metricValue(after, durations) - metricValue(before, durations)).toBe(6);
    expect(metricValue(after, failed) - metricValue(before, failed)).toBe(1);
    expect(metricValue(after, unauthorized) - metricValue(before, unauthorized)).toBe(1);
    // The scrape itself is counted, under its route pattern.
    expect(
      metricValue(
        after,
        'oauth2_server_http_requests_total_by_route{method="GET",route="/metrics",status="200"}',
      ),
    ).toBeGreaterThan(0);
  });

  it('labels unmatched paths by "unmatched", never by the raw path', async () => {
    await SELF.fetch('http://localhost/no/such/path-with-a-secret-looking-segment');
    const text = await scrape();
    expect(text).not.toContain('secret-looking');
    expect(
      metricValue(
        text,
        'oauth2_server_http_requests_total_by_route{method="GET",route="unmatched",status="404"}',
      ),
    ).toBeGreaterThan(0);
  });
});

describe('Aggregation across isolates (MetricsActor shards)', () => {
  const stub = (n: number) => env.METRICS_ACTOR.get(env.METRICS_ACTOR.idFromName(`metrics-${n}`));

  it('sums counters reported by other isolates into the scrape', async () => {
    const series = 'oauth2_server_oauth_token_revoked_total{reason="admin"}';
    const before = metricValue(await scrape(), series);
    const now = Math.floor(Date.now() / 1000);
    await stub(0).merge('isolate-a', { counters: { [series]: 3 }, gauges: {}, maxGauges: {} }, now);
    await stub(METRICS_SHARDS - 1).merge(
      'isolate-b',
      { counters: { [series]: 4 }, gauges: {}, maxGauges: {} },
      now,
    );
    const text = await scrape();
    expect(metricValue(text, series) - before).toBe(7);
    expect(metricValue(text, 'oauth2_server_metrics_isolates_reporting')).toBeGreaterThanOrEqual(2);
  });

  it('a breaker gauge is the worst state of the isolates that reported in the last 5 minutes', async () => {
    const series = 'oauth2_server_circuit_breaker_state{circuit="test-breaker"}';
    const now = Math.floor(Date.now() / 1000);
    await stub(1).merge('isolate-stale', { counters: {}, gauges: { [series]: 2 }, maxGauges: {} }, now - 600);
    await stub(1).merge('isolate-live', { counters: {}, gauges: { [series]: 1 }, maxGauges: {} }, now);
    expect(metricValue(await scrape(), series)).toBe(1);
    await stub(2).merge('isolate-open', { counters: {}, gauges: { [series]: 2 }, maxGauges: {} }, now);
    expect(metricValue(await scrape(), series)).toBe(2);
  });

  it('the helpers for rate limiting and resilience reach the scrape', async () => {
    const rejected = 'oauth2_server_rate_limit_rejected_total{rule="global"}';
    const before = metricValue(await scrape(), rejected);
    recordRateLimitRejected('global');
    recordRateLimitRejected('global');
    setCircuitBreakerState('storage', 'half_open');
    const text = await scrape();
    expect(metricValue(text, rejected) - before).toBe(2);
    expect(metricValue(text, 'oauth2_server_circuit_breaker_state{circuit="storage"}')).toBe(1);
    setCircuitBreakerState('storage', 'closed');
  });
});

describe('Flush policy (no Durable Object call per request)', () => {
  function fakeEnv() {
    const merges: unknown[] = [];
    const namespace = {
      idFromName: (name: string) => name,
      get: () => ({
        merge: async (...args: unknown[]) => {
          merges.push(args);
        },
      }),
    };
    return { merges, env: { ...env, METRICS_ACTOR: namespace } as unknown as Env };
  }

  it('within the interval requests only schedule one delayed flush; a due interval flushes at once', async () => {
    const { merges, env: fake } = fakeEnv();
    await flushMetrics(fake);
    const before = merges.length;
    const scheduled: Promise<unknown>[] = [];
    const scope = { waitUntil: (promise: Promise<unknown>) => scheduled.push(promise) };
    for (let i = 0; i < 50; i += 1) {
      isolateMetrics.inc('http_requests_total');
      afterWork(fake, 25, scope);
    }
    expect(merges.length).toBe(before);
    expect(scheduled.length).toBeLessThanOrEqual(1);
    isolateMetrics.inc('http_requests_total');
    afterWork(fake, 0, scope);
    await Promise.race([Promise.all(scheduled.slice(-1)), new Promise((r) => setTimeout(r, 50))]);
    expect(merges.length).toBe(before + 1);
  });
});
