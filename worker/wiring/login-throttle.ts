/** The LoginThrottlePort over the LOGIN_THROTTLE Durable Object namespace: one object per key. */

import { systemClock } from '../../src/clock';
import type { LoginThrottlePort, ThrottleKey } from '../../src/sign-in/login-throttle';

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
