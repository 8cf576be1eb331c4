/**
 * Denied client addresses (denylist kind `ip`: an address or a CIDR block) get 403 access_denied (thrown:
 * the error handler renders it) on every route except the liveness and readiness probes, before anything
 * else reads the request. The address is CF-Connecting-IP, set by Cloudflare's edge; a request without
 * it (local development) is not checked. The lookup uses the per-isolate denylist copy: no storage read
 * per request.
 */
import type { MiddlewareHandler } from 'hono';
import { systemClock } from '../../src/clock';
import { AccessDeniedError } from '../../src/oauth/errors';
import type { AppEnv } from '../context';
import { denylistCache } from '../wiring/services';

const PROBES = new Set(['/health', '/ready']);
const DENIED = 'Access from this address is not allowed.';

export const ipDenylist: MiddlewareHandler<AppEnv> = async (c, next) => {
  const address = c.req.header('cf-connecting-ip')?.trim();
  if (address === undefined || address === '' || PROBES.has(c.req.path)) return next();
  const config = c.get('config');
  const snapshot = await denylistCache(c.env, config).get();
  if (snapshot.matchIp(address, systemClock.nowSecs()) === null) return next();
  throw new AccessDeniedError(DENIED);
};
