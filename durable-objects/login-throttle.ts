/**
 * LoginThrottle: one object per throttle key (`ip:<address>` or `user:<username>`, see
 * src/auth/login-throttle.ts), holding the times of that key's last 10 failed sign-ins. Keys spread
 * over many objects, so none is hot; an alarm drops the state once the window has passed.
 * Window arithmetic uses the caller's `now` (epoch seconds), so tests can drive it.
 */
import { DurableObject } from 'cloudflare:workers';
import {
  LOGIN_WINDOW_SECS,
  recentFailures,
  type ThrottleState,
  throttleState,
} from '../src/auth/login-throttle';

const FAILURES = 'failures';

export class LoginThrottle extends DurableObject<Env> {
  /** The state of this key at `now`. */
  async check(now: number): Promise<ThrottleState> {
    return throttleState(this.failures(), now);
  }

  /** Records a failed attempt at `now`; returns the new state. */
  async recordFailure(now: number): Promise<ThrottleState> {
    const failures = recentFailures([...this.failures(), now], now);
    this.ctx.storage.kv.put(FAILURES, failures);
    // Clean-up only, so it follows the wall clock whatever `now` the caller passed.
    await this.ctx.storage.setAlarm(Date.now() + (LOGIN_WINDOW_SECS + 1) * 1000);
    return throttleState(failures, now);
  }

  /** Forgets every failure (a successful sign-in for a username key). */
  async reset(): Promise<void> {
    this.ctx.storage.kv.delete(FAILURES);
    await this.ctx.storage.deleteAlarm();
  }

  /** The newest failure has left the window: nothing is worth keeping. */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  private failures(): number[] {
    return this.ctx.storage.kv.get<number[]>(FAILURES) ?? [];
  }
}
