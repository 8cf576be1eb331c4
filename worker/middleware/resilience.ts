/**
 * Back-pressure and bulkheads (outside the rate limit, after CORS): a request over the isolate's
 * concurrency limit (OAUTH2_RESILIENCE_MAX_CONCURRENT) or over its route group's bulkhead
 * (OAUTH2_RESILIENCE_BULKHEAD_*_MAX) answers 503 `service_unavailable` with `Retry-After: 1` at once
 * (thrown: the error handler renders it, as JSON or a browser route's error page). Both are counted per
 * isolate. /health, /ready and /metrics are exempt. The circuit breakers are not here: they guard storage
 * and outbound calls where those happen (worker/wiring/resilience.ts), so a route that needs neither keeps
 * working while the database is down.
 */
import type { MiddlewareHandler } from 'hono';
import { ServiceUnavailableError } from '../../src/oauth/errors';
import { recordBackPressureRejected, recordBulkheadRejected } from '../../src/observability';
import { bulkheadOf } from '../../src/resilience';
import type { AppEnv } from '../context';
import { concurrencyLimits } from '../wiring/resilience';

export const RESILIENCE_EXEMPT = new Set(['/health', '/ready', '/metrics']);

export const resilience: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = c.get('config').resilience;
  if (!config.enabled || RESILIENCE_EXEMPT.has(c.req.path)) return next();
  const limits = concurrencyLimits(c.env, c.get('config'));

  const releaseGlobal = config.backPressureEnabled ? limits.global.tryEnter() : () => {};
  if (releaseGlobal === null) {
    recordBackPressureRejected();
    throw new ServiceUnavailableError('the server is at capacity; retry shortly', 1);
  }
  try {
    const group = bulkheadOf(c.req.path);
    const releaseGroup = group === null ? () => {} : limits.bulkheads[group].tryEnter();
    if (releaseGroup === null) {
      recordBulkheadRejected(group ?? 'none');
      throw new ServiceUnavailableError(`too many ${group} requests in progress; retry shortly`, 1);
    }
    try {
      await next();
    } finally {
      releaseGroup();
    }
  } finally {
    releaseGlobal();
  }
};
