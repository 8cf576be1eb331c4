/**
 * Builds the OpenAPIHono app. Middleware order (outermost first): request id + security headers
 * -> configuration guard -> routes; one error handler renders every error.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { MethodNotAllowedError } from '../src/oauth/errors';
import type { AppEnv } from './context';
import { configGuard } from './middleware/config-guard';
import { notFound, onError } from './middleware/errors';
import { requestContext } from './middleware/security-headers';
import { registerDocsRoutes } from './routes/docs';
import { registerHealthRoutes } from './routes/health';
import { registerTokenManagementRoutes } from './routes/introspect';
import { registerRegistrationRoutes } from './routes/register';
import { registerTokenRoute } from './routes/token';
import { registerWellKnownRoutes } from './routes/well-known';

/** Paths that only accept POST: any other method is 405 with Allow. */
const POST_ONLY = ['/oauth/token', '/oauth/introspect', '/oauth/revoke'];

export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', requestContext);
  app.use('*', configGuard);

  registerHealthRoutes(app);
  registerWellKnownRoutes(app);
  registerTokenRoute(app);
  registerTokenManagementRoutes(app);
  registerRegistrationRoutes(app);
  registerDocsRoutes(app);

  for (const path of POST_ONLY) {
    app.on(['GET', 'PUT', 'PATCH', 'DELETE'], path, () => {
      throw new MethodNotAllowedError('POST');
    });
  }

  app.notFound(notFound);
  app.onError(onError);
  return app;
}
