/**
 * TokenActor: the live state of token families (grants). Each grant id starts with a shard prefix
 * (src/oauth/grant-id.ts) naming the actor that owns it, so many grants share a warm object and no
 * object is hot. Owns revocation state and opaque access tokens (stored as SHA-256 hashes only).
 * Every transition of a grant runs inside its actor, so revocation and issuance are serialized.
 * Expired rows are dropped by an alarm.
 */
import { DurableObject } from 'cloudflare:workers';
import type { StoredAccessToken } from '../src/oauth/ports';

/** How often expired grants are swept, and the grace after expiry before their rows are dropped. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const EXPIRY_GRACE_SECS = 60;

type AccessTokenRow = {
  hash: string;
  grant_id: string;
  jti: string;
  client_id: string;
  sub: string;
  scope: string;
  aud: string;
  issued_at: number;
  expires_at: number;
};

export class TokenActor extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private sweepScheduled = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS grants (
        grant_id TEXT PRIMARY KEY,
        revoked_at INTEGER,
        expires_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS access_tokens (
        hash TEXT PRIMARY KEY,
        grant_id TEXT NOT NULL,
        jti TEXT NOT NULL,
        client_id TEXT NOT NULL,
        sub TEXT NOT NULL,
        scope TEXT NOT NULL,
        aud TEXT NOT NULL,
        issued_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS access_tokens_grant ON access_tokens (grant_id);
    `);
  }

  /** Records an opaque access token in its grant; false when the grant is revoked. */
  async storeAccessToken(grantId: string, token: StoredAccessToken): Promise<boolean> {
    if (this.revokedAt(grantId) !== null) return false;
    this.extendGrant(grantId, token.expiresAt);
    this.sql.exec(
      'INSERT INTO access_tokens (hash, grant_id, jti, client_id, sub, scope, aud, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      token.hash,
      grantId,
      token.jti,
      token.clientId,
      token.sub,
      token.scope,
      JSON.stringify(token.aud),
      token.issuedAt,
      token.expiresAt,
    );
    await this.scheduleSweep();
    return true;
  }

  /** The live token with this hash in this grant, or null when unknown, expired or revoked. */
  async findAccessToken(grantId: string, hash: string, now: number): Promise<StoredAccessToken | null> {
    if (this.revokedAt(grantId) !== null) return null;
    const row = this.sql
      .exec<AccessTokenRow>('SELECT * FROM access_tokens WHERE hash = ? AND grant_id = ?', hash, grantId)
      .toArray()[0];
    if (!row || row.expires_at <= now) return null;
    return {
      hash: row.hash,
      jti: row.jti,
      clientId: row.client_id,
      sub: row.sub,
      scope: row.scope,
      aud: JSON.parse(row.aud) as string[],
      issuedAt: row.issued_at,
      expiresAt: row.expires_at,
    };
  }

  /** Revokes the grant; kept (revoked) until `expiresAt`, when nothing it issued can be valid any more. */
  async revoke(grantId: string, expiresAt: number): Promise<void> {
    this.extendGrant(grantId, expiresAt);
    this.sql.exec(
      'UPDATE grants SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL',
      Math.floor(Date.now() / 1000),
      grantId,
    );
    this.sql.exec('DELETE FROM access_tokens WHERE grant_id = ?', grantId);
    await this.scheduleSweep();
  }

  async isRevoked(grantId: string): Promise<boolean> {
    return this.revokedAt(grantId) !== null;
  }

  /** Drops grants and tokens past their expiry; runs again while anything is left. */
  override async alarm(): Promise<void> {
    const cutoff = Math.floor(Date.now() / 1000) - EXPIRY_GRACE_SECS;
    this.sql.exec('DELETE FROM access_tokens WHERE expires_at < ?', cutoff);
    this.sql.exec('DELETE FROM grants WHERE expires_at < ?', cutoff);
    this.sweepScheduled = false;
    const left = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM grants').one().n;
    if (left > 0) await this.scheduleSweep();
  }

  private revokedAt(grantId: string): number | null {
    const row = this.sql
      .exec<{ revoked_at: number | null }>('SELECT revoked_at FROM grants WHERE grant_id = ?', grantId)
      .toArray()[0];
    return row?.revoked_at ?? null;
  }

  /** Keeps the grant's row until `expiresAt` at least. */
  private extendGrant(grantId: string, expiresAt: number): void {
    this.sql.exec(
      `INSERT INTO grants (grant_id, revoked_at, expires_at) VALUES (?, NULL, ?)
       ON CONFLICT (grant_id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`,
      grantId,
      expiresAt,
    );
  }

  private async scheduleSweep(): Promise<void> {
    if (this.sweepScheduled) return;
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + SWEEP_INTERVAL_MS);
    }
    this.sweepScheduled = true;
  }
}
