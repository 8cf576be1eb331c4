/**
 * TokenActor: the live state of token families (grants). Each grant id starts with a shard prefix
 * (src/oauth/sharded-id.ts) naming the actor that owns it, so many grants share a warm object and no
 * object is hot. Owns revocation state, opaque access tokens and the refresh-token chain (all stored
 * as SHA-256 hashes only). Every transition of a grant runs inside its actor, and each RPC method
 * below runs its SQL without awaiting in between, so rotation, reuse detection, revocation and issuance
 * are serialized. Expired rows are dropped by an alarm.
 */
import type {
  ActClaim,
  RefreshFamily,
  RefreshTokenState,
  RotationRequest,
  RotationResult,
  StoredAccessToken,
} from '../src/oauth/ports';
import { withinGrantedResources } from '../src/oauth/resources/indicators';
import { SweepingObject } from './sweeping-object';

/** How often expired grants are swept, and the grace after expiry before their rows are dropped. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const EXPIRY_GRACE_SECS = 60;
/**
 * Rotated refresh tokens kept per family for reuse detection. Older ones are forgotten: presenting one
 * is then an unknown token (invalid_grant) rather than reuse, which keeps a family's rows bounded.
 */
const ROTATED_TOKENS_KEPT = 64;

type FamilyRow = {
  grant_id: string;
  client_id: string;
  user_id: string;
  scope: string;
  auth_time: number;
  sid: string;
  created_at: number;
  expires_at: number;
  /** RFC 8707 resources granted, as a JSON array, else null; column added after v1. */
  resources?: string | null;
  /** RFC 9449 §5: the DPoP key thumbprint a public client's family is bound to; column added after v1. */
  jkt?: string | null;
  /** The sign-in's RFC 8176 `amr` and `acr` as JSON `{amr, acr}`, else null; column added after v1. */
  sign_in?: string | null;
};

type RefreshTokenRow = {
  hash: string;
  grant_id: string;
  generation: number;
  issued_at: number;
  rotated_at: number | null;
  successor_hash: string | null;
};

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
  /** RFC 8693 `act` claim as JSON (token exchange), else null; column added after v1. */
  act?: string | null;
  /** RFC 9449: the DPoP key thumbprint of a bound opaque token; column added after v1. */
  jkt?: string | null;
};

const SCHEMA = `
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
    expires_at INTEGER NOT NULL,
    act TEXT,
    jkt TEXT
  );
  CREATE INDEX IF NOT EXISTS access_tokens_grant ON access_tokens (grant_id);
  CREATE TABLE IF NOT EXISTS refresh_families (
    grant_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    auth_time INTEGER NOT NULL,
    sid TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    resources TEXT,
    jkt TEXT,
    sign_in TEXT
  );
  CREATE TABLE IF NOT EXISTS refresh_tokens (
    hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    generation INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    rotated_at INTEGER,
    successor_hash TEXT
  );
  CREATE INDEX IF NOT EXISTS refresh_tokens_grant ON refresh_tokens (grant_id, generation);
`;

/**
 * Columns added to the tables after v1 (SCHEMA has them too): objects created earlier get them added on
 * their next start.
 */
const ADDED_COLUMNS = {
  access_tokens: { act: 'TEXT', jkt: 'TEXT' },
  refresh_families: { resources: 'TEXT', jkt: 'TEXT', sign_in: 'TEXT' },
} as const;

export class TokenActor extends SweepingObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, SCHEMA, SWEEP_INTERVAL_MS);
    // A new object gets every column from SCHEMA; one created by an earlier version gets the missing ones.
    this.addColumns('access_tokens', ADDED_COLUMNS.access_tokens);
    this.addColumns('refresh_families', ADDED_COLUMNS.refresh_families);
  }

  /**
   * Adds the columns a table created by an earlier version of this class lacks (SQLite has no ADD COLUMN
   * IF NOT EXISTS): one read of the table's columns, and a write only for an old object.
   */
  private addColumns(table: string, added: Readonly<Record<string, string>>): void {
    const present = new Set(
      this.sql
        .exec<{ name: string }>(`PRAGMA table_info(${table})`)
        .toArray()
        .map((row) => row.name),
    );
    for (const [column, type] of Object.entries(added)) {
      if (!present.has(column)) this.sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
  }

  /** Records an opaque access token in its grant; false when the grant is revoked. */
  async storeAccessToken(grantId: string, token: StoredAccessToken): Promise<boolean> {
    if (!this.extendLiveGrant(grantId, token.expiresAt)) return false;
    this.sql.exec(
      'INSERT INTO access_tokens (hash, grant_id, jti, client_id, sub, scope, aud, issued_at, expires_at, act, jkt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      token.hash,
      grantId,
      token.jti,
      token.clientId,
      token.sub,
      token.scope,
      JSON.stringify(token.aud),
      token.issuedAt,
      token.expiresAt,
      token.act ? JSON.stringify(token.act) : null,
      token.jkt ?? null,
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
      ...(row.act ? { act: JSON.parse(row.act) as ActClaim } : {}),
      ...(row.jkt ? { jkt: row.jkt } : {}),
    };
  }

  /**
   * Revokes the grant: its access tokens and its whole refresh-token family. Kept (revoked) until
   * `expiresAt`, when nothing it issued can be valid any more.
   */
  async revoke(grantId: string, expiresAt: number): Promise<void> {
    this.revokeGrant(grantId, expiresAt, this.clock.nowSecs());
    await this.scheduleSweep();
  }

  async isRevoked(grantId: string): Promise<boolean> {
    return this.revokedAt(grantId) !== null;
  }

  /**
   * Starts a grant's refresh-token family with its first token. False when the grant was revoked
   * (a replayed authorization code) or already has a family.
   */
  async startFamily(
    grantId: string,
    family: RefreshFamily,
    first: { hash: string; accessTokenExpiresAt: number },
    now: number,
  ): Promise<boolean> {
    if (this.revokedAt(grantId) !== null || this.family(grantId) !== null) return false;
    this.sql.exec(
      `INSERT INTO refresh_families (grant_id, client_id, user_id, scope, auth_time, sid, created_at, expires_at, resources, jkt, sign_in)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      grantId,
      family.clientId,
      family.userId,
      family.scope,
      family.authTime,
      family.sid,
      now,
      family.expiresAt,
      family.resources?.length ? JSON.stringify(family.resources) : null,
      family.jkt ?? null,
      family.amr?.length || family.acr
        ? JSON.stringify({ amr: family.amr ?? [], acr: family.acr ?? null })
        : null,
    );
    this.insertRefreshToken(grantId, first.hash, 1, now);
    this.extendGrant(grantId, Math.max(family.expiresAt, first.accessTokenExpiresAt));
    await this.scheduleSweep();
    return true;
  }

  /**
   * Exchanges a refresh token (RFC 6749 §6) for its successor, in one synchronous step so concurrent
   * presentations of one token are strictly ordered: the first rotates it; every later one is reuse
   * (RFC 9700 §4.14.2) and revokes the family, unless it falls in the retry window and presents the
   * same successor, which has not been used yet. Nothing changes for an invalid request.
   */
  async rotateRefreshToken(grantId: string, request: RotationRequest, now: number): Promise<RotationResult> {
    const found = this.liveRefreshToken(grantId, request.hash, now);
    if (found.status === 'invalid') return found;
    const { row, family } = found;
    if (family.client_id !== request.clientId) {
      return { status: 'invalid', reason: 'the refresh token was issued to another client' };
    }
    // RFC 9449 §5: a bound family is refreshed only with a proof of the same key; nothing changes otherwise.
    if (family.jkt && family.jkt !== request.jkt) {
      return { status: 'invalid', reason: 'the refresh token is bound to another DPoP key' };
    }
    const retried = row.successor_hash !== null;
    if (retried && !this.isBenignRetry(row, request, now)) {
      this.revokeGrant(grantId, family.expires_at, now);
      return { status: 'reused' };
    }
    const granted = new Set(family.scope.split(' '));
    const wider = request.scope.filter((scope) => !granted.has(scope));
    if (wider.length > 0) {
      return {
        status: 'invalid_scope',
        reason: `scope not granted to this refresh token: ${wider.join(' ')}`,
      };
    }
    const resources: string[] = family.resources ? JSON.parse(family.resources) : [];
    if (!withinGrantedResources(request.resources, resources)) {
      return { status: 'invalid_target', reason: 'resource was not granted to this refresh token' };
    }
    if (!retried) {
      this.sql.exec(
        'UPDATE refresh_tokens SET rotated_at = ?, successor_hash = ? WHERE hash = ?',
        now,
        request.successorHash,
        row.hash,
      );
      this.insertRefreshToken(grantId, request.successorHash, row.generation + 1, now);
      this.sql.exec(
        'DELETE FROM refresh_tokens WHERE grant_id = ? AND generation <= ?',
        grantId,
        row.generation - ROTATED_TOKENS_KEPT,
      );
    }
    this.extendGrant(grantId, Math.max(family.expires_at, request.accessTokenExpiresAt));
    return { status: 'rotated', family: toFamily(family), generation: row.generation + 1, retried };
  }

  /** A refresh token of a live family, current or already rotated; null when unknown, expired or revoked. */
  async findRefreshToken(grantId: string, hash: string, now: number): Promise<RefreshTokenState | null> {
    const found = this.liveRefreshToken(grantId, hash, now);
    if (found.status === 'invalid') return null;
    return {
      grantId,
      family: toFamily(found.family),
      generation: found.row.generation,
      issuedAt: found.row.issued_at,
      current: found.row.successor_hash === null,
    };
  }

  /** Drops grants, tokens and refresh families past their expiry; answers how many grants and families stay. */
  protected override sweepExpired(): number {
    const cutoff = this.clock.nowSecs() - EXPIRY_GRACE_SECS;
    this.sql.exec('DELETE FROM access_tokens WHERE expires_at < ?', cutoff);
    this.sql.exec(
      'DELETE FROM refresh_tokens WHERE grant_id IN (SELECT grant_id FROM refresh_families WHERE expires_at < ?)',
      cutoff,
    );
    this.sql.exec('DELETE FROM refresh_families WHERE expires_at < ?', cutoff);
    this.sql.exec('DELETE FROM grants WHERE expires_at < ?', cutoff);
    return this.countRows('grants', 'refresh_families');
  }

  /** The presented token and its family, when the family is live (not revoked, not expired at `now`). */
  private liveRefreshToken(
    grantId: string,
    hash: string,
    now: number,
  ): { status: 'live'; row: RefreshTokenRow; family: FamilyRow } | { status: 'invalid'; reason: string } {
    const row = this.sql
      .exec<RefreshTokenRow>('SELECT * FROM refresh_tokens WHERE hash = ? AND grant_id = ?', hash, grantId)
      .toArray()[0];
    const family = this.family(grantId);
    if (!row || !family || this.revokedAt(grantId) !== null) {
      return { status: 'invalid', reason: 'unknown refresh token' };
    }
    if (family.expires_at <= now) return { status: 'invalid', reason: 'the refresh token has expired' };
    return { status: 'live', row, family };
  }

  /**
   * A second presentation of a rotated token that is a client's retry, not theft: within the window
   * after the rotation, with the same successor (so the same presented token), not used yet.
   */
  private isBenignRetry(row: RefreshTokenRow, request: RotationRequest, now: number): boolean {
    if (request.reuseIntervalSecs <= 0 || row.rotated_at === null) return false;
    if (now - row.rotated_at > request.reuseIntervalSecs) return false;
    if (row.successor_hash !== request.successorHash) return false;
    const successor = this.sql
      .exec<{ successor_hash: string | null }>(
        'SELECT successor_hash FROM refresh_tokens WHERE hash = ? AND grant_id = ?',
        row.successor_hash,
        row.grant_id,
      )
      .toArray()[0];
    return successor !== undefined && successor.successor_hash === null;
  }

  private family(grantId: string): FamilyRow | null {
    return (
      this.sql.exec<FamilyRow>('SELECT * FROM refresh_families WHERE grant_id = ?', grantId).toArray()[0] ??
      null
    );
  }

  private insertRefreshToken(grantId: string, hash: string, generation: number, now: number): void {
    this.sql.exec(
      'INSERT INTO refresh_tokens (hash, grant_id, generation, issued_at, rotated_at, successor_hash) VALUES (?, ?, ?, ?, NULL, NULL)',
      hash,
      grantId,
      generation,
      now,
    );
  }

  /** Marks the grant revoked (kept until `expiresAt`) and forgets its access and refresh tokens. */
  private revokeGrant(grantId: string, expiresAt: number, now: number): void {
    this.extendGrant(grantId, expiresAt);
    this.sql.exec('UPDATE grants SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL', now, grantId);
    this.sql.exec('DELETE FROM access_tokens WHERE grant_id = ?', grantId);
    this.sql.exec('DELETE FROM refresh_tokens WHERE grant_id = ?', grantId);
    this.sql.exec('DELETE FROM refresh_families WHERE grant_id = ?', grantId);
  }

  private revokedAt(grantId: string): number | null {
    const row = this.sql
      .exec<{ revoked_at: number | null }>('SELECT revoked_at FROM grants WHERE grant_id = ?', grantId)
      .toArray()[0];
    return row?.revoked_at ?? null;
  }

  /**
   * Keeps the grant's row until `expiresAt` at least and answers whether the grant is live (not revoked):
   * one statement where a read and a write would do, on the path of every opaque token.
   */
  private extendLiveGrant(grantId: string, expiresAt: number): boolean {
    const row = this.sql
      .exec<{ revoked_at: number | null }>(
        `INSERT INTO grants (grant_id, revoked_at, expires_at) VALUES (?, NULL, ?)
         ON CONFLICT (grant_id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)
         RETURNING revoked_at`,
        grantId,
        expiresAt,
      )
      .one();
    return row.revoked_at === null;
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
}

function toFamily(row: FamilyRow): RefreshFamily {
  return {
    clientId: row.client_id,
    userId: row.user_id,
    scope: row.scope,
    authTime: row.auth_time,
    sid: row.sid,
    expiresAt: row.expires_at,
    ...(row.resources ? { resources: JSON.parse(row.resources) as string[] } : {}),
    ...(row.jkt ? { jkt: row.jkt } : {}),
    ...signInOf(row.sign_in),
  };
}

/** The `amr`/`acr` kept with a family (JSON written by startFamily). */
function signInOf(value: string | null | undefined): { amr?: string[]; acr?: string } {
  if (!value) return {};
  const parsed = JSON.parse(value) as { amr: string[]; acr: string | null };
  return {
    ...(parsed.amr.length > 0 ? { amr: parsed.amr } : {}),
    ...(parsed.acr ? { acr: parsed.acr } : {}),
  };
}
