/** The LoginThrottlePort over the LOGIN_THROTTLE Durable Object namespace: one object per key. */
import type { LoginThrottlePort, ThrottleState } from '../src/auth/login-throttle';
import { nowSecs } from './middleware/session';

export function loginThrottle(env: Env, now: () => number = nowSecs): LoginThrottlePort {
  const actor = (key: string) => env.LOGIN_THROTTLE.get(env.LOGIN_THROTTLE.idFromName(key));
  return {
    async check(keys) {
      const states = await Promise.all(keys.map((key) => actor(key).check(now())));
      return combine(states);
    },
    async recordFailure(keys) {
      await Promise.all(keys.map((key) => actor(key).recordFailure(now())));
    },
    async reset(key) {
      await actor(key).reset();
    },
  };
}

/** Limited when any key is; wait for the slowest. */
function combine(states: ThrottleState[]): ThrottleState {
  return {
    limited: states.some((state) => state.limited),
    failures: Math.max(0, ...states.map((state) => state.failures)),
    retryAfterSecs: Math.max(0, ...states.map((state) => state.retryAfterSecs)),
  };
}

/** The client address: CF-Connecting-IP (set by Cloudflare's edge), 127.0.0.1 when run locally without it. */
export function clientIp(request: Request): string {
  return request.headers.get('cf-connecting-ip')?.trim() || '127.0.0.1';
}
