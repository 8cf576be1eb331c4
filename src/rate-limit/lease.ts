/**
 * The Durable Object backend's arithmetic: exact fixed-window counting in the RateLimiter object, with
 * per-isolate leases so that a busy key does not cost an RPC per hit.
 *
 * The object counts, per key and window, the hits it has handed out. An isolate asks it for a lease of
 * `want` hits; the object grants at most what is left in the window, and never more than half of it
 * (at least 1), so one isolate cannot take the whole window ahead of the others. The isolate then
 * admits hits from its lease without calling the object, and asks again when the lease runs low (in the
 * background) or out, doubling `want` each time (1, 2, 4, ... up to the configured maximum lease) while
 * the window lasts.
 *
 * Exactness: every admitted hit was granted by the object within its window's limit, so the number of
 * hits admitted per key and window, summed over every isolate, never exceeds the limit (no
 * over-admission). The price is possible under-admission: hits leased to an isolate that then stops
 * seeing the key are lost until the window ends, at most the unused part of its last two leases per
 * isolate, key and window (<= 2 x the maximum lease). A maximum lease of 1 makes every hit an RPC and
 * loses nothing.
 */
import type { Background, RateLimitBackend, RateLimitDecision, RateLimitRule } from './types';
import { windowOf } from './types';

/** What the object keeps per key. */
export interface LeaseCounter {
  window: number;
  count: number;
}

export interface LeaseGrant {
  granted: number;
  /** Left in the window after this grant. */
  remaining: number;
  resetAtMs: number;
}

/** Grants up to `want` hits of `counter` (null: nothing counted yet) at `nowMs`; the new counter. */
export function grantLease(
  counter: LeaseCounter | null,
  want: number,
  nowMs: number,
  limit: number,
  windowSecs: number,
): { counter: LeaseCounter; grant: LeaseGrant } {
  const { index, resetAtMs } = windowOf(nowMs, windowSecs);
  // A caller whose clock is behind the object's latest window counts in that latest window.
  const window = counter && counter.window > index ? counter.window : index;
  const count = counter && counter.window === window ? counter.count : 0;
  const left = Math.max(0, limit - count);
  const granted = left === 0 ? 0 : Math.min(Math.max(1, want), Math.max(1, Math.floor(left / 2)));
  const end = window === index ? resetAtMs : (window + 1) * windowSecs * 1000;
  return {
    counter: { window, count: count + granted },
    grant: { granted, remaining: left - granted, resetAtMs: end },
  };
}

/** The object's RPC as the isolate sees it. */
export type LeaseSource = (
  key: string,
  want: number,
  nowMs: number,
  limit: number,
  windowSecs: number,
) => Promise<LeaseGrant>;

interface Lease {
  window: number;
  /** Hits this isolate may still admit without asking. */
  units: number;
  /** The object's remaining count after the last grant. */
  remaining: number;
  resetAtMs: number;
  /** The size to ask for next. */
  next: number;
  /** The size of the last grant. */
  lastGrant: number;
  /** A grant request in flight: concurrent hits wait for it instead of sending their own. */
  refill: Promise<void> | null;
  /** The object said the window is used up. */
  exhausted: boolean;
}

/** Most keys one isolate tracks; past it, leases of ended windows are dropped (then the oldest). */
const MAX_LEASES = 10_000;
/** A lease running below this share of its last grant is renewed in the background. */
const PREFETCH_BELOW = 0.25;

/**
 * The isolate side: admits from leases and asks the object (`source`) only when a lease runs out. A busy
 * key's next lease is requested in the background (the request's waitUntil) once the current one runs
 * low, so its requests do not wait for the object either; units are still only used once granted.
 */
export class LeaseBackend implements RateLimitBackend {
  readonly name = 'durable_object' as const;
  #leases = new Map<string, Lease>();

  constructor(
    private readonly source: LeaseSource,
    private readonly maxLease: number,
  ) {}

  hit(
    rule: RateLimitRule,
    key: string,
    nowMs: number,
    background?: Background,
  ): RateLimitDecision | Promise<RateLimitDecision> {
    const id = `${rule.name}:${key}`;
    return this.#fromLease(rule, id, nowMs, background) ?? this.#refillThenHit(rule, id, nowMs);
  }

  /** The decision this isolate can make alone (a unit of its lease, or a used-up window), else null. */
  #fromLease(
    rule: RateLimitRule,
    id: string,
    nowMs: number,
    background?: Background,
  ): RateLimitDecision | null {
    const { index, resetAtMs } = windowOf(nowMs, rule.windowSecs);
    let lease = this.#leases.get(id);
    if (lease === undefined || lease.window < index) {
      lease = {
        window: index,
        units: 0,
        remaining: rule.limit,
        resetAtMs,
        next: 1,
        lastGrant: 0,
        refill: null,
        exhausted: false,
      };
      this.#remember(id, lease, nowMs);
    }
    if (lease.units > 0) {
      lease.units -= 1;
      const low = lease.units < lease.lastGrant * PREFETCH_BELOW;
      if (low && background && lease.refill === null && lease.remaining > 0) {
        // Only with a waitUntil: a lease request must not outlive the request that started it unawaited.
        background.waitUntil(this.#startRefill(rule, id, lease, nowMs).catch(() => {}));
      }
      return this.#decision(rule, lease, true);
    }
    return lease.exhausted ? this.#decision(rule, lease, false) : null;
  }

  /** Waits for a lease (one request per key at a time; concurrent hits share it), then decides. */
  async #refillThenHit(rule: RateLimitRule, id: string, nowMs: number): Promise<RateLimitDecision> {
    for (;;) {
      const decision = this.#fromLease(rule, id, nowMs);
      if (decision) return decision;
      const lease = this.#leases.get(id) as Lease;
      await (lease.refill ?? this.#startRefill(rule, id, lease, nowMs));
    }
  }

  /** Asks the object for the lease's next grant. */
  #startRefill(rule: RateLimitRule, id: string, lease: Lease, nowMs: number): Promise<void> {
    const want = Math.min(this.maxLease, lease.next);
    const refill = this.source(id, want, nowMs, rule.limit, rule.windowSecs)
      .then((grant) => {
        lease.units += grant.granted;
        lease.remaining = grant.remaining;
        lease.resetAtMs = grant.resetAtMs;
        lease.lastGrant = grant.granted;
        lease.exhausted = grant.granted === 0 && lease.units === 0;
        lease.next = Math.min(this.maxLease, want * 2);
      })
      .finally(() => {
        if (lease.refill === refill) lease.refill = null;
      });
    lease.refill = refill;
    return refill;
  }

  #decision(rule: RateLimitRule, lease: Lease, allowed: boolean): RateLimitDecision {
    return {
      allowed,
      limit: rule.limit,
      remaining: allowed ? lease.remaining + lease.units : 0,
      resetAtMs: lease.resetAtMs,
    };
  }

  #remember(id: string, lease: Lease, nowMs: number): void {
    this.#leases.delete(id);
    this.#leases.set(id, lease);
    if (this.#leases.size <= MAX_LEASES) return;
    for (const [key, old] of this.#leases) {
      if (old.resetAtMs <= nowMs && old.refill === null) this.#leases.delete(key);
    }
    for (const key of this.#leases.keys()) {
      if (this.#leases.size <= MAX_LEASES) break;
      this.#leases.delete(key);
    }
  }
}
