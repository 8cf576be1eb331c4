/**
 * GET /metrics: the global metrics aggregate in the Prometheus text format 0.0.4. With OAUTH2_METRICS_TOKEN
 * set, only a scraper presenting it as a Bearer token reads it (the figures reveal traffic, clients and
 * failures); unset, it is public (local use).
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { requireConfiguredBearer } from '../../src/oauth/tokens/bearer';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../../src/observability/metrics';
import type { AppEnv } from '../context';
import { requestStorage } from '../wiring/request-storage';
import { collectMetrics } from '../wiring/telemetry';
import { jsonError } from './schemas';

export const SERVICE = { service: 'edge-oauth2-server', version: '0.1.0' };

export const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['Operations'],
  summary: 'Prometheus metrics (oauth2_server_*), aggregated across isolates',
  description:
    'Counters and histograms summed over every isolate that reported; each isolate reports at least every OAUTH2_METRICS_FLUSH_INTERVAL_SECS (default 10 s), so figures lag by at most that much (the answering isolate is always current). When OAUTH2_METRICS_TOKEN is set, the request needs `Authorization: Bearer <that token>`.',
  security: [{ bearer: [] }, {}],
  responses: {
    200: {
      description: 'Prometheus text exposition format 0.0.4',
      content: {
        'text/plain': { schema: z.string().openapi({ example: 'oauth2_server_http_requests_total 42' }) },
      },
    },
    401: jsonError(
      'OAUTH2_METRICS_TOKEN is set and the request did not present it (WWW-Authenticate: Bearer)',
    ),
  },
});

export function registerMetricsRoute(app: OpenAPIHono<AppEnv>): void {
  app.openapi(metricsRoute, async (c) => {
    const { metricsToken } = c.get('config').observability;
    if (metricsToken !== undefined) {
      await requireConfiguredBearer(c.req.header('authorization'), metricsToken, 'metrics token');
    }
    const snapshot = await collectMetrics(c.env, requestStorage(c));
    return c.body(renderPrometheus(snapshot, SERVICE), 200, {
      'Content-Type': PROMETHEUS_CONTENT_TYPE,
      'Cache-Control': 'no-store',
    });
  });
}
