/**
 * The Upstash rate-limit backend inside workerd, against a real Redis behind the local
 * Upstash-compatible REST server (test/upstash/): `@upstash/ratelimit` fixed windows over
 * `@upstash/redis/cloudflare`, the Lua scripts with Upstash's `allow-key-locking` flag, EVALSHA.
 */

import { env } from 'cloudflare:test';
import { Redis } from '@upstash/redis/cloudflare';
import { describe, expect, it } from 'vitest';
import { type RateLimitRule, UpstashBackend } from '../../src/rate-limit';
import { createApp } from '../../worker/app';
import { ADMIN_ID, ADMIN_SECRET, basic, expectOAuthError, ORIGIN } from '../workers/helpers';

const url = env.OAUTH2_RATE_LIMIT_UPSTASH_URL ?? '';
const token = env.OAUTH2_RATE_LIMIT_UPSTASH_TOKEN ?? '';

let counter = 0;
const fresh = (prefix = 'k') => `${prefix}-${++counter}-${crypto.randomUUID().slice(0, 8)}`;
const rule = (limit: number, windowSecs = 3600): RateLimitRule => ({ name: 'test', limit, windowSecs });

/** One isolate's backend: its own Redis client and Ratelimit instances. */
function isolate(redisToken = token): UpstashBackend {
  const redis = new Redis({
    url,
    token: redisToken,
    retry: false,
    enableTelemetry: false,
    enableAutoPipelining: false,
  });
  return new UpstashBackend(redis, 2000);
}

describe('Rate limiting: Upstash backend (real Redis through an Upstash-compatible REST server)', () => {
  it('admits `limit` hits per window, counting down, then refuses; reset is the end of the window', async () => {
    const backend = isolate();
    const key = fresh();
    const decisions = [];
    for (let i = 0; i < 5; i += 1) decisions.push(await backend.hit(rule(3), key, Date.now()));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0]);
    const resetAtMs = decisions[0]?.resetAtMs ?? 0;
    expect(resetAtMs % 3_600_000).toBe(0);
    expect(resetAtMs).toBeGreaterThan(Date.now());
    expect(resetAtMs - Date.now()).toBeLessThanOrEqual(3_600_000);
  });

  it('is exact across isolates: concurrent hits from two clients admit exactly the limit', async () => {
    const [a, b] = [isolate(), isolate()];
    const key = fresh();
    const all = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).hit(rule(15), key, Date.now())),
    );
    expect(all.filter((d) => d.allowed)).toHaveLength(15);
  });

  it('starts counting again in the next window', async () => {
    const backend = isolate();
    const key = fresh();
    // Start right after a 1 s window boundary, so both hits fall in one window.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
    expect((await backend.hit(rule(1, 1), key, Date.now())).allowed).toBe(true);
    expect((await backend.hit(rule(1, 1), key, Date.now())).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
    expect((await backend.hit(rule(1, 1), key, Date.now())).allowed).toBe(true);
  });

  it('throws on a refused token, so the limiter fails open', async () => {
    await expect(isolate('wrong-token').hit(rule(1), fresh(), Date.now())).rejects.toThrow();
  });
});

describe('Rate limiting over HTTP on the Upstash backend', () => {
  const app = createApp();
  const e = {
    ...env,
    OAUTH2_RATE_LIMIT_BACKEND: 'upstash',
    OAUTH2_RATE_LIMIT_MAX_REQUESTS: '3',
    OAUTH2_RATE_LIMIT_INVALID_CLIENT_MAX_REQUESTS: '2',
    OAUTH2_RATE_LIMIT_WINDOW_SECS: '3600',
  } as Env;
  const call = (path: string, ip: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('CF-Connecting-IP', ip);
    return app.request(`${ORIGIN}${path}`, { ...init, headers }, e);
  };

  it('answers 429 with Retry-After and RateLimit-* headers after the limit; another address is served', async () => {
    const [noisy, quiet] = ['203.0.113.201', '203.0.113.202'];
    const remaining = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await call('/.well-known/jwks.json', noisy);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('3');
      remaining.push(res.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const limited = await call('/.well-known/jwks.json', noisy);
    await expectOAuthError(limited, 429, 'too_many_requests');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect((await call('/.well-known/jwks.json', quiet)).status).toBe(200);
  });

  it('applies the invalid_client penalty per client_id and address', async () => {
    const clientId = `upstash-${crypto.randomUUID()}`;
    const request = (ip: string) =>
      call('/oauth/token', ip, {
        method: 'POST',
        headers: {
          Authorization: basic(clientId, 'wrong'),
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
    await expectOAuthError(await request('203.0.113.211'), 401, 'invalid_client');
    await expectOAuthError(await request('203.0.113.211'), 401, 'invalid_client');
    await expectOAuthError(await request('203.0.113.211'), 429, 'too_many_requests');
    await expectOAuthError(await request('203.0.113.212'), 401, 'invalid_client');
    const admin = await call('/oauth/token', '203.0.113.214', {
      method: 'POST',
      headers: {
        Authorization: basic(ADMIN_ID, ADMIN_SECRET),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(admin.status).toBe(200);
  });
});
