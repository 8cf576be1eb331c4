/**
 * AuthActor: authorization codes, pending consent requests, pushed authorization requests (RFC 9126),
 * device authorizations (RFC 8628) and WebAuthn challenges, sharded by the prefix of the code, request
 * id, request_uri reference, device code or challenge (src/oauth/sharded-id.ts; a user code maps to its
 * device code's shard, see src/oauth/device/codes.ts). Codes, references, device codes and challenges
 * are stored as SHA-256 hashes; every single-use step (redeem a code, take a pushed request, decide a
 * user code, redeem a device code, take a challenge) is one synchronous SQLite step, so of any number of
 * concurrent attempts exactly one succeeds.
 */
import { constantTimeEqual, sha256 } from '../src/crypto/hash';
import type {
  CodeRecord,
  DeviceAuthorization,
  DeviceDecision,
  DeviceLookup,
  DevicePollResult,
  PendingRequest,
  PushedRequest,
  RedeemCheck,
  RedeemResult,
  SignInRequirement,
} from '../src/oauth/authorization-state';
import { RESOURCE_NOT_GRANTED } from '../src/oauth/authorization-state';
import { withinGrantedResources } from '../src/oauth/resources/indicators';
import type { PasskeyChallenge } from '../src/sign-in/passkeys/challenges';
import { SweepingObject } from './sweeping-object';

/** Used codes are remembered this long after expiry so replays are still recognised. */
const REPLAY_MEMORY_SECS = 24 * 3600;
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** Device codes are kept this long after expiry, so a late poll still reads expired_token. */
const DEVICE_MEMORY_SECS = 3600;
/** RFC 8628 §3.5: every slow_down adds 5 seconds to the interval. */
const SLOW_DOWN_STEP_SECS = 5;

/**
 * The tables: the column holding the hash of a row's id, and how long a row is kept past its expiry
 * before the sweep drops it.
 */
const TABLES = {
  codes: { hashColumn: 'hash', keepSecs: REPLAY_MEMORY_SECS },
  pending: { hashColumn: 'id_hash', keepSecs: 0 },
  pushed: { hashColumn: 'ref_hash', keepSecs: 0 },
  devices: { hashColumn: 'code_hash', keepSecs: DEVICE_MEMORY_SECS },
  challenges: { hashColumn: 'id_hash', keepSecs: 0 },
} as const;
const TABLE_NAMES = Object.keys(TABLES) as (keyof typeof TABLES)[];

/** The tables of plain records (a device row has more columns); other columns of a new row start NULL. */
type RecordTable = Exclude<keyof typeof TABLES, 'devices'>;
const INSERT_RECORD = Object.fromEntries(
  TABLE_NAMES.map((table) => [
    table,
    `INSERT INTO ${table} (${TABLES[table].hashColumn}, record, expires_at) VALUES (?, ?, ?)`,
  ]),
) as Record<RecordTable, string>;

const SCHEMA = `
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
  CREATE TABLE IF NOT EXISTS pushed (
    ref_hash TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );
  CREATE TABLE IF NOT EXISTS devices (
    code_hash TEXT PRIMARY KEY,
    user_code TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    interval INTEGER NOT NULL,
    last_poll_at INTEGER,
    status TEXT NOT NULL,
    decision TEXT
  );
  CREATE TABLE IF NOT EXISTS challenges (
    id_hash TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
`;

type DeviceStatus = 'pending' | 'approved' | 'denied' | 'redeemed';
interface DeviceRow extends Record<string, SqlStorageValue> {
  code_hash: string;
  record: string;
  expires_at: number;
  interval: number;
  /** Milliseconds, unlike the other `*_at` columns: two polls in one wall-clock second must still be told apart. */
  last_poll_at: number | null;
  status: DeviceStatus;
  decision: string | null;
}

export class AuthActor extends SweepingObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, SCHEMA, SWEEP_INTERVAL_MS);
  }

  /** Stores `record` under the hash of `id` and makes sure a sweep will drop it once expired. */
  private async saveRecord(table: RecordTable, id: string, record: { expiresAt: number }): Promise<void> {
    this.sql.exec(INSERT_RECORD[table], await sha256(id), JSON.stringify(record), record.expiresAt);
    await this.scheduleSweep();
  }

  saveCode(code: string, record: CodeRecord): Promise<void> {
    return this.saveRecord('codes', code, record);
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
    const problem = bindingProblem(record, check, this.clock.nowSecs());
    if (problem) return { status: 'invalid', reason: problem };
    this.sql.exec('UPDATE codes SET used_at = ? WHERE hash = ?', this.clock.nowSecs(), hash);
    return { status: 'ok', code: record };
  }

  savePending(requestId: string, request: PendingRequest): Promise<void> {
    return this.saveRecord('pending', requestId, request);
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
    return request.expiresAt > this.clock.nowSecs() ? request : null;
  }

  savePushed(reference: string, request: PushedRequest): Promise<void> {
    return this.saveRecord('pushed', reference, request);
  }

  async peekPushed(reference: string): Promise<PushedRequest | null> {
    const row = this.livePushed(await sha256(reference));
    return row ? (JSON.parse(row.record) as PushedRequest) : null;
  }

  async holdPushed(reference: string, until: number, signIn: SignInRequirement): Promise<boolean> {
    const hash = await sha256(reference);
    const row = this.livePushed(hash);
    if (!row) return false;
    const request = JSON.parse(row.record) as PushedRequest;
    const expiresAt = Math.max(request.expiresAt, until);
    this.sql.exec(
      'UPDATE pushed SET record = ?, expires_at = ? WHERE ref_hash = ?',
      JSON.stringify({ ...request, expiresAt, signIn }),
      expiresAt,
      hash,
    );
    return true;
  }

  async takePushed(reference: string): Promise<PushedRequest | null> {
    const hash = await sha256(reference);
    const row = this.livePushed(hash);
    if (!row) return null;
    this.sql.exec('UPDATE pushed SET used_at = ? WHERE ref_hash = ?', this.clock.nowSecs(), hash);
    return JSON.parse(row.record) as PushedRequest;
  }

  private livePushed(hash: string): { record: string } | undefined {
    return this.sql
      .exec<{ record: string }>(
        'SELECT record FROM pushed WHERE ref_hash = ? AND used_at IS NULL AND expires_at > ?',
        hash,
        this.clock.nowSecs(),
      )
      .toArray()[0];
  }

  async saveDevice(deviceCode: string, userCode: string, device: DeviceAuthorization): Promise<boolean> {
    const hash = await sha256(deviceCode);
    // No await from here on: the check and the insert are one step for this object.
    this.sql.exec(
      'DELETE FROM devices WHERE user_code = ? AND expires_at <= ?',
      userCode,
      this.clock.nowSecs(),
    );
    const taken = this.sql.exec('SELECT 1 FROM devices WHERE user_code = ?', userCode).toArray().length > 0;
    if (taken) return false;
    this.sql.exec(
      `INSERT INTO devices (code_hash, user_code, record, expires_at, interval, last_poll_at, status, decision)
       VALUES (?, ?, ?, ?, ?, NULL, 'pending', NULL)`,
      hash,
      userCode,
      JSON.stringify(device),
      device.expiresAt,
      device.interval,
    );
    await this.scheduleSweep();
    return true;
  }

  async lookupUserCode(userCode: string): Promise<DeviceLookup | null> {
    const row = this.pendingDevice(userCode);
    return row ? lookupOf(row) : null;
  }

  async decideUserCode(userCode: string, decision: DeviceDecision): Promise<DeviceLookup | null> {
    const row = this.pendingDevice(userCode);
    if (!row) return null;
    this.sql.exec(
      'UPDATE devices SET status = ?, decision = ? WHERE code_hash = ?',
      decision.approved ? 'approved' : 'denied',
      JSON.stringify(decision),
      row.code_hash,
    );
    return lookupOf(row);
  }

  /**
   * An operator ends a pending device authorization early: it expires now, so the device's next poll
   * answers expired_token and the user code can no longer be approved. Null when it was not pending.
   */
  async expireUserCode(userCode: string): Promise<DeviceLookup | null> {
    const row = this.pendingDevice(userCode);
    if (!row) return null;
    this.sql.exec(
      'UPDATE devices SET expires_at = ? WHERE code_hash = ?',
      this.clock.nowSecs(),
      row.code_hash,
    );
    return lookupOf(row);
  }

  private pendingDevice(userCode: string): DeviceRow | undefined {
    return this.sql
      .exec<DeviceRow>(
        "SELECT * FROM devices WHERE user_code = ? AND status = 'pending' AND expires_at > ?",
        userCode,
        this.clock.nowSecs(),
      )
      .toArray()[0];
  }

  async pollDevice(deviceCode: string, clientId: string): Promise<DevicePollResult> {
    const hash = await sha256(deviceCode);
    const row = this.sql.exec<DeviceRow>('SELECT * FROM devices WHERE code_hash = ?', hash).toArray()[0];
    if (!row) return { status: 'invalid', reason: 'unknown device code' };
    const device = JSON.parse(row.record) as DeviceAuthorization;
    // Like a used authorization code: whoever presents it again, its tokens are revoked (RFC 9700 §4.5.3).
    if (row.status === 'redeemed') return { status: 'replayed', grantId: device.grantId };
    if (device.clientId !== clientId)
      return { status: 'invalid', reason: 'the device code was issued to another client' };
    const now = this.clock.nowSecs();
    if (row.expires_at <= now) return { status: 'expired' };
    if (row.status === 'approved' && row.decision !== null) {
      this.sql.exec(
        "UPDATE devices SET status = 'redeemed', last_poll_at = ? WHERE code_hash = ?",
        this.clock.nowMs(),
        hash,
      );
      return { status: 'approved', device, decision: JSON.parse(row.decision) as DeviceDecision };
    }
    if (row.status === 'denied') return { status: 'denied' };
    // Still pending: polling faster than the interval slows the device down for good (RFC 8628 §3.5).
    const nowMs = this.clock.nowMs();
    if (row.last_poll_at !== null && nowMs - row.last_poll_at < row.interval * 1000) {
      const interval = row.interval + SLOW_DOWN_STEP_SECS;
      this.sql.exec(
        'UPDATE devices SET interval = ?, last_poll_at = ? WHERE code_hash = ?',
        interval,
        nowMs,
        hash,
      );
      return { status: 'slow_down', interval };
    }
    this.sql.exec('UPDATE devices SET last_poll_at = ? WHERE code_hash = ?', nowMs, hash);
    return { status: 'pending' };
  }

  saveChallenge(id: string, challenge: PasskeyChallenge): Promise<void> {
    return this.saveRecord('challenges', id, challenge);
  }

  async takeChallenge(id: string): Promise<PasskeyChallenge | null> {
    const row = this.sql
      .exec<{ record: string }>('DELETE FROM challenges WHERE id_hash = ? RETURNING record', await sha256(id))
      .toArray()[0];
    if (!row) return null;
    const challenge = JSON.parse(row.record) as PasskeyChallenge;
    return challenge.expiresAt > this.clock.nowSecs() ? challenge : null;
  }

  /** Drops the rows past their expiry and the table's memory after it. */
  protected override sweepExpired(): number {
    const now = this.clock.nowSecs();
    for (const table of TABLE_NAMES) {
      this.sql.exec(`DELETE FROM ${table} WHERE expires_at < ?`, now - TABLES[table].keepSecs);
    }
    return this.countRows(...TABLE_NAMES);
  }
}

function lookupOf(row: DeviceRow): DeviceLookup {
  const device = JSON.parse(row.record) as DeviceAuthorization;
  return { clientId: device.clientId, scope: device.scope, expiresAt: device.expiresAt };
}

/** Why the presented request does not match the code, or null. Mismatches do not burn the code. */
function bindingProblem(record: CodeRecord, check: RedeemCheck, now: number): string | null {
  if (record.expiresAt <= now) return 'the authorization code has expired';
  if (record.clientId !== check.clientId) return 'the authorization code was issued to another client';
  if (check.redirectUri !== undefined && check.redirectUri !== record.redirectUri) {
    return 'redirect_uri does not match the authorization request';
  }
  if (!constantTimeEqual(check.codeChallenge, record.codeChallenge)) return 'code_verifier does not match';
  // RFC 9449 §10: a code bound with dpop_jkt is redeemed only with a proof by that key.
  if (record.dpopJkt !== undefined && check.dpopJkt !== record.dpopJkt) {
    return check.dpopJkt === undefined
      ? 'the authorization code is bound to a DPoP key; send a DPoP proof'
      : 'the DPoP proof key does not match the dpop_jkt of the authorization request';
  }
  if (!withinGrantedResources(check.resources, record.resources)) return RESOURCE_NOT_GRANTED;
  return null;
}
