/**
 * TokenActor: one per grant (token family), addressed by the grant id embedded in every token
 * it owns. Owns the grant's revocation state and its opaque access tokens (stored as SHA-256
 * hashes only). Every transition runs inside the actor, so revocation and issuance are serialized.
 * State is dropped by an alarm once the grant has expired.
 */
import { DurableObject } from 'cloudflare:workers';
import type { StoredAccessToken } from '../src/oauth/ports';

export class TokenActor extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS grant_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        revoked_at INTEGER,
        expires_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS access_tokens (
        hash TEXT PRIMARY KEY,
        jti TEXT NOT NULL,
        client_id TEXT NOT NULL,
        sub TEXT NOT NULL,
        scope TEXT NOT NULL,
        aud TEXT NOT NULL,
        issued_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `);
  }

  async storeAccessToken(token: StoredAccessToken): Promise<boolean> {
    if (this.revokedAt() !== null) return false;
    this.sql.exec(
      'INSERT INTO access_tokens (hash, jti, client_id, sub, scope, aud, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      token.hash,
      token.jti,
      token.clientId,
      token.sub,
      token.scope,
      JSON.stringify(token.aud),
      token.issuedAt,
      token.expiresAt,
    );
    await this.extendLifetime(token.expiresAt);
    return true;
  }

  async findAccessToken(hash: string, now: number): Promise<StoredAccessToken | null> {
    if (this.revokedAt() !== null) return null;
    const row = this.sql
      .exec<{
        hash: string;
        jti: string;
        client_id: string;
        sub: string;
        scope: string;
        aud: string;
        issued_at: number;
        expires_at: number;
      }>('SELECT * FROM access_tokens WHERE hash = ?', hash)
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

  async revoke(expiresAt: number): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    await this.extendLifetime(expiresAt);
    this.sql.exec('UPDATE grant_state SET revoked_at = ? WHERE id = 1 AND revoked_at IS NULL', now);
  }

  async isRevoked(): Promise<boolean> {
    return this.revokedAt() !== null;
  }

  /** The grant has expired: nothing it issued can be valid any more. */
  override async alarm(): Promise<void> {
    this.sql.exec('DELETE FROM access_tokens; DELETE FROM grant_state;');
  }

  private revokedAt(): number | null {
    const row = this.sql
      .exec<{ revoked_at: number | null }>('SELECT revoked_at FROM grant_state WHERE id = 1')
      .toArray()[0];
    return row?.revoked_at ?? null;
  }

  /** Keeps the grant's state (and its alarm) until `expiresAt` at least. */
  private async extendLifetime(expiresAt: number): Promise<void> {
    const row = this.sql
      .exec<{ expires_at: number }>('SELECT expires_at FROM grant_state WHERE id = 1')
      .toArray()[0];
    if (row && row.expires_at >= expiresAt) return;
    this.sql.exec(
      'INSERT INTO grant_state (id, revoked_at, expires_at) VALUES (1, NULL, ?) ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at',
      expiresAt,
    );
    await this.ctx.storage.setAlarm((expiresAt + 60) * 1000);
  }
}
