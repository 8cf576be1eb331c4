/** Every request answers 503 server_misconfigured while the configuration is invalid or insecure. */
import type { MiddlewareHandler } from 'hono';
import { loadConfig } from '../../src/config';
import { ServerMisconfiguredError } from '../../src/oauth/errors';
import type { AppEnv } from '../context';
import { errorResponse } from './errors';

export const configGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  const result = loadConfig(c.env);
  if (!result.ok) {
    return errorResponse(new ServerMisconfiguredError(`server misconfigured: ${result.problems.join('; ')}`));
  }
  c.set('config', result.config);
  await next();
};
