/** GET /health (liveness) and GET /ready (storage reachable). */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { requestStorage } from '../wiring/request-storage';
import { jsonResponse } from './schemas';

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  tags: ['Operations'],
  summary: 'Liveness',
  responses: {
    200: {
      description: 'The Worker is serving',
      content: {
        'application/json': {
          schema: z
            .object({ status: z.literal('healthy'), service: z.string(), timestamp: z.string() })
            .openapi('Health'),
        },
      },
    },
  },
});

const ReadySchema = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.object({ database: z.enum(['ok', 'error']) }),
  })
  .openapi('Readiness');

const readyRoute = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['Operations'],
  summary: 'Readiness: storage is reachable',
  responses: {
    200: jsonResponse('Ready', ReadySchema),
    503: jsonResponse('Storage unreachable', ReadySchema),
  },
});

export function registerHealthRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(healthRoute, (c) =>
    c.json({ status: 'healthy', service: 'edge-oauth2-server', timestamp: new Date().toISOString() }, 200, {
      'Cache-Control': 'no-store',
    }),
  );

  app.openapi(readyRoute, async (c) => {
    try {
      await requestStorage(c).healthcheck();
      return c.json({ status: 'ready', checks: { database: 'ok' } }, 200, { 'Cache-Control': 'no-store' });
    } catch {
      return c.json({ status: 'unavailable', checks: { database: 'error' } }, 503, {
        'Cache-Control': 'no-store',
        'Retry-After': '5',
      });
    }
  });
}
