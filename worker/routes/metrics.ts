/** GET /metrics: the global metrics aggregate in the Prometheus text format 0.0.4. */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../../src/observability/metrics';
import type { AppEnv } from '../context';
import { readMetrics } from '../telemetry';

export const SERVICE = { service: 'edge-oauth2-server', version: '0.1.0' };

export const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['Operations'],
  summary: 'Prometheus metrics (oauth2_server_*), aggregated across isolates',
  description:
    'Counters and histograms summed over every isolate that reported; each isolate reports at least every OAUTH2_METRICS_FLUSH_INTERVAL_SECS (default 10 s), so figures lag by at most that much (the answering isolate is always current).',
  responses: {
    200: {
      description: 'Prometheus text exposition format 0.0.4',
      content: {
        'text/plain': { schema: z.string().openapi({ example: 'oauth2_server_http_requests_total 42' }) },
      },
    },
  },
});

export function registerMetricsRoute(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerPath(metricsRoute);
  app.get(metricsRoute.path, async (c) => {
    const snapshot = await readMetrics(c.env);
    return c.body(renderPrometheus(snapshot, SERVICE), 200, {
      'Content-Type': PROMETHEUS_CONTENT_TYPE,
      'Cache-Control': 'no-store',
    });
  });
}
