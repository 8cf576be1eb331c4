/**
 * LoginThrottle: one object per throttle key (`ip-user:…`, `ip:…`, `user:…`, `device-…`; see
 * src/sign-in/login-throttle.ts and src/oauth/device/verification.ts), holding the times of that key's
 * attempts inside the window. One object per key spreads the load, so none is hot; an alarm drops the
 * state once the window has passed. Window arithmetic uses the caller's `now` (epoch seconds), so tests
 * can drive it.
 */
import { DurableObject } from 'cloudflare:workers';
import { type Clock, systemClock } from '../src/clock';
import {
  LOGIN_WINDOW_SECS,
  releaseAttempt,
  reserveAttempt,
  type ThrottleState,
} from '../src/sign-in/login-throttle';

const ATTEMPTS = 'attempts';

export class LoginThrottle extends DurableObject<Env> {
  /** This object's clock; a test may replace it. */
  clock: Clock = systemClock;
  /**
   * Admits and counts one attempt at `now` when fewer than `limit` are inside the window. The read and
   * the write happen with no await between them, so concurrent callers are admitted one by one.
   */
  async reserve(now: number, limit: number): Promise<ThrottleState> {
    const { attempts, state } = reserveAttempt(this.attempts(), now, limit);
    this.ctx.storage.kv.put(ATTEMPTS, attempts);
    // Clean-up only, so it follows this object's clock whatever `now` the caller passed.
    if (state.granted) await this.ctx.storage.setAlarm(this.clock.nowMs() + (LOGIN_WINDOW_SECS + 1) * 1000);
    return state;
  }

  /** Gives back the attempt reserved at `at` (it did not fail). */
  async release(at: number): Promise<void> {
    this.ctx.storage.kv.put(ATTEMPTS, releaseAttempt(this.attempts(), at));
  }

  /** Forgets every attempt. */
  async reset(): Promise<void> {
    this.ctx.storage.kv.delete(ATTEMPTS);
    await this.ctx.storage.deleteAlarm();
  }

  /** The newest attempt has left the window: nothing is worth keeping. */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  private attempts(): number[] {
    return this.ctx.storage.kv.get<number[]>(ATTEMPTS) ?? [];
  }
}
