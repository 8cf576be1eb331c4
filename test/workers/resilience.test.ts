/**
 * Resilience: the circuit breaker (injected clock), the Storage decorator on injected storage failures
 * (opening, refusing before a call starts, no partial writes, closing again after the open period), the
 * breaker around storage over HTTP, outbound fetch timeouts, and the per-isolate concurrency limit and
 * bulkheads (503 service_unavailable with Retry-After).
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isolateMetrics } from '../../src/observability';
import { OutboundError, outboundFetch } from '../../src/outbound';
import {
  bulkheadOf,
  CircuitBreaker,
  type CircuitBreakerOptions,
  CircuitOpenError,
  guardStorage,
  StorageCircuitOpenError,
} from '../../src/resilience';
import { createStorage, type Storage, StorageUnavailableError } from '../../src/storage';
import { makeUser } from '../../src/storage/contract/fixtures';
import { createApp } from '../../worker/app';
import { setResilienceClock } from '../../worker/wiring/resilience';
import { ADMIN_ID, ADMIN_SECRET, adminToken, basic, expectOAuthError, ORIGIN } from './helpers';

const T0 = 1_900_000_000_000;

/** A clock the test moves by hand. */
function manualClock(start = T0) {
  const clock = { now: start, read: () => clock.now };
  return clock;
}

function breaker(now: () => number, overrides: Partial<CircuitBreakerOptions> = {}) {
  return new CircuitBreaker('test', {
    failureThreshold: 5,
    successThreshold: 2,
    openMs: 30_000,
    halfOpenMaxProbes: 3,
    now,
    ...overrides,
  });
}

describe('Circuit breaker', () => {
  it('opens after 5 consecutive failures and then refuses calls with Retry-After = the open period', () => {
    const clock = manualClock();
    const b = breaker(clock.read);
    for (let i = 0; i < 4; i += 1) b.acquire().failure();
    expect(b.state).toBe('closed');
    b.acquire().failure();
    expect(b.state).toBe('open');
    const refused = (() => {
      try {
        b.acquire();
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect((refused as CircuitOpenError).retryAfterSecs).toBe(30);
    clock.now += 12_500;
    expect(b.retryAfterSecs()).toBe(18);
  });

  it('counts consecutive failures only: a success in between starts the count again', () => {
    const b = breaker(manualClock().read);
    for (let i = 0; i < 4; i += 1) b.acquire().failure();
    b.acquire().success();
    for (let i = 0; i < 4; i += 1) b.acquire().failure();
    expect(b.state).toBe('closed');
  });

  it('half-opens after the open period, admits at most 3 probes at once, closes after 2 successes', () => {
    const clock = manualClock();
    const changes: string[] = [];
    const b = breaker(clock.read, { onStateChange: (state) => changes.push(state) });
    for (let i = 0; i < 5; i += 1) b.acquire().failure();
    clock.now += 30_000;
    expect(b.state).toBe('half_open');
    const probes = [b.tryAcquire(), b.tryAcquire(), b.tryAcquire()];
    expect(probes.every((p) => p !== null)).toBe(true);
    expect(b.tryAcquire()).toBeNull();
    probes[0]?.success();
    expect(b.state).toBe('half_open');
    probes[1]?.success();
    expect(b.state).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'closed']);
    // The third probe, admitted before the breaker closed, no longer counts.
    probes[2]?.failure();
    expect(b.state).toBe('closed');
  });

  it('re-opens at the first failed probe, for a whole new open period', () => {
    const clock = manualClock();
    const b = breaker(clock.read);
    for (let i = 0; i < 5; i += 1) b.acquire().failure();
    clock.now += 30_000;
    b.acquire().failure();
    expect(b.state).toBe('open');
    clock.now += 29_999;
    expect(b.state).toBe('open');
    clock.now += 1;
    expect(b.state).toBe('half_open');
  });

  it('run() records the outcome; errors the caller does not count as failures leave it closed', async () => {
    const b = breaker(manualClock().read, { failureThreshold: 2 });
    const conflict = new Error('conflict');
    for (let i = 0; i < 3; i += 1) {
      await expect(
        b.run(
          () => Promise.reject(conflict),
          (e) => e !== conflict,
        ),
      ).rejects.toBe(conflict);
    }
    expect(b.state).toBe('closed');
    await expect(b.run(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(b.run(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(b.run(() => Promise.resolve(1))).rejects.toBeInstanceOf(CircuitOpenError);
  });
});

/** Real D1 storage behind a switch: while `down`, every call throws StorageUnavailableError unstarted. */
function switchableStorage() {
  const real = createStorage(env);
  const state = { down: false, calls: 0 };
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property) {
        const value: unknown = Reflect.get(object, property, object);
        if (typeof value === 'function') {
          return (...args: unknown[]) => {
            state.calls += 1;
            if (state.down) return Promise.reject(new StorageUnavailableError());
            return Reflect.apply(value, object, args);
          };
        }
        return typeof value === 'object' && value !== null ? wrap(value) : value;
      },
    });
  return { storage: wrap(real) as Storage, state, real };
}

describe('Storage behind the circuit breaker (guardStorage)', () => {
  it('opens on injected storage failures, then refuses before touching storage', async () => {
    const clock = manualClock();
    const b = breaker(clock.read);
    const { storage, state } = switchableStorage();
    state.down = true;
    for (let i = 0; i < 5; i += 1) {
      const error = await guardStorage(storage, b)
        .users.getById('x')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect(error).not.toBeInstanceOf(StorageCircuitOpenError);
    }
    expect(state.calls).toBe(5);
    const refused = await guardStorage(storage, b)
      .healthcheck()
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StorageCircuitOpenError);
    expect(refused).toBeInstanceOf(StorageUnavailableError);
    expect((refused as StorageCircuitOpenError).retryAfterSecs).toBe(30);
    expect(state.calls).toBe(5);
  });

  it('closes again after the open period once the storage answers (2 successful probes)', async () => {
    const clock = manualClock();
    const b = breaker(clock.read);
    const { storage, state } = switchableStorage();
    state.down = true;
    for (let i = 0; i < 5; i += 1)
      await guardStorage(storage, b)
        .healthcheck()
        .catch(() => {});
    expect(b.state).toBe('open');
    state.down = false;
    clock.now += 30_000;
    await guardStorage(storage, b).healthcheck();
    expect(b.state).toBe('half_open');
    await guardStorage(storage, b).users.getByUsername('nobody');
    expect(b.state).toBe('closed');
  });

  it('never leaves partial writes: an admitted operation finishes, a refused one writes nothing', async () => {
    const clock = manualClock();
    const b = breaker(clock.read);
    const { storage, state, real } = switchableStorage();
    const [first, second, refusedUser] = [makeUser(), makeUser(), makeUser()];

    // Operation A is admitted at its first write ...
    const a = guardStorage(storage, b);
    await a.users.create(first);
    // ... then other requests' failures open the breaker mid-way ...
    state.down = true;
    for (let i = 0; i < 5; i += 1)
      await guardStorage(storage, b)
        .healthcheck()
        .catch(() => {});
    expect(b.state).toBe('open');
    state.down = false;
    // ... and A's second write still runs: the breaker only refuses before an operation starts.
    await a.users.create(second);
    // Operation B, starting while the breaker is open, is refused before its first write.
    const callsBefore = state.calls;
    const refused = await guardStorage(storage, b)
      .users.create(refusedUser)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StorageCircuitOpenError);
    expect(state.calls).toBe(callsBefore);

    expect(await real.users.getById(first.id)).not.toBeNull();
    expect(await real.users.getById(second.id)).not.toBeNull();
    expect(await real.users.getById(refusedUser.id)).toBeNull();
  });

  it('does not count conflicts as failures (the database answered)', async () => {
    const b = breaker(manualClock().read, { failureThreshold: 1 });
    const { storage } = switchableStorage();
    const user = makeUser();
    await guardStorage(storage, b).users.create(user);
    await expect(guardStorage(storage, b).users.create(user)).rejects.toThrow(/already exists/);
    expect(b.state).toBe('closed');
  });
});

/** env.DB behind a switch: while `down`, every statement fails as an unreachable D1 does. */
function flakyD1(db: D1Database) {
  const state = { down: false, statements: 0 };
  const fail = () => Promise.reject(new Error('D1_ERROR: Network connection lost.'));
  const statement = (inner: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(inner, {
      get(object, property) {
        const value: unknown = Reflect.get(object, property, object);
        if (typeof value !== 'function') return value;
        if (property === 'bind') return (...args: unknown[]) => statement(Reflect.apply(value, object, args));
        return (...args: unknown[]) => {
          state.statements += 1;
          return state.down ? fail() : Reflect.apply(value, object, args);
        };
      },
    });
  const proxied = new Proxy(db, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      if (property === 'prepare') return (sql: string) => statement(object.prepare(sql));
      return (...args: unknown[]) => (state.down ? fail() : Reflect.apply(value, object, args));
    },
  });
  return { db: proxied, state };
}

describe('Storage breaker over HTTP: killing storage opens it, and it recovers', () => {
  afterEach(() => {
    setResilienceClock();
    vi.restoreAllMocks();
  });

  it('answers 503 service_unavailable fast while open (Retry-After = open period), 200 after recovery', async () => {
    const flaky = flakyD1(env.DB);
    const app = createApp();
    const e = { ...env, DB: flaky.db, OAUTH2_RESILIENCE_CB_OPEN_SECS: '7' } as Env;
    const call = (path: string, init: RequestInit = {}) => app.request(`${ORIGIN}${path}`, init, e);
    const tokenRes = await call('/oauth/token', {
      method: 'POST',
      headers: {
        Authorization: basic(ADMIN_ID, ADMIN_SECRET),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=admin',
    });
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const users = () => call('/admin/api/users', { headers: { Authorization: `Bearer ${token}` } });
    expect((await users()).status).toBe(200);

    const set = vi.spyOn(isolateMetrics, 'set');
    const inc = vi.spyOn(isolateMetrics, 'inc');
    flaky.state.down = true;
    const outage: Response[] = [];
    for (let i = 0; i < 5; i += 1) outage.push(await users());
    for (const res of outage) {
      await expectOAuthError(res, 503, 'service_unavailable');
      expect(res.headers.get('retry-after')).toBe('5');
    }
    const statements = flaky.state.statements;
    const open = await users();
    await expectOAuthError(open, 503, 'service_unavailable');
    expect(open.headers.get('retry-after')).toBe('7');
    expect(flaky.state.statements).toBe(statements);
    expect(set).toHaveBeenCalledWith('circuit_breaker_state', { circuit: 'storage' }, 2);
    expect(inc).toHaveBeenCalledWith('circuit_breaker_trips_total', { circuit: 'storage' });

    // Routes that need no storage keep working meanwhile.
    expect((await call('/.well-known/jwks.json')).status).toBe(200);

    flaky.state.down = false;
    setResilienceClock(() => Date.now() + 7_000);
    expect((await users()).status).toBe(200);
    expect((await users()).status).toBe(200);
    expect(set).toHaveBeenLastCalledWith('circuit_breaker_state', { circuit: 'storage' }, 0);
  });

  it('with OAUTH2_RESILIENCE_CB_ENABLED=false storage errors stay plain 503s (no breaker)', async () => {
    const flaky = flakyD1(env.DB);
    const app = createApp();
    const e = { ...env, DB: flaky.db, OAUTH2_RESILIENCE_CB_ENABLED: 'false' } as Env;
    flaky.state.down = true;
    for (let i = 0; i < 7; i += 1) {
      const res = await app.request(`${ORIGIN}/ready`, {}, e);
      expect(res.status).toBe(503);
    }
    expect(flaky.state.statements).toBeGreaterThanOrEqual(7);
  });
});

describe('Outbound fetch: timeout and breaker', () => {
  const options = { target: 'test', policy: { allowLoopback: false }, maxBytes: 1024 };

  it('gives up after the timeout', async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const started = Date.now();
    const error = await outboundFetch(
      'https://hook.example/',
      {},
      { ...options, timeoutMs: 50, fetch: hanging },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundError);
    expect((error as OutboundError).failure).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('counts 5xx and network errors as failures, then refuses without sending', async () => {
    let sent = 0;
    const failing: typeof fetch = async () => {
      sent += 1;
      return new Response('down', { status: 502 });
    };
    const b = breaker(manualClock().read, { failureThreshold: 3 });
    const send = () =>
      outboundFetch(
        'https://hook.example/',
        {},
        { ...options, timeoutMs: 1000, breaker: () => b, fetch: failing },
      );
    for (let i = 0; i < 3; i += 1) expect((await send()).status).toBe(502);
    await expect(send()).rejects.toMatchObject({ failure: 'circuit_open' });
    expect(sent).toBe(3);
  });
});

describe('Concurrency limit and bulkheads (per isolate)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('groups routes into the token, pages, admin and registration bulkheads', () => {
    expect(bulkheadOf('/oauth/token')).toBe('token');
    expect(bulkheadOf('/oauth/introspect')).toBe('token');
    expect(bulkheadOf('/oauth/userinfo')).toBe('token');
    expect(bulkheadOf('/oauth/authorize')).toBe('pages');
    expect(bulkheadOf('/auth/login')).toBe('pages');
    expect(bulkheadOf('/admin/api/users')).toBe('admin');
    expect(bulkheadOf('/connect/register/abc')).toBe('registration');
    expect(bulkheadOf('/.well-known/jwks.json')).toBeNull();
  });

  it('puts the device flow, PAR, upstream sign-in, MCP and resource metadata in their groups', () => {
    expect(bulkheadOf('/oauth/par')).toBe('token');
    expect(bulkheadOf('/oauth/device_authorization')).toBe('token');
    expect(bulkheadOf('/oauth/device/verify')).toBe('pages');
    expect(bulkheadOf('/auth/login/github')).toBe('pages');
    expect(bulkheadOf('/auth/callback/google')).toBe('pages');
    expect(bulkheadOf('/mcp')).toBe('admin');
    expect(bulkheadOf('/mcpx')).toBeNull();
    expect(bulkheadOf('/.well-known/oauth-protected-resource')).toBeNull();
    expect(bulkheadOf('/.well-known/oauth-protected-resource/mcp')).toBeNull();
  });

  /** A token request whose body arrives only when `release()` is called: it stays in flight until then. */
  function heldTokenRequest(call: (path: string, init: RequestInit) => Promise<Response>) {
    let release = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        release = () => {
          controller.enqueue(new TextEncoder().encode('grant_type=client_credentials'));
          controller.close();
        };
      },
    });
    const response = call('/oauth/token', {
      method: 'POST',
      headers: {
        Authorization: basic(ADMIN_ID, ADMIN_SECRET),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body,
    });
    return { response, release: () => release() };
  }

  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

  function server(vars: Record<string, string>) {
    const app = createApp();
    const e = { ...env, ...vars } as Env;
    return async (path: string, init: RequestInit = {}) => app.request(`${ORIGIN}${path}`, init, e);
  }

  async function expectUnavailable(res: Response) {
    await expectOAuthError(res, 503, 'service_unavailable');
    expect(res.headers.get('retry-after')).toBe('1');
  }

  it('answers 503 with Retry-After: 1 over OAUTH2_RESILIENCE_MAX_CONCURRENT; the probes stay exempt', async () => {
    const call = server({ OAUTH2_RESILIENCE_MAX_CONCURRENT: '1' });
    const inc = vi.spyOn(isolateMetrics, 'inc');
    const held = heldTokenRequest(call);
    await settle();
    await expectUnavailable(await call('/.well-known/jwks.json'));
    expect(inc).toHaveBeenCalledWith('back_pressure_rejected_total');
    expect((await call('/health')).status).toBe(200);
    held.release();
    expect((await held.response).status).toBe(200);
    expect((await call('/.well-known/jwks.json')).status).toBe(200);
  });

  it('a full bulkhead refuses its own group only', async () => {
    const call = server({ OAUTH2_RESILIENCE_BULKHEAD_TOKEN_MAX: '1' });
    const inc = vi.spyOn(isolateMetrics, 'inc');
    const held = heldTokenRequest(call);
    await settle();
    await expectUnavailable(await call('/oauth/introspect', { method: 'POST' }));
    expect(inc).toHaveBeenCalledWith('bulkhead_rejected_total', { bulkhead: 'token' });
    expect((await call('/.well-known/openid-configuration')).status).toBe(200);
    expect((await call('/auth/login')).status).toBe(200);
    held.release();
    expect((await held.response).status).toBe(200);
  });

  /** A POST to `path` whose body arrives only when `release()` is called. */
  function heldPost(
    call: (path: string, init: RequestInit) => Promise<Response>,
    path: string,
    headers: Record<string, string>,
  ) {
    let release = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        release = () => {
          controller.enqueue(new TextEncoder().encode('x=1'));
          controller.close();
        };
      },
    });
    const response = call(path, { method: 'POST', headers, body });
    return { response, release: () => release() };
  }

  it('a full token bulkhead refuses PAR and device authorization, not the device pages or metadata', async () => {
    const call = server({ OAUTH2_RESILIENCE_BULKHEAD_TOKEN_MAX: '1' });
    const held = heldTokenRequest(call);
    await settle();
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    await expectUnavailable(await call('/oauth/par', { method: 'POST', headers: form, body: 'client_id=x' }));
    await expectUnavailable(
      await call('/oauth/device_authorization', { method: 'POST', headers: form, body: 'client_id=x' }),
    );
    expect((await call('/oauth/device/verify', { redirect: 'manual' })).status).toBe(302);
    expect((await call('/.well-known/oauth-protected-resource')).status).toBe(200);
    expect((await call('/mcp', { method: 'POST' })).status).toBe(401);
    held.release();
    expect((await held.response).status).toBe(200);
  });

  it('a full pages bulkhead refuses device verification and upstream sign-in with the HTML 503 page', async () => {
    const call = server({ OAUTH2_RESILIENCE_BULKHEAD_PAGES_MAX: '1' });
    const held = heldPost(call, '/oauth/device/verify', {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    await settle();
    for (const path of [
      '/oauth/device/verify',
      '/auth/login/github',
      '/auth/callback/github?code=a&state=b',
    ]) {
      const res = await call(path, { headers: { Accept: 'text/html' }, redirect: 'manual' });
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after'), path).toBe('1');
      expect(res.headers.get('content-type'), path).toMatch(/text\/html/);
    }
    expect(
      (
        await call('/oauth/device_authorization', {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'client_id=client_unknown',
        })
      ).status,
    ).toBe(401);
    held.release();
    expect((await held.response).status).toBeLessThan(500);
  });

  it('a full admin bulkhead refuses /mcp', async () => {
    const call = server({ OAUTH2_RESILIENCE_BULKHEAD_ADMIN_MAX: '1' });
    const held = heldPost(call, '/admin/api/users', {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${await adminToken()}`,
    });
    await settle();
    await expectUnavailable(
      await call('/mcp', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
      }),
    );
    held.release();
    expect((await held.response).status).toBeLessThan(500);
  });

  it('with OAUTH2_RESILIENCE_ENABLED=false nothing is refused', async () => {
    const call = server({ OAUTH2_RESILIENCE_ENABLED: 'false', OAUTH2_RESILIENCE_MAX_CONCURRENT: '1' });
    const held = heldTokenRequest(call);
    await settle();
    expect((await call('/.well-known/jwks.json')).status).toBe(200);
    held.release();
    expect((await held.response).status).toBe(200);
  });
});
