/**
 * The metrics the seed exported that the catalogue adds: registered clients and active grants (counted in
 * storage when scraped), storage calls by port and method (counted and timed by the storage guard), the
 * rate limit budget left by rule, and the per-isolate in-flight count. Also the readable view the admin
 * metrics page shows (quantiles from buckets, areas).
 */
import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { MetricsRegistry, metricGroups, quantile } from '../../src/observability';
import { AdminApi, createServiceClient } from './admin-helpers';
import { metricValue } from './telemetry-helpers';

async function scrape(): Promise<string> {
  const res = await SELF.fetch('http://localhost/metrics');
  expect(res.status).toBe(200);
  return res.text();
}

let admin: AdminApi;

beforeAll(async () => {
  admin = await AdminApi.create();
});

describe('Seed metrics through GET /metrics', () => {
  it('counts registered clients and active grants in storage when scraped', async () => {
    await createServiceClient(admin);
    const text = await scrape();
    expect(text).toContain('# TYPE oauth2_server_oauth_clients_total gauge');
    expect(text).toContain('# TYPE oauth2_server_oauth_active_grants gauge');
    const dashboard = await admin.get<{ counts: { clients: number; active_grants: number } }>(
      '/admin/api/dashboard',
    );
    expect(dashboard.counts.clients).toBeGreaterThan(0);
    expect(metricValue(text, 'oauth2_server_oauth_clients_total')).toBe(dashboard.counts.clients);
    expect(metricValue(text, 'oauth2_server_oauth_active_grants')).toBe(dashboard.counts.active_grants);
  });

  it('counts and times storage calls by port and method', async () => {
    const calls = 'oauth2_server_db_queries_total{port="users",method="count",outcome="ok"}';
    const timed = 'oauth2_server_db_query_duration_seconds_count{port="users",method="count"}';
    const before = await scrape();
    await admin.get('/admin/api/dashboard');
    await admin.get('/admin/api/dashboard');
    const after = await scrape();
    expect(metricValue(after, calls) - metricValue(before, calls)).toBe(2);
    expect(metricValue(after, timed) - metricValue(before, timed)).toBe(2);
    expect(after).toContain('# TYPE oauth2_server_db_query_duration_seconds histogram');
    expect(after).toMatch(
      /oauth2_server_db_query_duration_seconds_bucket\{port="users",method="count",le="\+Inf"\} \d+/,
    );
    // The scrape's own counts (clients.count, grants.countActive) are storage calls too.
    expect(
      metricValue(after, 'oauth2_server_db_queries_total{port="clients",method="count",outcome="ok"}'),
    ).toBeGreaterThan(0);
  });

  it('records the budget the global rate limit rule left, by rule', async () => {
    const series = 'oauth2_server_rate_limit_remaining_count{rule="global"}';
    const before = await scrape();
    for (let i = 0; i < 3; i += 1)
      expect((await SELF.fetch('http://localhost/.well-known/jwks.json')).status).toBe(200);
    const after = await scrape();
    expect(metricValue(after, series) - metricValue(before, series)).toBe(3);
    expect(after).toContain('# TYPE oauth2_server_rate_limit_remaining histogram');
    expect(metricValue(after, 'oauth2_server_rate_limit_remaining_sum{rule="global"}')).toBeGreaterThan(0);
  });

  it('exports the in-flight request gauge', async () => {
    const text = await scrape();
    expect(text).toContain('# TYPE oauth2_server_concurrent_requests_in_flight gauge');
    expect(text).toMatch(/^oauth2_server_concurrent_requests_in_flight \d+$/m);
  });
});

describe('Readable metrics view', () => {
  it('estimates quantiles from cumulative buckets', () => {
    const buckets: [number, number][] = [
      [0.1, 50],
      [1, 90],
      [10, 100],
      [Number.POSITIVE_INFINITY, 100],
    ];
    expect(quantile(0.5, buckets)).toBeCloseTo(0.1);
    expect(quantile(0.25, buckets)).toBeCloseTo(0.05);
    expect(quantile(0.9, buckets)).toBeCloseTo(1);
    expect(quantile(0.95, buckets)).toBeCloseTo(5.5);
    expect(quantile(0.5, [[Number.POSITIVE_INFINITY, 0]])).toBeNull();
    expect(
      quantile(0.99, [
        [1, 0],
        [Number.POSITIVE_INFINITY, 4],
      ]),
    ).toBe(1);
  });

  it('groups families by area, with values and histogram summaries', () => {
    const registry = new MetricsRegistry();
    registry.inc('http_requests_total_by_route', { method: 'GET', route: '/a"b', status: 200 }, 3);
    for (const v of [0.002, 0.004, 0.2, 0.3]) registry.observe('http_request_duration_seconds', undefined, v);
    const delta = registry.takeDelta();
    const groups = metricGroups({ counters: delta.counters, gauges: delta.gauges, isolates: 1 });
    expect(groups.map((g) => g.area)).toContain('Storage');
    const http = groups.find((g) => g.area === 'HTTP');
    const byRoute = http?.families.find((f) => f.name === 'oauth2_server_http_requests_total_by_route');
    expect(byRoute?.series).toEqual([
      {
        labels: [
          ['method', 'GET'],
          ['route', '/a"b'],
          ['status', '200'],
        ],
        value: 3,
      },
    ]);
    const duration = http?.families.find((f) => f.name === 'oauth2_server_http_request_duration_seconds');
    expect(duration?.type).toBe('histogram');
    const [series] = duration?.series ?? [];
    expect(series).toMatchObject({ count: 4, labels: [] });
    if (series === undefined || !('mean' in series)) throw new Error('no histogram series');
    expect(series.sum).toBeCloseTo(0.506);
    expect(series.mean).toBeCloseTo(0.1265);
    expect(series.p50).toBeCloseTo(0.005);
    expect(series.p99).toBeGreaterThan(0.25);
    expect(series.p99).toBeLessThanOrEqual(0.5);
  });
});
