/**
 * Merges the scopes and APIs defined through the admin API into the request's configuration, from the
 * per-isolate copy (src/oauth/stored-registry.ts): only an isolate's first request awaits storage.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context';
import { executionContextOf } from '../request-storage';
import { storedRegistry } from '../services';

export const storedScopes: MiddlewareHandler<AppEnv> = async (c, next) => {
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
