/**
 * Merges the scopes and APIs defined through the admin API into the request's configuration, from the
 * per-isolate copy (src/oauth/scopes/stored-registry.ts): only an isolate's first request awaits storage.
 *
 * Mounted on every path, so a route added later judges scopes on a loaded registry without anyone having
 * to remember it; only the paths below, which never read a scope or an API (the probes, the metrics
 * scrape, the event endpoints, the OpenAPI document and Swagger UI page, the JWKS), skip it and so never
 * wait for the isolate's first load. Static assets (public/) are served before the Worker runs.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context';
import { executionContextOf } from '../wiring/request-storage';
import { storedRegistry } from '../wiring/services';

/** Paths that never judge scopes: they run on the configured registry alone and never await storage. */
export const REGISTRY_FREE_PATHS: ReadonlySet<string> = new Set([
  '/health',
  '/ready',
  '/metrics',
  '/events/ingest',
  '/events/health',
  '/api-docs/openapi.json',
  '/swagger-ui',
  '/.well-known/jwks.json',
]);

export const storedScopes: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (REGISTRY_FREE_PATHS.has(c.req.path)) return next();
  const config = c.get('config');
  const scope = executionContextOf(c);
  const background = (work: Promise<unknown>) => {
    // Under `app.request` (tests) there is no ExecutionContext: the reload just runs (it never throws).
    if (scope) scope.waitUntil(work);
    else void work;
  };
  c.set('config', await storedRegistry(c.env, config).configFor(config, background));
  await next();
};
