/**
 * Rate limits at the edge of the app (after resilience, before the session): the global rule per client
 * IP on every request except the probes and /metrics, and the registration rule per client IP on
 * POST /connect/register. The client IP is CF-Connecting-IP (IPv6 by its /64, as for the sign-in
 * throttle). A limited request answers 429 `too_many_requests` with Retry-After and the RateLimit-*
 * headers; an allowed one carries the global rule's RateLimit-* headers (none when the backend failed
 * and the request was let through unchecked).
 */
import type { MiddlewareHandler } from 'hono';
import { TooManyRequestsError } from '../../src/oauth/errors';
import { recordRateLimitRejected, recordRateLimitRemaining } from '../../src/observability';
import { type RateLimitDecision, rateLimitHeaders } from '../../src/rate-limit';
import { ipBucket } from '../../src/sign-in/login-throttle';
import type { AppEnv } from '../context';
import { clientIp } from '../http/client-ip';
import { rateLimiter } from '../wiring/rate-limit';
import { executionContextOf } from '../wiring/request-storage';

/** Never limited: liveness, readiness and the metrics scrape. */
export const RATE_LIMIT_EXEMPT = new Set(['/health', '/ready', '/metrics']);

const REGISTRATION_PATH = '/connect/register';

/**
 * The 429 of a rule (counted in the metrics), with Retry-After and the RateLimit-* headers; thrown, the
 * error handler renders it (JSON, or a browser route's error page).
 */
export function tooManyRequests(
  rule: string,
  decision: RateLimitDecision,
  description: string,
): TooManyRequestsError {
  recordRateLimitRejected(rule);
  return new TooManyRequestsError(description, rateLimitHeaders(decision, Date.now()));
}

export const rateLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = c.get('config');
  if (!config.rateLimit.enabled || RATE_LIMIT_EXEMPT.has(c.req.path)) return next();
  const limiter = rateLimiter(c.env, config);
  const scope = executionContextOf(c);
  const ipKey = `ip:${ipBucket(clientIp(c.req.raw))}`;

  const decision = await limiter.hit(config.rateLimit.global, ipKey, scope);
  if (!decision.failedOpen) recordRateLimitRemaining('global', decision.allowed ? decision.remaining : 0);
  if (!decision.allowed) {
    throw tooManyRequests('global', decision, 'too many requests from this address; retry later');
  }
  if (c.req.method === 'POST' && c.req.path === REGISTRATION_PATH) {
    const registration = await limiter.hit(config.rateLimit.registration, ipKey, scope);
    if (!registration.failedOpen) {
      recordRateLimitRemaining('registration', registration.allowed ? registration.remaining : 0);
    }
    if (!registration.allowed) {
      throw tooManyRequests(
        'registration',
        registration,
        'too many client registrations from this address; retry later',
      );
    }
  }

  await next();
  if (decision.failedOpen) return;
  const headers = c.res.headers;
  for (const [name, value] of Object.entries(rateLimitHeaders(decision, Date.now()))) {
    if (!headers.has(name)) headers.set(name, value);
  }
};
