/**
 * The Durable Object ports derived from the actor classes (worker/wiring/actor-port.ts), and the clock every
 * actor holds (src/clock.ts), replaced here to move an actor's time without waiting.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ReplayGuard } from '../../durable-objects/replay-guard';
import { type Clock, systemClock } from '../../src/clock';
import { actorPort, timedActorPort } from '../../worker/wiring/actor-port';

/** A clock the test sets by hand (epoch seconds). */
function fixedClock(secs: number): Clock {
  return { nowSecs: () => secs, nowMs: () => secs * 1000 };
}

describe('actorPort', () => {
  it('forwards each listed method to the stub its first argument names, with the arguments as given', async () => {
    const calls: string[] = [];
    const stubFor = (key: string) => {
      calls.push(`stub:${key}`);
      return env.REPLAY_GUARD.get(env.REPLAY_GUARD.idFromName(`port-${key}`));
    };
    const port = actorPort(stubFor, ['claim']);
    const now = systemClock.nowSecs();
    expect(await port.claim('a', now + 60, now)).toBe(true);
    expect(await port.claim('a', now + 60, now + 1)).toBe(false);
    expect(await port.claim('b', now + 60, now)).toBe(true);
    expect(calls).toEqual(['stub:a', 'stub:a', 'stub:b']);
  });

  it('appends the caller clock as `now`, read at each call, for the timed methods', async () => {
    let t = systemClock.nowSecs();
    const stub = env.REPLAY_GUARD.get(env.REPLAY_GUARD.idFromName('port-timed'));
    const port = timedActorPort(
      (_key: string) => stub,
      ['claim'],
      () => t,
    );
    expect(await port.claim('k', t + 10)).toBe(true);
    expect(await port.claim('k', t + 10)).toBe(false);
    t += 11;
    expect(await port.claim('k', t + 10)).toBe(true);
  });

  it('passes every call through `via`', async () => {
    const stub = env.REPLAY_GUARD.get(env.REPLAY_GUARD.idFromName('port-via'));
    const seen: unknown[] = [];
    const via = async <T>(call: Promise<T>): Promise<T> => {
      const value = await call;
      seen.push(value);
      return value;
    };
    const port = actorPort((_key: string) => stub, ['claim'], via);
    const now = systemClock.nowSecs();
    expect(await port.claim('k', now + 60, now)).toBe(true);
    expect(await port.claim('k', now + 60, now)).toBe(false);
    expect(seen).toEqual([true, false]);
  });
});

describe('an actor clock', () => {
  it('is the system clock, and a test may replace it: the sweep reads it', async () => {
    const stub = env.REPLAY_GUARD.get(env.REPLAY_GUARD.idFromName('clock-sweep'));
    const t = 2_000_000_000;
    expect(await stub.claim('early', t + 10, t)).toBe(true);
    expect(await stub.claim('late', t + 1000, t)).toBe(true);
    await runInDurableObject(stub, (instance: ReplayGuard) => {
      expect(instance.clock).toBe(systemClock);
      instance.clock = fixedClock(t + 100);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const left = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec<{ key: string }>('SELECT key FROM seen ORDER BY key').toArray(),
    );
    expect(left.map((row) => row.key)).toEqual(['late']);
  });
});
