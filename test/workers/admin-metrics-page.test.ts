/**
 * GET /admin/metrics: an administrator reads the figures of /metrics by area (help text, series, values;
 * histograms as count, sum, mean and quantiles), server-rendered with no script; anyone else is refused as
 * for the other admin pages.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, createTestUser, signedIn } from './admin-helpers';
import { Browser, SEED_ADMIN } from './helpers';

let admin: AdminApi;
let browser: Browser;

beforeAll(async () => {
  admin = await AdminApi.create();
  browser = await signedIn(SEED_ADMIN);
});

/** The text of the table row whose labels cell holds `labels` in the section of `name`. */
function rowOf(html: string, name: string, labels: string): string[] {
  const start = html.indexOf(`id="m-${name}"`);
  expect(start, name).toBeGreaterThan(0);
  const section = html.slice(start, html.indexOf('</section>', start));
  const rows = section.split('<tr>').slice(1);
  const row = rows.find((r) => r.includes(labels));
  expect(row, `${name} ${labels}`).toBeDefined();
  return [...(row ?? '').matchAll(/<td>(.*?)<\/td>/gs)].map((m) => m[1]?.replace(/<[^>]+>/g, '') ?? '');
}

describe('Admin metrics page', () => {
  it('shows the metrics by area with help, labels and values after a few requests', async () => {
    for (let i = 0; i < 3; i += 1) await browser.get('/admin');
    await admin.get('/admin/api/dashboard');
    const res = await browser.get('/admin/metrics');
    const html = await res.text();
    expect(res.status, html.slice(0, 500)).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toContain('unsafe');
    expect(html).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
    // In the navigation, marked current.
    expect(html).toMatch(/<a href="\/admin\/metrics" aria-current="page">Metrics<\/a>/);

    for (const area of ['HTTP', 'Tokens and clients', 'Rate limiting', 'Resilience', 'Storage', 'Events']) {
      expect(html).toContain(`>${area}</h2>`);
    }
    expect(html).toContain('oauth2_server_http_requests_total_by_route');
    expect(html).toContain('HTTP requests by method, route pattern and status.');

    // The three dashboard pages, a counter by labels (quotes escaped in HTML).
    const [, value] = rowOf(
      html,
      'oauth2_server_http_requests_total_by_route',
      'method=&quot;GET&quot;, route=&quot;/admin&quot;, status=&quot;200&quot;',
    );
    expect(Number(value)).toBeGreaterThanOrEqual(3);

    // A histogram: count, sum, mean, p50, p90, p99.
    const cells = rowOf(
      html,
      'oauth2_server_http_request_duration_seconds_by_route',
      'route=&quot;/admin&quot;',
    );
    expect(cells).toHaveLength(7);
    expect(Number(cells[1])).toBeGreaterThanOrEqual(3);
    for (const cell of cells.slice(2)) expect(cell).toMatch(/^\d+(\.\d+)? m?s$/);

    // Storage gauges, as the dashboard counts them.
    const dashboard = await admin.get<{ counts: { clients: number } }>('/admin/api/dashboard');
    const [, clients] = rowOf(html, 'oauth2_server_oauth_clients_total', '(no labels)');
    expect(Number(clients)).toBe(dashboard.counts.clients);

    // This page request is in flight when the figures are read.
    const [, inFlight] = rowOf(html, 'oauth2_server_concurrent_requests_in_flight', '(no labels)');
    expect(Number(inFlight)).toBeGreaterThanOrEqual(1);

    // Storage calls by port and method.
    const [, calls] = rowOf(
      html,
      'oauth2_server_db_queries_total',
      'port=&quot;users&quot;, method=&quot;count&quot;, outcome=&quot;ok&quot;',
    );
    expect(Number(calls)).toBeGreaterThanOrEqual(1);
  });

  it('sends a signed-in user who is not an administrator to /profile', async () => {
    const user = await signedIn(await createTestUser(admin));
    const res = await user.get('/admin/metrics');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/profile');
  });

  it('sends an anonymous browser to the sign-in page', async () => {
    const res = await new Browser().get('/admin/metrics', { Accept: 'text/html' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '', 'http://localhost');
    expect(location.pathname).toBe('/auth/login');
    expect(location.searchParams.get('return_to')).toBe('/admin/metrics');
  });
});
