/**
 * The Upstash backend: `@upstash/ratelimit` fixed windows over Upstash Redis (REST), one Ratelimit per
 * rule, kept per isolate. Counting is atomic in Redis (a Lua script), so it is exact across isolates;
 * every hit costs one HTTPS round trip to Upstash (no lease). Keys: `oauth2:rl:<rule>:<key>:<window>`.
 * A timeout (OAUTH2_RATE_LIMIT_TIMEOUT_MS) or a Redis error is a backend failure (the limiter fails open).
 */
import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis/cloudflare';
import type { Background, RateLimitBackend, RateLimitDecision, RateLimitRule } from './types';

/** The backend did not answer in time or answered with an error. */
export class RateLimitBackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RateLimitBackendError';
  }
}

export class UpstashBackend implements RateLimitBackend {
  readonly name = 'upstash' as const;
  #limiters = new Map<string, Ratelimit>();

  constructor(
    private readonly redis: Redis,
    private readonly timeoutMs: number,
  ) {}

  async hit(
    rule: RateLimitRule,
    key: string,
    _nowMs: number,
    background?: Background,
  ): Promise<RateLimitDecision> {
    const result = await this.#limiter(rule).limit(key);
    background?.waitUntil(result.pending);
    if (result.reason === 'timeout') throw new RateLimitBackendError('upstash did not answer in time');
    return {
      allowed: result.success,
      limit: result.limit,
      remaining: Math.max(0, result.remaining),
      resetAtMs: result.reset,
    };
  }

  #limiter(rule: RateLimitRule): Ratelimit {
    const id = `${rule.name}:${rule.limit}:${rule.windowSecs}`;
    let limiter = this.#limiters.get(id);
    if (limiter === undefined) {
      limiter = new Ratelimit({
        redis: this.redis,
        limiter: Ratelimit.fixedWindow(rule.limit, `${rule.windowSecs} s`),
        prefix: `oauth2:rl:${rule.name}`,
        // The limiter's own per-isolate block list: off, src/rate-limit/limiter.ts keeps one for every backend.
        ephemeralCache: false,
        analytics: false,
        timeout: this.timeoutMs,
      });
      this.#limiters.set(id, limiter);
    }
    return limiter;
  }
}
