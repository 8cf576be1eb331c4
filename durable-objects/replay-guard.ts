/**
 * ReplayGuard: single-use identifiers, the `jti`s of DPoP proofs (RFC 9449 §11.1) and of JWT client
 * assertions (RFC 7523 §3 item 7). Sharded by a hash of the identifier (src/oauth/replay.ts), so no
 * object is hot. A claim checks and records in one synchronous step, so of two concurrent uses of one
 * `jti` exactly one wins. Each entry is kept until its expiry (after which the proof or assertion is
 * refused for its age anyway); expired rows go lazily on a claim of the same key and by an alarm sweep.
 */
import { DurableObject } from 'cloudflare:workers';
import { type Clock, systemClock } from '../src/clock';

/** How often expired entries are swept. */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

export class ReplayGuard extends DurableObject<Env> {
  /** This object's clock; a test may replace it. */
  clock: Clock = systemClock;
  private readonly sql: SqlStorage;
  private sweepScheduled = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS seen (
        key TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS seen_expiry ON seen (expires_at);
    `);
  }

  /**
   * Records `key` (a digest, never the raw identifier) until `expiresAt`; false when it is already
   * recorded and not expired at `now`.
   */
  async claim(key: string, expiresAt: number, now: number): Promise<boolean> {
    const row = this.sql
      .exec<{ expires_at: number }>('SELECT expires_at FROM seen WHERE key = ?', key)
      .toArray()[0];
    if (row && row.expires_at > now) return false;
    this.sql.exec(
      `INSERT INTO seen (key, expires_at) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at`,
      key,
      expiresAt,
    );
    await this.scheduleSweep();
    return true;
  }

  /** Drops expired entries; runs again while any are left. */
  override async alarm(): Promise<void> {
    this.sql.exec('DELETE FROM seen WHERE expires_at <= ?', this.clock.nowSecs());
    this.sweepScheduled = false;
    const left = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM seen').one().n;
    if (left > 0) await this.scheduleSweep();
  }

  private async scheduleSweep(): Promise<void> {
    if (this.sweepScheduled) return;
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(this.clock.nowMs() + SWEEP_INTERVAL_MS);
    }
    this.sweepScheduled = true;
  }
}
