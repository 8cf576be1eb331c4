/**
 * The rate limiter of this isolate, over the backend OAUTH2_RATE_LIMIT_BACKEND names: the sharded
 * RateLimiter Durable Object (default), Workers KV (`RATE_LIMIT_KV`) or Upstash Redis. One limiter per
 * env object, i.e. per isolate, so its leases, KV counts and Ratelimit instances live at module scope.
 */

import { Redis } from '@upstash/redis/cloudflare';
import { systemClock } from '../../src/clock';
import type { Config } from '../../src/config';
import { isolateMetrics } from '../../src/observability';
import {
  KvBackend,
  LeaseBackend,
  type RateLimitBackend,
  RateLimiter,
  type RateLimitRule,
  UpstashBackend,
} from '../../src/rate-limit';
import { breakerFor } from './resilience';

const limiters = new WeakMap<Env, RateLimiter>();

/** FNV-1a, 32 bits: spreads keys over the RateLimiter shards. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A rate-limit backend failed (or its breaker is open): count it and say so in the log. */
export function reportBackendError(backend: string, rule: string, error: unknown): void {
  isolateMetrics.inc('errors_total', { kind: 'rate_limit_backend' });
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.error(
    JSON.stringify({
      level: 'error',
      msg: 'rate limit backend failed; request let through',
      backend,
      rule,
      error: detail.slice(0, 200),
    }),
  );
}

function createBackend(env: Env, config: Config): RateLimitBackend {
  const settings = config.rateLimit;
  switch (settings.backend) {
    case 'kv': {
      const kv = env.RATE_LIMIT_KV;
      if (kv === undefined) throw new Error('RATE_LIMIT_KV is not bound');
      return new KvBackend(kv, crypto.randomUUID(), (error) => reportBackendError('kv', 'write', error));
    }
    case 'upstash': {
      const redis = new Redis({
        url: settings.upstashUrl,
        token: settings.upstashToken,
        // No retries: a slow limiter must fail open quickly, not hold the request.
        retry: false,
        signal: () => AbortSignal.timeout(settings.timeoutMs),
        enableTelemetry: false,
        enableAutoPipelining: false,
      });
      return new UpstashBackend(redis, settings.timeoutMs);
    }
    case 'durable_object': {
      const shards = settings.durableObjectShards;
      return new LeaseBackend((key, want, nowMs, limit, windowSecs) => {
        const name = `rate-limiter:${hash32(key) % shards}`;
        return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(name)).take(
          key,
          want,
          nowMs,
          limit,
          windowSecs,
        );
      }, settings.durableObjectMaxLease);
    }
  }
}

/** This isolate's rate limiter. */
export function rateLimiter(env: Env, config: Config): RateLimiter {
  let limiter = limiters.get(env);
  if (limiter === undefined) {
    const backend = createBackend(env, config);
    limiter = new RateLimiter(backend, {
      now: systemClock.nowMs,
      timeoutMs: config.rateLimit.timeoutMs,
      breaker: breakerFor(env, config, 'rate_limit'),
      onBackendError: (rule: RateLimitRule, error) => reportBackendError(backend.name, rule.name, error),
    });
    limiters.set(env, limiter);
  }
  return limiter;
}
