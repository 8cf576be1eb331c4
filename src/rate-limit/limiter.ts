/**
 * The rate limiter every rule goes through, whatever the backend:
 * - a per-isolate list of keys known to be used up until their window ends (fixed-window counts never go
 *   down within a window), so a client that keeps hammering after its 429 costs no backend call;
 * - the backend call, behind a circuit breaker and a timeout;
 * - fail open: a backend that throws, times out or whose breaker is open lets the hit through
 *   (`failedOpen`), and the failure is reported (counted and logged by the caller's `onBackendError`).
 */
import type { CircuitBreaker } from '../resilience/circuit-breaker';
import type { Background, RateLimitBackend, RateLimitDecision, RateLimitRule } from './types';
import { windowOf } from './types';

export interface RateLimiterOptions {
  /** Milliseconds; injected so tests can move time. */
  now: () => number;
  /** A backend call slower than this fails open. */
  timeoutMs: number;
  breaker?: CircuitBreaker | null | undefined;
  /** A hit failed open: the backend threw, timed out, or its breaker is open. */
  onBackendError: (rule: RateLimitRule, error: unknown) => void;
}

/** Most used-up keys one isolate remembers. */
const MAX_BLOCKED = 10_000;

/** The backend took longer than the limiter's timeout. */
export class RateLimitTimeoutError extends Error {
  constructor(ms: number) {
    super(`rate limit backend did not answer within ${ms} ms`);
    this.name = 'RateLimitTimeoutError';
  }
}

export class RateLimiter {
  #blocked = new Map<string, RateLimitDecision>();

  constructor(
    readonly backend: RateLimitBackend,
    private readonly options: RateLimiterOptions,
  ) {}

  /** The 429 decision this isolate already knows for `key`, or null (no backend call). */
  known(rule: RateLimitRule, key: string): RateLimitDecision | null {
    const id = `${rule.name}:${key}`;
    const blocked = this.#blocked.get(id);
    if (blocked === undefined) return null;
    if (blocked.resetAtMs > this.options.now()) return blocked;
    this.#blocked.delete(id);
    return null;
  }

  /** Counts one hit of `key` under `rule` and decides. Never throws: a failing backend fails open. */
  async hit(rule: RateLimitRule, key: string, background?: Background): Promise<RateLimitDecision> {
    const known = this.known(rule, key);
    if (known) return known;
    const now = this.options.now();
    const breaker = this.options.breaker;
    const permit = breaker ? breaker.tryAcquire() : null;
    if (breaker && permit === null) {
      return this.#failOpen(rule, now, new Error(`circuit ${breaker.name} is open`));
    }
    let decision: RateLimitDecision;
    try {
      const answer = this.backend.hit(rule, key, now, background);
      // Only a backend that went to I/O gets a deadline (a timer per hit would tax the hot path).
      decision = answer instanceof Promise ? await this.#withTimeout(answer) : answer;
      permit?.success();
    } catch (error) {
      permit?.failure();
      return this.#failOpen(rule, now, error);
    }
    if (!decision.allowed || decision.remaining <= 0) this.#block(rule, key, decision);
    return decision;
  }

  #failOpen(rule: RateLimitRule, now: number, error: unknown): RateLimitDecision {
    this.options.onBackendError(rule, error);
    const { resetAtMs } = windowOf(now, rule.windowSecs);
    return { allowed: true, limit: rule.limit, remaining: rule.limit, resetAtMs, failedOpen: true };
  }

  /** Remembers that `key` is used up: every further hit in the window is a 429 without a backend call. */
  #block(rule: RateLimitRule, key: string, decision: RateLimitDecision): void {
    if (this.#blocked.size >= MAX_BLOCKED) {
      const now = this.options.now();
      for (const [id, old] of this.#blocked) if (old.resetAtMs <= now) this.#blocked.delete(id);
      if (this.#blocked.size >= MAX_BLOCKED) this.#blocked.clear();
    }
    this.#blocked.set(`${rule.name}:${key}`, {
      allowed: false,
      limit: decision.limit,
      remaining: 0,
      resetAtMs: decision.resetAtMs,
    });
  }

  async #withTimeout<T>(work: Promise<T>): Promise<T> {
    const ms = this.options.timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RateLimitTimeoutError(ms)), ms);
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
