/**
 * Back-pressure and bulkheads (outside the rate limit, after CORS): a request over the isolate's
 * concurrency limit (OAUTH2_RESILIENCE_MAX_CONCURRENT) or over its route group's bulkhead
 * (OAUTH2_RESILIENCE_BULKHEAD_*_MAX) answers 503 `service_unavailable` with `Retry-After: 1` at once.
 * Both are counted per isolate. /health, /ready and /metrics are exempt. The circuit breakers are not
 * here: they guard storage and outbound calls where those happen (worker/resilience.ts), so a route that
 * needs neither keeps working while the database is down.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { ServiceUnavailableError } from '../../src/oauth/errors';
import { recordBackPressureRejected, recordBulkheadRejected } from '../../src/observability';
import { bulkheadOf } from '../../src/resilience';
import type { AppEnv } from '../context';
import { renderErrorPage } from '../pages';
import { concurrencyLimits } from '../resilience';
import { isAdminApiPath } from './admin-guard';
import { errorResponse } from './errors';

export const RESILIENCE_EXEMPT = new Set(['/health', '/ready', '/metrics']);

function unavailable(c: Context<AppEnv>, description: string): Response | Promise<Response> {
  if ((c.req.header('accept') ?? '').includes('text/html') && !isAdminApiPath(c.req.path)) {
    c.header('Retry-After', '1');
    c.header('Cache-Control', 'no-store');
    return renderErrorPage(c, {
      status: 503,
      title: 'Temporarily unavailable',
      description: 'The service is busy. Try again in a moment.',
    });
  }
  return errorResponse(new ServiceUnavailableError(description, 1));
}

export const resilience: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = c.get('config').resilience;
  if (!config.enabled || RESILIENCE_EXEMPT.has(c.req.path)) return next();
  const limits = concurrencyLimits(c.env, c.get('config'));

  const releaseGlobal = config.backPressureEnabled ? limits.global.tryEnter() : () => {};
  if (releaseGlobal === null) {
    recordBackPressureRejected();
    return unavailable(c, 'the server is at capacity; retry shortly');
  }
  try {
    const group = bulkheadOf(c.req.path);
    const releaseGroup = group === null ? () => {} : limits.bulkheads[group].tryEnter();
    if (releaseGroup === null) {
      recordBulkheadRejected(group ?? 'none');
      return unavailable(c, `too many ${group} requests in progress; retry shortly`);
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
