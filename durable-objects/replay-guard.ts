/**
 * ReplayGuard: single-use identifiers, the `jti`s of DPoP proofs (RFC 9449 §11.1) and of JWT client
 * assertions (RFC 7523 §3 item 7). Sharded by a hash of the identifier (src/oauth/replay.ts), so no
 * object is hot. A claim checks and records in one synchronous step, so of two concurrent uses of one
 * `jti` exactly one wins. Each entry is kept until its expiry (after which the proof or assertion is
 * refused for its age anyway); expired rows go lazily on a claim of the same key and by an alarm sweep.
 */
import { type ExpiringTable, SweepingObject } from './sweeping-object';

/** How often expired entries are swept. */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS seen (
    key TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  );
`;

/** An entry goes once the proof or assertion it records is past its expiry. */
const SEEN: ExpiringTable = { table: 'seen', column: 'expires_at', index: 'seen_expiry', unit: 'secs' };

export class ReplayGuard extends SweepingObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, SCHEMA, SWEEP_INTERVAL_MS, SEEN);
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
}
