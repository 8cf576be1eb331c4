/** The LoginThrottlePort over the LOGIN_THROTTLE Durable Object namespace: one object per key. */
import type { LoginThrottlePort, ThrottleKey } from '../src/auth/login-throttle';
import { systemClock } from '../src/clock';

export function loginThrottle(env: Env, now: () => number = systemClock.nowSecs): LoginThrottlePort {
  const actor = (key: ThrottleKey) => env.LOGIN_THROTTLE.get(env.LOGIN_THROTTLE.idFromName(key.name));
  const release = (keys: readonly ThrottleKey[], at: number) =>
    Promise.all(keys.map((key) => actor(key).release(at)));
  return {
    async reserve(keys) {
      const at = now();
      // In parallel: each object admits atomically, and a refusal anywhere gives the others back.
      const states = await Promise.all(keys.map((key) => actor(key).reserve(at, key.limit)));
      if (states.every((state) => state.granted)) return { granted: true, keys, at };
      await release(
        keys.filter((_, i) => states[i]?.granted),
        at,
      );
      return { granted: false, retryAfterSecs: Math.max(1, ...states.map((state) => state.retryAfterSecs)) };
    },
    async release(reservation) {
      await release(reservation.keys, reservation.at);
    },
    async reset(key) {
      await actor(key).reset();
    },
  };
}

/** The client address: CF-Connecting-IP (set by Cloudflare's edge), 127.0.0.1 when run locally without it. */
export function clientIp(request: Request): string {
  return request.headers.get('cf-connecting-ip')?.trim() || '127.0.0.1';
}
