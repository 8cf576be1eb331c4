/**
 * The wall clock, as the one port every layer reads time through: the OAuth core gets it on its context
 * (OAuthContext.clock), the Durable Objects hold one (`clock`, replaceable in tests), the Worker shell
 * passes it to its per-isolate caches. Nothing else reads `Date.now()` for protocol or cache times.
 */
export interface Clock {
  /** Unix time in whole seconds, rounded down (JWT NumericDate, every stored `*_at`/`expiresAt`). */
  nowSecs(): number;
  /** Unix time in milliseconds (rate-limit windows, alarms, flush intervals). */
  nowMs(): number;
}

/**
 * The runtime's clock. Its methods are arrow functions: `systemClock.nowSecs` can be passed on where a
 * `() => number` is taken.
 */
export const systemClock: Readonly<Clock> = Object.freeze({
  nowSecs: () => Math.floor(Date.now() / 1000),
  nowMs: () => Date.now(),
});
