/**
 * AuthActor: authorization codes and pending consent requests, sharded by the prefix of the code or
 * request id (src/oauth/sharded-id.ts). Codes are stored as SHA-256 hashes; redemption checks the
 * binding (client, redirect URI, PKCE) and burns the code in one step, so of any number of concurrent
 * redemptions exactly one succeeds; a later one is reported as a replay with the grant it produced.
 */
import { DurableObject } from 'cloudflare:workers';
import { constantTimeEqual, sha256 } from '../src/crypto/hash';
import type { CodeRecord, PendingRequest, RedeemCheck, RedeemResult } from '../src/oauth/authorization-state';

/** Used codes are remembered this long after expiry so replays are still recognised. */
const REPLAY_MEMORY_SECS = 24 * 3600;
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

const nowSecs = () => Math.floor(Date.now() / 1000);

export class AuthActor extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private sweepScheduled = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS codes (
        hash TEXT PRIMARY KEY,
        record TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      );
      CREATE TABLE IF NOT EXISTS pending (
        id_hash TEXT PRIMARY KEY,
        record TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `);
  }

  async saveCode(code: string, record: CodeRecord): Promise<void> {
    this.sql.exec(
      'INSERT INTO codes (hash, record, expires_at, used_at) VALUES (?, ?, ?, NULL)',
      await sha256(code),
      JSON.stringify(record),
      record.expiresAt,
    );
    await this.scheduleSweep();
  }

  async redeemCode(code: string, check: RedeemCheck): Promise<RedeemResult> {
    const hash = await sha256(code);
    const row = this.sql
      .exec<{ record: string; used_at: number | null }>(
        'SELECT record, used_at FROM codes WHERE hash = ?',
        hash,
      )
      .toArray()[0];
    if (!row) return { status: 'invalid', reason: 'unknown authorization code' };
    const record = JSON.parse(row.record) as CodeRecord;
    if (row.used_at !== null) return { status: 'replayed', grantId: record.grantId };
    const problem = bindingProblem(record, check);
    if (problem) return { status: 'invalid', reason: problem };
    this.sql.exec('UPDATE codes SET used_at = ? WHERE hash = ?', nowSecs(), hash);
    return { status: 'ok', code: record };
  }

  async savePending(requestId: string, request: PendingRequest): Promise<void> {
    this.sql.exec(
      'INSERT INTO pending (id_hash, record, expires_at) VALUES (?, ?, ?)',
      await sha256(requestId),
      JSON.stringify(request),
      request.expiresAt,
    );
    await this.scheduleSweep();
  }

  async takePending(requestId: string, userId: string): Promise<PendingRequest | null> {
    const idHash = await sha256(requestId);
    const row = this.sql
      .exec<{ record: string }>('SELECT record FROM pending WHERE id_hash = ?', idHash)
      .toArray()[0];
    if (!row) return null;
    const request = JSON.parse(row.record) as PendingRequest;
    if (request.userId !== userId) return null;
    this.sql.exec('DELETE FROM pending WHERE id_hash = ?', idHash);
    return request.expiresAt > nowSecs() ? request : null;
  }

  override async alarm(): Promise<void> {
    const now = nowSecs();
    this.sql.exec('DELETE FROM codes WHERE expires_at < ?', now - REPLAY_MEMORY_SECS);
    this.sql.exec('DELETE FROM pending WHERE expires_at < ?', now);
    this.sweepScheduled = false;
    const left =
      this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM codes').one().n +
      this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM pending').one().n;
    if (left > 0) await this.scheduleSweep();
  }

  private async scheduleSweep(): Promise<void> {
    if (this.sweepScheduled) return;
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + SWEEP_INTERVAL_MS);
    this.sweepScheduled = true;
  }
}

/** Why the presented request does not match the code, or null. Mismatches do not burn the code. */
function bindingProblem(record: CodeRecord, check: RedeemCheck): string | null {
  if (record.expiresAt <= nowSecs()) return 'the authorization code has expired';
  if (record.clientId !== check.clientId) return 'the authorization code was issued to another client';
  if (check.redirectUri !== undefined && check.redirectUri !== record.redirectUri) {
    return 'redirect_uri does not match the authorization request';
  }
  if (!constantTimeEqual(check.codeChallenge, record.codeChallenge)) return 'code_verifier does not match';
  return null;
}
