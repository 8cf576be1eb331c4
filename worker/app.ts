/**
 * Builds the OpenAPIHono app. Middleware order (outermost first): request id + security headers
 * -> configuration guard -> (browser routes only: HTML error pages -> session) -> routes; one error
 * handler renders every error.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { MethodNotAllowedError } from '../src/oauth/errors';
import type { AppEnv } from './context';
import { configGuard } from './middleware/config-guard';
import { notFound, onError } from './middleware/errors';
import { htmlErrors } from './middleware/html-errors';
import { requestContext } from './middleware/security-headers';
import { sessionMiddleware } from './middleware/session';
import { registerAdminUserRoutes } from './routes/admin-users';
import { registerAuthRoutes } from './routes/auth';
import { registerAuthorizeRoutes } from './routes/authorize';
import { registerDocsRoutes } from './routes/docs';
import { registerHealthRoutes } from './routes/health';
import { registerTokenManagementRoutes } from './routes/introspect';
import { registerLogoutRoutes } from './routes/logout';
import { registerPageRoutes } from './routes/pages';
import { registerRegistrationRoutes } from './routes/register';
import { registerTokenRoute } from './routes/token';
import { registerUserInfoRoutes } from './routes/userinfo';
import { registerWellKnownRoutes } from './routes/well-known';

/**
 * Browser routes: they (and only they) load the session cookie, so the token endpoints never pay for
 * it, and they answer errors as HTML pages (except the JSON API under /admin/api/).
 * A Hono `/x/*` pattern also matches `/x` itself.
 */
export const BROWSER_PATHS = [
  '/',
  '/profile',
  '/auth/*',
  '/oauth/authorize',
  '/oauth/consent',
  '/oauth/logout',
  '/admin/*',
];

/** Paths that only accept POST: any other method is 405 with Allow. */
const POST_ONLY = ['/oauth/token', '/oauth/introspect', '/oauth/revoke'];

export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', requestContext);
  app.use('*', configGuard);
  // Browser routes: HTML error pages, then the session (see BROWSER_PATHS).
  for (const path of BROWSER_PATHS) app.use(path, htmlErrors, sessionMiddleware);

  registerHealthRoutes(app);
  registerWellKnownRoutes(app);
  registerTokenRoute(app);
  registerTokenManagementRoutes(app);
  registerRegistrationRoutes(app);
  registerDocsRoutes(app);
  // Users, sign-in and pages.
  registerPageRoutes(app);
  registerAuthRoutes(app);
  registerAdminUserRoutes(app);
  // Authorization code flow and OpenID Connect.
  registerAuthorizeRoutes(app);
  registerUserInfoRoutes(app);
  registerLogoutRoutes(app);

  for (const path of POST_ONLY) {
    app.on(['GET', 'PUT', 'PATCH', 'DELETE'], path, () => {
      throw new MethodNotAllowedError('POST');
    });
  }

  app.notFound(notFound);
  app.onError(onError);
  return app;
}
