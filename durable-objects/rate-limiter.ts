/**
 * RateLimiter: the exact counter of the Durable Object rate-limit backend. One object per shard
 * (`rate-limiter:<n>`, the key's hash modulo OAUTH2_RATE_LIMIT_DO_SHARDS), holding many keys; each key
 * counts the hits it has leased out in its current fixed window (src/rate-limit/lease.ts). A grant is a
 * read and a write in one synchronous step, so concurrent callers are strictly ordered and the count is
 * exact. An alarm drops the counters of ended windows.
 */
import { grantLease, type LeaseCounter, type LeaseGrant } from '../src/rate-limit/lease';
import { type ExpiringTable, SweepingObject } from './sweeping-object';

const SWEEP_INTERVAL_MS = 5 * 60 * 1000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY,
    window_index INTEGER NOT NULL,
    count INTEGER NOT NULL,
    reset_at INTEGER NOT NULL
  );
`;

/** A counter goes once its window has ended. */
const COUNTERS: ExpiringTable = {
  table: 'counters',
  column: 'reset_at',
  index: 'counters_reset_at',
  unit: 'ms',
};

export class RateLimiter extends SweepingObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, SCHEMA, SWEEP_INTERVAL_MS, COUNTERS);
  }

  /** Leases up to `want` hits of `key` in the window of `nowMs` (epoch ms; the caller's clock). */
  async take(
    key: string,
    want: number,
    nowMs: number,
    limit: number,
    windowSecs: number,
  ): Promise<LeaseGrant> {
    const row = this.sql
      .exec<{ window_index: number; count: number }>(
        'SELECT window_index, count FROM counters WHERE key = ?',
        key,
      )
      .toArray()[0];
    const current: LeaseCounter | null = row ? { window: row.window_index, count: row.count } : null;
    const { counter, grant } = grantLease(current, want, nowMs, limit, windowSecs);
    if (grant.granted > 0) {
      this.sql.exec(
        `INSERT INTO counters (key, window_index, count, reset_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET window_index = excluded.window_index, count = excluded.count, reset_at = excluded.reset_at`,
        key,
        counter.window,
        counter.count,
        grant.resetAtMs,
      );
      await this.scheduleSweep();
    }
    return grant;
  }
}
