/** The rate limiter port: rules, decisions, and what a backend implements. */

/** A fixed-window rule: at most `limit` hits per key in each window of `windowSecs`. */
export interface RateLimitRule {
  /** Metric label and key namespace: global, invalid_client, registration. */
  name: string;
  limit: number;
  windowSecs: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Hits left in this window after this one (as this isolate knows it; never negative). */
  remaining: number;
  /** When the window ends and the count starts again, epoch milliseconds. */
  resetAtMs: number;
  /** The backend failed and the hit was let through unchecked (fail open). */
  failedOpen?: boolean;
}

/** Lets a backend finish work after the response (a request's ExecutionContext). */
export interface Background {
  waitUntil(promise: Promise<unknown>): void;
}

export const BACKENDS = ['durable_object', 'kv', 'upstash'] as const;
export type BackendName = (typeof BACKENDS)[number];

/**
 * A counting store. Every hit counts `1` against `key` under `rule` in the window of `nowMs`. A backend
 * that can decide without I/O (a lease in hand, a local count) answers synchronously: the hot path then
 * pays no promise and no timer.
 */
export interface RateLimitBackend {
  readonly name: BackendName;
  hit(
    rule: RateLimitRule,
    key: string,
    nowMs: number,
    background?: Background,
  ): RateLimitDecision | Promise<RateLimitDecision>;
}

/** The fixed window `nowMs` falls in: its index and its end (epoch ms). */
export function windowOf(nowMs: number, windowSecs: number): { index: number; resetAtMs: number } {
  const size = windowSecs * 1000;
  const index = Math.floor(nowMs / size);
  return { index, resetAtMs: (index + 1) * size };
}
