/**
 * Builds the OpenAPIHono app. Middleware order (outermost first): observability (trace context; on the
 * way out metrics, the JSON request log, events to the queue) -> request id + security headers
 * -> configuration guard -> CORS -> resilience (concurrency limit, bulkheads) -> IP denylist -> rate limit
 * (global and registration per IP; invalid_client penalty on the client-authenticating endpoints)
 * -> (browser routes only: session) -> (/admin and /admin/*: AdminGuard) -> routes. Middleware and routes
 * throw; one error handler (middleware/errors.ts `renderError`) renders every error: the HTML error page
 * on the browser routes, JSON everywhere else.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { MethodNotAllowedError } from '../src/oauth/errors';
import type { AppEnv } from './context';
import { adminGuard } from './middleware/admin-guard';
import { invalidClientPenalty } from './middleware/client-penalty';
import { configGuard } from './middleware/config-guard';
import { cors } from './middleware/cors';
import { ipDenylist } from './middleware/denylist';
import { BROWSER_PATHS, notFound, onError } from './middleware/errors';
import { observability } from './middleware/observability';
import { rateLimit } from './middleware/rate-limit';
import { requestContext } from './middleware/request-context';
import { resilience } from './middleware/resilience';
import { sessionMiddleware } from './middleware/session';
import { storedScopes } from './middleware/stored-registry';
import { registerAdminApiRoutes } from './routes/admin';
import { registerAdminPageRoutes } from './routes/admin-pages';
import { registerAuthRoutes } from './routes/auth';
import { registerAuthorizeRoutes } from './routes/authorize';
import { registerDeviceRoutes } from './routes/device';
import { registerDocsRoutes } from './routes/docs';
import { registerEventRoutes } from './routes/events';
import { registerHealthRoutes } from './routes/health';
import { registerLogoutRoutes } from './routes/logout';
import { registerMcpRoutes } from './routes/mcp';
import { registerMetricsRoute } from './routes/metrics';
import { registerMfaSignInRoutes } from './routes/mfa-sign-in';
import { registerPageRoutes } from './routes/pages';
import { registerParRoute } from './routes/par';
import { registerPasskeyRoutes } from './routes/passkeys';
import { registerProfileSecurityRoutes } from './routes/profile-security';
import { registerProtectedResourceRoutes, resourceChallenge } from './routes/protected-resource';
import { registerRegistrationRoutes } from './routes/register';
import { registerTokenRoute } from './routes/token';
import { registerTokenManagementRoutes } from './routes/token-management';
import { registerUpstreamRoutes } from './routes/upstream';
import { registerUserInfoRoutes } from './routes/userinfo';
import { validationHook } from './routes/validation-hook';
import { registerWellKnownRoutes } from './routes/well-known';

/** Browser routes (defined with the error renderer, which answers them with HTML error pages). */
export { BROWSER_PATHS };

/** Paths that only accept POST: any other method is 405 with Allow. */
const POST_ONLY = [
  '/oauth/token',
  '/oauth/introspect',
  '/oauth/revoke',
  '/oauth/device_authorization',
  '/oauth/par',
];

export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use('*', observability);
  app.use('*', requestContext);
  app.use('*', configGuard);
  // CORS, fail-closed (OAUTH2_ALLOWED_ORIGINS): headers on the API endpoints, preflights answered here.
  app.use('*', cors);
  // Back-pressure and route-group bulkheads (per isolate): 503 before any work.
  app.use('*', resilience);
  // Denied client addresses: 403 before anything reads the request (probes excepted).
  app.use('*', ipDenylist);
  // Rate limits per client IP (global, registration): 429 with Retry-After and RateLimit-* headers.
  app.use('*', rateLimit);
  // Scopes and APIs defined through the admin API join the configured ones (a per-isolate copy); the
  // probes, /metrics, the docs and the JWKS, which never judge scopes, skip it (REGISTRY_FREE_PATHS).
  app.use('*', storedScopes);
  // invalid_client penalty per client_id on the endpoints that authenticate clients.
  for (const path of POST_ONLY) app.use(path, invalidClientPenalty);
  // Browser routes load the session (see BROWSER_PATHS); their errors are HTML pages (onError).
  for (const path of BROWSER_PATHS) app.use(path, sessionMiddleware);
  // RFC 9728 §5.1: 401/403 challenges of the server's own APIs name their protected resource metadata.
  for (const path of ['/oauth/userinfo', '/admin/api/*']) app.use(path, resourceChallenge());
  // The admin pages and API: Bearer token with scope admin, or an administrator's session (+ CSRF).
  app.use('/admin/*', adminGuard);

  registerHealthRoutes(app);
  registerMetricsRoute(app);
  registerEventRoutes(app);
  registerWellKnownRoutes(app);
  // RFC 9728 protected resource metadata, and the MCP endpoint (Streamable HTTP) it describes.
  registerProtectedResourceRoutes(app);
  registerMcpRoutes(app);
  registerTokenRoute(app);
  // RFC 8628 device flow (the endpoint and the verification pages) and RFC 9126 PAR.
  registerDeviceRoutes(app);
  registerParRoute(app);
  registerTokenManagementRoutes(app);
  registerRegistrationRoutes(app);
  registerDocsRoutes(app);
  // Users, sign-in and pages.
  registerPageRoutes(app);
  registerAuthRoutes(app);
  registerMfaSignInRoutes(app);
  registerProfileSecurityRoutes(app);
  registerPasskeyRoutes(app);
  registerUpstreamRoutes(app);
  // The admin JSON API.
  registerAdminApiRoutes(app);
  // The admin pages (HTML forms over the same operations).
  registerAdminPageRoutes(app);
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
