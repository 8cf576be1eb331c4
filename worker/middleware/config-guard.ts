/**
 * Every request answers 503 server_misconfigured while the configuration is invalid or insecure (thrown:
 * the error handler renders it; a browser route's error page does not name the settings, the JSON does).
 */
import type { MiddlewareHandler } from 'hono';
import { loadConfig } from '../../src/config';
import { ServerMisconfiguredError } from '../../src/oauth/errors';
import type { AppEnv } from '../context';

export const configGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  const result = loadConfig(c.env);
  if (!result.ok) {
    throw new ServerMisconfiguredError(`server misconfigured: ${result.problems.join('; ')}`);
  }
  c.set('config', result.config);
  await next();
};
