/** Builds the OpenAPIHono app: middleware order, routes and the one error handler. */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './context';

export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.get('/health', (c) =>
    c.json({ status: 'healthy', service: 'edge-oauth2-server', timestamp: new Date().toISOString() }),
  );
  return app;
}
