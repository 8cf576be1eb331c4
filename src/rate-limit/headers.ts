/**
 * Rate-limit response headers, in the form of draft-ietf-httpapi-ratelimit-headers-06 (three fields):
 * `RateLimit-Limit` (hits per window), `RateLimit-Remaining`, `RateLimit-Reset` (seconds until the window
 * ends), plus `Retry-After` (seconds) on a 429.
 */
import type { RateLimitDecision } from './types';

export function rateLimitHeaders(decision: RateLimitDecision, nowMs: number): Record<string, string> {
  const reset = String(Math.max(0, Math.ceil((decision.resetAtMs - nowMs) / 1000)));
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(Math.max(0, decision.remaining)),
    'RateLimit-Reset': reset,
  };
  if (!decision.allowed) headers['Retry-After'] = reset === '0' ? '1' : reset;
  return headers;
}
