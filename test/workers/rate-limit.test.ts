/**
 * Rate limiting: the fixed-window semantics of the Durable Object and KV backends (inside workerd, with
 * an injected clock), the limiter's local block list and fail-open, and the HTTP behaviour: 429 with
 * Retry-After and RateLimit-* headers, headers on allowed requests, exemptions, the registration rule,
 * the invalid_client penalty, and a burst from one address while another is served.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isolateMetrics } from '../../src/observability';
import {
  grantLease,
  KvBackend,
  type KvStore,
  LeaseBackend,
  type LeaseSource,
  type RateLimitBackend,
  RateLimiter,
  type RateLimitRule,
} from '../../src/rate-limit';
import { CircuitBreaker } from '../../src/resilience';
import { createApp } from '../../worker/app';
import { ADMIN_ID, ADMIN_SECRET, basic, expectOAuthError, ORIGIN } from './helpers';

const WINDOW_MS = 60_000;
/** A fixed instant at the start of a window, so tests never straddle a window boundary by accident. */
const T0 = 1_900_000_000_000 - (1_900_000_000_000 % WINDOW_MS);

let counter = 0;
/** A fresh key / address per test (RFC 5737 TEST-NET-3), so counts never spill across tests. */
const fresh = (prefix = 'k') => `${prefix}-${++counter}-${crypto.randomUUID().slice(0, 8)}`;
const freshIp = () => `203.0.113.${(++counter % 250) + 1}`;

const rule = (limit: number, windowSecs = 60): RateLimitRule => ({ name: 'test', limit, windowSecs });

/** The RPC of the real RateLimiter object (one shard), counting calls. */
function durableObjectSource(): LeaseSource & { calls: number } {
  const source = Object.assign(
    (key: string, want: number, nowMs: number, limit: number, windowSecs: number) => {
      source.calls += 1;
      return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName('rate-limiter:test')).take(
        key,
        want,
        nowMs,
        limit,
        windowSecs,
      );
    },
    { calls: 0 },
  );
  return source;
}

async function hits(backend: RateLimitBackend, r: RateLimitRule, key: string, n: number, nowMs = T0) {
  const out = [];
  for (let i = 0; i < n; i += 1) out.push(await backend.hit(r, key, nowMs));
  return out;
}

describe('Rate limiting: grantLease (the RateLimiter object arithmetic)', () => {
  it('grants at most half of what is left (at least 1), and nothing once the window is used up', () => {
    let counter = null as Parameters<typeof grantLease>[0];
    const grants: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const next = grantLease(counter, 64, T0, 20, 60);
      grants.push(next.grant.granted);
      counter = next.counter;
    }
    expect(grants).toEqual([10, 5, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(grants.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('starts a new window afresh, and counts a caller with a late clock in the newest window', () => {
    const used = { window: T0 / WINDOW_MS, count: 5 };
    expect(grantLease(used, 1, T0 + 1000, 5, 60).grant.granted).toBe(0);
    const next = grantLease(used, 1, T0 + WINDOW_MS, 5, 60);
    expect(next.grant).toEqual({ granted: 1, remaining: 4, resetAtMs: T0 + 2 * WINDOW_MS });
    expect(grantLease(next.counter, 1, T0 + 1000, 5, 60).grant.resetAtMs).toBe(T0 + 2 * WINDOW_MS);
  });
});

describe('Rate limiting: Durable Object backend (exact, fixed window)', () => {
  it('admits `limit` hits per window, counting down RateLimit-Remaining, then refuses until the window ends', async () => {
    const backend = new LeaseBackend(durableObjectSource(), 64);
    const key = fresh();
    const decisions = await hits(backend, rule(5), key, 7, T0 + 1500);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
    for (const d of decisions) expect(d.resetAtMs).toBe(T0 + WINDOW_MS);
    const next = await backend.hit(rule(5), key, T0 + WINDOW_MS);
    expect(next).toMatchObject({ allowed: true, remaining: 4, resetAtMs: T0 + 2 * WINDOW_MS });
  });

  it('is exact across isolates: concurrent hits from two isolates admit exactly the limit', async () => {
    const source = durableObjectSource();
    const isolates = [new LeaseBackend(source, 64), new LeaseBackend(source, 64)];
    const key = fresh();
    const all = await Promise.all(
      Array.from(
        { length: 80 },
        (_, i) => isolates[i % 2]?.hit(rule(30), key, T0) as Promise<{ allowed: boolean }>,
      ),
    );
    expect(all.filter((d) => d.allowed)).toHaveLength(30);
  });

  it('with leases, a busy key costs a fraction of an RPC per hit (1, 2, 4, ... up to the maximum lease)', async () => {
    const source = durableObjectSource();
    const backend = new LeaseBackend(source, 64);
    const decisions = await hits(backend, rule(1_000_000), fresh(), 1000);
    expect(decisions.every((d) => d.allowed)).toBe(true);
    // 1+2+4+8+16+32 = 63 hits in 6 calls, then 64 per call: 6 + ceil(937 / 64) = 21.
    expect(source.calls).toBe(21);
  });

  it('renews a busy lease in the background (waitUntil): once warm, hits never wait for the object', async () => {
    const source = durableObjectSource();
    const backend = new LeaseBackend(source, 64);
    const pending: Promise<unknown>[] = [];
    const background = { waitUntil: (promise: Promise<unknown>) => pending.push(promise) };
    const key = fresh();
    let lastWait = -1;
    for (let i = 0; i < 1000; i += 1) {
      const answer = backend.hit(rule(1_000_000), key, T0, background);
      if (answer instanceof Promise) {
        lastWait = i;
        await answer;
      }
      if (i % 10 === 9) await Promise.all(pending.splice(0));
    }
    // Only hits of the first, small leases wait; from then on the background renewals keep the lease full.
    expect(lastWait).toBeLessThan(64);
    expect(source.calls).toBeLessThanOrEqual(25);
  });

  it('stays exact with background renewals: two isolates admit exactly the limit', async () => {
    const source = durableObjectSource();
    const pending: Promise<unknown>[] = [];
    const background = { waitUntil: (promise: Promise<unknown>) => pending.push(promise) };
    const isolates = [new LeaseBackend(source, 64), new LeaseBackend(source, 64)];
    const key = fresh();
    let admitted = 0;
    for (let i = 0; i < 400; i += 1) {
      const decision = await isolates[i % 2]?.hit(rule(150), key, T0, background);
      if (decision?.allowed) admitted += 1;
      if (i % 7 === 0) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    expect(admitted).toBe(150);
  });

  it('with a maximum lease of 1 every hit is one RPC', async () => {
    const source = durableObjectSource();
    await hits(new LeaseBackend(source, 1), rule(100), fresh(), 10);
    expect(source.calls).toBe(10);
  });
});

/** The KV binding, counting writes. */
function countingKv(): KvStore & { puts: { key: string; ttl: number; count: number }[] } {
  const kv = env.RATE_LIMIT_KV as KVNamespace;
  const puts: { key: string; ttl: number; count: number }[] = [];
  return {
    puts,
    list: (options) => kv.list(options),
    async put(key, value, options) {
      puts.push({ key, ttl: options.expirationTtl, count: (options.metadata as { c: number }).c });
      await kv.put(key, value, options);
    },
  };
}

describe('Rate limiting: KV backend (approximate)', () => {
  it('counts exactly within one isolate: `limit` hits per window, then 429 until the window ends', async () => {
    const kv = countingKv();
    const backend = new KvBackend(kv, 'isolate-a', () => {});
    const key = fresh();
    const decisions = await hits(backend, rule(4), key, 6);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([3, 2, 1, 0, 0, 0]);
    expect((await backend.hit(rule(4), key, T0 + WINDOW_MS)).allowed).toBe(true);
    await backend.idle();
  });

  it('writes each key at most once a second, with a TTL of at least 60 s, and its latest count', async () => {
    const kv = countingKv();
    let now = T0;
    const backend = new KvBackend(
      kv,
      'isolate-a',
      () => {},
      () => now,
    );
    const key = fresh();
    await hits(backend, rule(100, 10), key, 5, now);
    now += 1000;
    await backend.idle();
    expect(kv.puts.map((p) => p.count)).toEqual([1, 5]);
    for (const put of kv.puts) {
      expect(put.ttl).toBeGreaterThanOrEqual(60);
      expect(put.key).toMatch(/:isolate-a$/);
    }
  });

  it("sees another isolate's hits once it has written them and this isolate has read them", async () => {
    const kv = countingKv();
    const a = new KvBackend(kv, 'isolate-a', () => {});
    const b = new KvBackend(kv, 'isolate-b', () => {});
    const key = fresh();
    await hits(a, rule(5), key, 3);
    await a.idle();
    // b's first hit starts its read in the background (KV is never awaited on the request path).
    expect((await b.hit(rule(5), key, T0)).allowed).toBe(true);
    await b.idle();
    const after = await hits(b, rule(5), key, 2);
    expect(after.map((d) => d.allowed)).toEqual([true, false]);
  });

  it('a failing KV leaves the isolate with its own count and reports the failure', async () => {
    const errors: unknown[] = [];
    const broken: KvStore = {
      list: () => Promise.reject(new Error('kv down')),
      put: () => Promise.reject(new Error('kv down')),
    };
    const backend = new KvBackend(broken, 'isolate-a', (error) => errors.push(error));
    const decisions = await hits(backend, rule(2), fresh(), 3);
    await backend.idle();
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('Rate limiting: the limiter (block list, fail open)', () => {
  const failing = (error: Error): RateLimitBackend & { calls: number } => {
    const backend = {
      name: 'durable_object' as const,
      calls: 0,
      hit: () => {
        backend.calls += 1;
        return Promise.reject(error);
      },
    };
    return backend;
  };

  it('lets a hit through when the backend throws, and reports it', async () => {
    const errors: unknown[] = [];
    const limiter = new RateLimiter(failing(new Error('backend down')), {
      now: () => T0,
      timeoutMs: 1000,
      onBackendError: (_rule, error) => errors.push(error),
    });
    const decision = await limiter.hit(rule(1), fresh());
    expect(decision).toMatchObject({ allowed: true, failedOpen: true });
    expect(errors).toHaveLength(1);
  });

  it('lets a hit through when the backend does not answer within the timeout', async () => {
    const hanging: RateLimitBackend = { name: 'upstash', hit: () => new Promise(() => {}) };
    const errors: unknown[] = [];
    const limiter = new RateLimiter(hanging, {
      now: Date.now,
      timeoutMs: 50,
      onBackendError: (_rule, error) => errors.push(error),
    });
    const started = Date.now();
    expect((await limiter.hit(rule(1), fresh())).failedOpen).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(String(errors[0])).toMatch(/did not answer within 50 ms/);
  });

  it('stops calling a failing backend once its breaker opens (still failing open)', async () => {
    const backend = failing(new Error('backend down'));
    const breaker = new CircuitBreaker('rate_limit', {
      failureThreshold: 3,
      successThreshold: 1,
      openMs: 30_000,
      halfOpenMaxProbes: 1,
      now: () => T0,
    });
    const limiter = new RateLimiter(backend, {
      now: () => T0,
      timeoutMs: 1000,
      breaker,
      onBackendError: () => {},
    });
    for (let i = 0; i < 10; i += 1) expect((await limiter.hit(rule(1), fresh())).allowed).toBe(true);
    expect(backend.calls).toBe(3);
  });

  it('answers a used-up key from its block list, without calling the backend, until the window ends', async () => {
    let now = T0;
    const source = durableObjectSource();
    const limiter = new RateLimiter(new LeaseBackend(source, 1), {
      now: () => now,
      timeoutMs: 1000,
      onBackendError: () => {},
    });
    const key = fresh();
    expect((await limiter.hit(rule(2), key)).remaining).toBe(1);
    expect((await limiter.hit(rule(2), key)).remaining).toBe(0);
    expect(limiter.known(rule(2), key)).toMatchObject({ allowed: false, resetAtMs: T0 + WINDOW_MS });
    for (let i = 0; i < 5; i += 1) expect((await limiter.hit(rule(2), key)).allowed).toBe(false);
    expect(source.calls).toBe(2);
    now = T0 + WINDOW_MS;
    expect(limiter.known(rule(2), key)).toBeNull();
    expect((await limiter.hit(rule(2), key)).allowed).toBe(true);
  });
});

// --- over HTTP -------------------------------------------------------------------------------------------

type Vars = Record<string, string>;

/** The HTTP tests' window: long, so that no test straddles a window boundary. */
const HTTP_WINDOW_SECS = 3600;

/** The app over the test env plus `vars` (a new env object: its own config and per-isolate state). */
function server(vars: Vars = {}) {
  const app = createApp();
  const configured = { ...env, OAUTH2_RATE_LIMIT_WINDOW_SECS: String(HTTP_WINDOW_SECS), ...vars } as Env;
  return (path: string, init: RequestInit & { ip?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.ip !== undefined) headers.set('CF-Connecting-IP', init.ip);
    return app.request(`${ORIGIN}${path}`, { ...init, headers }, configured);
  };
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

function tokenRequest(id: string, secret: string, ip: string) {
  const init = form({ grant_type: 'client_credentials' });
  return { ...init, ip, headers: { ...init.headers, Authorization: basic(id, secret) } };
}

async function expectTooManyRequests(res: Response, limit: number) {
  const body = await expectOAuthError(res, 429, 'too_many_requests');
  expect(body.error_description.length).toBeGreaterThan(0);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(HTTP_WINDOW_SECS);
  expect(res.headers.get('ratelimit-limit')).toBe(String(limit));
  expect(res.headers.get('ratelimit-remaining')).toBe('0');
  expect(res.headers.get('ratelimit-reset')).toBe(res.headers.get('retry-after'));
}

describe('Rate limiting over HTTP: the global rule per client IP', () => {
  afterEach(() => vi.restoreAllMocks());

  it('allowed requests carry RateLimit-Limit, -Remaining and -Reset; the next one is 429 with Retry-After', async () => {
    const call = server({ OAUTH2_RATE_LIMIT_MAX_REQUESTS: '3' });
    const ip = freshIp();
    const remaining = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await call('/.well-known/openid-configuration', { ip });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('3');
      const reset = Number(res.headers.get('ratelimit-reset'));
      expect(reset).toBeGreaterThanOrEqual(0);
      expect(reset).toBeLessThanOrEqual(HTTP_WINDOW_SECS);
      remaining.push(res.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const inc = vi.spyOn(isolateMetrics, 'inc');
    await expectTooManyRequests(await call('/.well-known/openid-configuration', { ip }), 3);
    expect(inc).toHaveBeenCalledWith('rate_limit_rejected_total', { rule: 'global' });
  });

  it('Done when: under a burst from one IP the server answers 429 while another IP is served', async () => {
    const call = server({ OAUTH2_RATE_LIMIT_MAX_REQUESTS: '10' });
    const [noisy, quiet] = [freshIp(), freshIp()];
    const burst = await Promise.all(
      Array.from({ length: 40 }, () => call('/oauth/token', tokenRequest(ADMIN_ID, ADMIN_SECRET, noisy))),
    );
    const statuses = burst.map((res) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    await expectTooManyRequests(burst.find((res) => res.status === 429) as Response, 10);
    const served = await call('/oauth/token', tokenRequest(ADMIN_ID, ADMIN_SECRET, quiet));
    expect(served.status).toBe(200);
    expect(served.headers.get('ratelimit-remaining')).toBe('9');
    expect(((await served.json()) as { access_token?: string }).access_token).toBeTruthy();
  });

  it('exempts /health, /ready and /metrics (no count, no headers), even for a limited address', async () => {
    const call = server({ OAUTH2_RATE_LIMIT_MAX_REQUESTS: '1' });
    const ip = freshIp();
    expect((await call('/oauth/userinfo', { ip })).status).toBe(401);
    expect((await call('/oauth/userinfo', { ip })).status).toBe(429);
    for (const path of ['/health', '/ready', '/metrics']) {
      const res = await call(path, { ip });
      expect(res.status, path).not.toBe(429);
      expect(res.headers.get('ratelimit-limit'), path).toBeNull();
    }
  });

  it('counts an IPv6 client by its /64 prefix', async () => {
    const call = server({ OAUTH2_RATE_LIMIT_MAX_REQUESTS: '2' });
    const prefix = `2001:db8:${(++counter).toString(16)}:1`;
    expect((await call('/health', { ip: `${prefix}::1` })).status).toBe(200);
    expect((await call('/.well-known/jwks.json', { ip: `${prefix}::1` })).status).toBe(200);
    expect((await call('/.well-known/jwks.json', { ip: `${prefix}:ffff::2` })).status).toBe(200);
    expect((await call('/.well-known/jwks.json', { ip: `${prefix}:abcd::3` })).status).toBe(429);
  });

  it('answers a browser with the HTML error page, still 429 with Retry-After', async () => {
    const call = server({ OAUTH2_RATE_LIMIT_MAX_REQUESTS: '1' });
    const ip = freshIp();
    await call('/auth/login', { ip, headers: { Accept: 'text/html' } });
    const res = await call('/auth/login', { ip, headers: { Accept: 'text/html' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await res.text()).toContain('Too many requests');
  });

  it('with OAUTH2_RATE_LIMIT_ENABLED=false nothing is limited and no headers are sent', async () => {
    const call = server({ OAUTH2_RATE_LIMIT_ENABLED: 'false', OAUTH2_RATE_LIMIT_MAX_REQUESTS: '1' });
    const ip = freshIp();
    for (let i = 0; i < 3; i += 1) {
      const res = await call('/.well-known/jwks.json', { ip });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
  });

  it('fails open when the backend fails: served without headers, the failure counted and logged', async () => {
    // A RateLimiter namespace whose objects cannot be reached: every limiter call fails.
    const unreachable = {
      idFromName: (name: string) => name,
      get: () => ({ take: () => Promise.reject(new Error('rate limiter object unreachable')) }),
    };
    const call = server({
      OAUTH2_RATE_LIMIT_MAX_REQUESTS: '1',
      RATE_LIMITER: unreachable,
    } as unknown as Vars);
    const inc = vi.spyOn(isolateMetrics, 'inc');
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const ip = freshIp();
    for (let i = 0; i < 3; i += 1) {
      const res = await call('/.well-known/jwks.json', { ip });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
    expect(inc).toHaveBeenCalledWith('errors_total', { kind: 'rate_limit_backend' });
    const lines = logged.mock.calls.map((args) => String(args[0]));
    expect(lines.some((line) => line.includes('rate limit backend failed'))).toBe(true);
  });

  it('works on the KV backend too', async () => {
    const call = server({ OAUTH2_RATE_LIMIT_BACKEND: 'kv', OAUTH2_RATE_LIMIT_MAX_REQUESTS: '2' });
    const ip = freshIp();
    expect((await call('/.well-known/jwks.json', { ip })).headers.get('ratelimit-remaining')).toBe('1');
    expect((await call('/.well-known/jwks.json', { ip })).headers.get('ratelimit-remaining')).toBe('0');
    await expectTooManyRequests(await call('/.well-known/jwks.json', { ip }), 2);
  });

  it('refuses a configuration that names a backend without its binding or credentials', async () => {
    const kv = server({ OAUTH2_RATE_LIMIT_BACKEND: 'kv', RATE_LIMIT_KV: undefined } as unknown as Vars);
    const body = await expectOAuthError(await kv('/health'), 503, 'server_misconfigured');
    expect(body.error_description).toContain('RATE_LIMIT_KV');
    const upstash = server({ OAUTH2_RATE_LIMIT_BACKEND: 'upstash' });
    const problems = (await expectOAuthError(await upstash('/health'), 503, 'server_misconfigured'))
      .error_description;
    expect(problems).toContain('OAUTH2_RATE_LIMIT_UPSTASH_URL');
    expect(problems).toContain('OAUTH2_RATE_LIMIT_UPSTASH_TOKEN');
    const bad = server({ OAUTH2_RATE_LIMIT_BACKEND: 'redis', OAUTH2_RATE_LIMIT_MAX_REQUESTS: '0' });
    const described = (await expectOAuthError(await bad('/health'), 503, 'server_misconfigured'))
      .error_description;
    expect(described).toContain('OAUTH2_RATE_LIMIT_BACKEND must be one of durable_object, kv, upstash');
    expect(described).toContain('OAUTH2_RATE_LIMIT_MAX_REQUESTS');
  });
});

describe('Rate limiting over HTTP: registration per IP', () => {
  it('limits POST /connect/register per address, leaving the other endpoints to the global rule', async () => {
    const call = server({
      OAUTH2_DYNAMIC_REGISTRATION_ENABLED: 'true',
      OAUTH2_RATE_LIMIT_REGISTRATION_MAX_REQUESTS: '2',
    });
    const ip = freshIp();
    const register = () =>
      call('/connect/register', {
        ip,
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ redirect_uris: ['https://app.example/cb'], client_name: 'rl' }),
      });
    expect((await register()).status).toBe(201);
    expect((await register()).status).toBe(201);
    await expectTooManyRequests(await register(), 2);
    expect((await call('/.well-known/jwks.json', { ip })).status).toBe(200);
    expect((await register()).status).toBe(429);
    const other = freshIp();
    const res = await call('/connect/register', {
      ip: other,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://app.example/cb'] }),
    });
    expect(res.status).toBe(201);
  });
});

describe('Rate limiting over HTTP: the invalid_client penalty per client_id and address', () => {
  const vars = { OAUTH2_RATE_LIMIT_INVALID_CLIENT_MAX_REQUESTS: '3' };

  it('answers 429 (without the 401 challenge) once that many invalid_client failures are counted', async () => {
    const call = server(vars);
    const clientId = fresh('client');
    const ip = freshIp();
    for (let i = 0; i < 3; i += 1) {
      const res = await call('/oauth/token', tokenRequest(clientId, 'wrong-secret', ip));
      await expectOAuthError(res, 401, 'invalid_client');
    }
    const res = await call('/oauth/token', tokenRequest(clientId, 'wrong-secret', ip));
    await expectTooManyRequests(res, 3);
    expect(res.headers.get('www-authenticate')).toBeNull();
    // Another address is still checked.
    await expectOAuthError(
      await call('/oauth/token', tokenRequest(clientId, 'wrong-secret', freshIp())),
      401,
      'invalid_client',
    );
  });

  it('penalizes only that client_id: the admin client is still served from the same address', async () => {
    const call = server(vars);
    const ip = freshIp();
    const clientId = fresh('client');
    for (let i = 0; i < 4; i += 1) await call('/oauth/token', tokenRequest(clientId, 'nope', ip));
    expect((await call('/oauth/token', tokenRequest(clientId, 'nope', ip))).status).toBe(429);
    expect((await call('/oauth/token', tokenRequest(ADMIN_ID, ADMIN_SECRET, ip))).status).toBe(200);
  });

  it('counts client_secret_post and introspection failures under the client_id of the form', async () => {
    const call = server(vars);
    const clientId = fresh('client');
    const ip = freshIp();
    const introspect = () =>
      call('/oauth/introspect', {
        ...form({ token: 'x', client_id: clientId, client_secret: 'bad' }),
        ip,
      });
    for (let i = 0; i < 3; i += 1) await expectOAuthError(await introspect(), 401, 'invalid_client');
    await expectTooManyRequests(await introspect(), 3);
  });

  it('keeps the count globally: another isolate turns the next failure into a 429, while it still serves the right secret', async () => {
    const first = server(vars);
    const clientId = ADMIN_ID;
    const ip = freshIp();
    for (let i = 0; i < 3; i += 1) await first('/oauth/token', tokenRequest(clientId, `bad-${i}`, ip));
    const second = server(vars);
    expect((await second('/oauth/token', tokenRequest(clientId, ADMIN_SECRET, ip))).status).toBe(200);
    await expectTooManyRequests(await second('/oauth/token', tokenRequest(clientId, 'bad', ip)), 3);
    expect((await second('/oauth/token', tokenRequest(clientId, ADMIN_SECRET, ip))).status).toBe(429);
  });
});

describe('CORS (fail-closed, OAUTH2_ALLOWED_ORIGINS)', () => {
  const call = server({ OAUTH2_ALLOWED_ORIGINS: 'https://app.example, https://other.example' });

  it('answers a preflight from an allowed origin with 204 and the CORS headers', async () => {
    const res = await call('/oauth/token', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(res.headers.get('access-control-max-age')).toBe('3600');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('gives an allowed origin the CORS headers on the API endpoints, errors and 429s included', async () => {
    const limited = server({
      OAUTH2_ALLOWED_ORIGINS: 'https://app.example',
      OAUTH2_RATE_LIMIT_MAX_REQUESTS: '1',
    });
    const ip = freshIp();
    const headers = { Origin: 'https://app.example' };
    for (const path of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
      const res = await call(path, { headers });
      expect(res.headers.get('access-control-allow-origin'), path).toBe('https://app.example');
      expect(res.headers.get('vary'), path).toContain('Origin');
    }
    const request = tokenRequest(ADMIN_ID, ADMIN_SECRET, ip);
    const token = await limited('/oauth/token', { ...request, headers: { ...request.headers, ...headers } });
    expect(token.status).toBe(200);
    expect(token.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(token.headers.get('access-control-expose-headers')).toContain('RateLimit-Remaining');
    const limitedRes = await limited('/oauth/userinfo', { ip, headers });
    expect(limitedRes.status).toBe(429);
    expect(limitedRes.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });

  it('gives other origins, and pages, no CORS headers at all', async () => {
    const res = await call('/oauth/token', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const jwks = await call('/.well-known/jwks.json', { headers: { Origin: 'https://evil.example' } });
    expect(jwks.headers.get('access-control-allow-origin')).toBeNull();
    const page = await call('/auth/login', { headers: { Origin: 'https://app.example' } });
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    const none = server();
    const closed = await none('/.well-known/jwks.json', { headers: { Origin: 'https://app.example' } });
    expect(closed.headers.get('access-control-allow-origin')).toBeNull();
  });
});
