/**
 * D1 adapter for MfaStore (tables `totp_factors`, `recovery_codes`, `passkeys`). Single use is decided by
 * one conditional statement each: the TOTP step by `UPDATE ... WHERE last_used_step < ?`, a recovery code
 * by its `DELETE`, both judged by the rows they changed.
 */
import { and, asc, count, eq, lt, sql } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { MfaStore, PasskeyRecord, TotpFactorRecord, UserFactors } from '../mfa';
import { ConflictError } from '../ports';
import { d1Call } from './errors';
import { findOneBy } from './rows';
import { passkeys, recoveryCodes, totpFactors } from './schema';

const ownPasskey = (userId: string, credentialId: string) =>
  and(eq(passkeys.userId, userId), eq(passkeys.credentialId, credentialId));

/** MfaStore over D1. */
export class D1MfaStore implements MfaStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async getTotp(userId: string): Promise<TotpFactorRecord | null> {
    return findOneBy(this.db, 'totp factor', totpFactors, totpFactors.userId, userId);
  }

  async deleteTotp(userId: string): Promise<boolean> {
    const [factor] = await d1Call('totp factor', () =>
      this.db.batch([
        this.db.delete(totpFactors).where(eq(totpFactors.userId, userId)),
        this.db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
      ]),
    );
    return factor.meta.changes > 0;
  }

  async putPendingTotp(record: TotpFactorRecord): Promise<void> {
    // Replaces an unconfirmed factor only: a confirmed one makes the upsert change no row.
    const result = await d1Call('totp factor', () =>
      this.db
        .insert(totpFactors)
        .values({ ...record, confirmed: false, lastUsedStep: 0 })
        .onConflictDoUpdate({
          target: totpFactors.userId,
          set: { secretEncrypted: record.secretEncrypted, lastUsedStep: 0, createdAt: record.createdAt },
          setWhere: eq(totpFactors.confirmed, false),
        })
        .run(),
    );
    if (result.meta.changes === 0) throw new ConflictError('totp factor');
  }

  async acceptTotpStep(userId: string, step: number): Promise<boolean> {
    const result = await d1Call('totp factor', () =>
      this.db
        .update(totpFactors)
        .set({ lastUsedStep: step, confirmed: true })
        .where(and(eq(totpFactors.userId, userId), lt(totpFactors.lastUsedStep, step)))
        .run(),
    );
    return result.meta.changes > 0;
  }

  async setRecoveryCodes(userId: string, codeHashes: string[], now: number): Promise<void> {
    const rows = codeHashes.map((codeHash) => ({ userId, codeHash, createdAt: now }));
    const remove = this.db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    // D1 binds at most 100 parameters per statement: three per code.
    const inserts = chunks(rows, 30).map((part) => this.db.insert(recoveryCodes).values(part));
    await d1Call('recovery code', () => this.db.batch([remove, ...inserts]));
  }

  async consumeRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const result = await d1Call('recovery code', () =>
      this.db
        .delete(recoveryCodes)
        .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, codeHash)))
        .run(),
    );
    return result.meta.changes > 0;
  }

  async addPasskey(record: PasskeyRecord): Promise<void> {
    await d1Call('passkey', () => this.db.insert(passkeys).values(record).run());
  }

  async getPasskey(credentialId: string): Promise<PasskeyRecord | null> {
    return findOneBy(this.db, 'passkey', passkeys, passkeys.credentialId, credentialId);
  }

  async listPasskeys(userId: string): Promise<PasskeyRecord[]> {
    return d1Call('passkey', () =>
      this.db
        .select()
        .from(passkeys)
        .where(eq(passkeys.userId, userId))
        .orderBy(asc(passkeys.createdAt), asc(passkeys.credentialId)),
    );
  }

  async touchPasskey(credentialId: string, signCount: number, at: number): Promise<void> {
    await d1Call('passkey', () =>
      this.db
        .update(passkeys)
        .set({ signCount, lastUsedAt: at })
        .where(eq(passkeys.credentialId, credentialId))
        .run(),
    );
  }

  async renamePasskey(userId: string, credentialId: string, name: string): Promise<boolean> {
    const result = await d1Call('passkey', () =>
      this.db.update(passkeys).set({ name }).where(ownPasskey(userId, credentialId)).run(),
    );
    return result.meta.changes > 0;
  }

  async deletePasskey(userId: string, credentialId: string): Promise<boolean> {
    const result = await d1Call('passkey', () =>
      this.db.delete(passkeys).where(ownPasskey(userId, credentialId)).run(),
    );
    return result.meta.changes > 0;
  }

  async factors(userId: string): Promise<UserFactors> {
    const [totp, codes, keys] = await Promise.all([
      this.getTotp(userId),
      d1Call('recovery code', () =>
        this.db.select({ n: count() }).from(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
      ),
      this.listPasskeys(userId),
    ]);
    return {
      totp: totp === null ? null : { confirmed: totp.confirmed, createdAt: totp.createdAt },
      recoveryCodesLeft: codes[0]?.n ?? 0,
      passkeys: keys,
    };
  }

  async hasSecondFactor(userId: string): Promise<boolean> {
    const rows = await d1Call('second factor', () =>
      this.db
        .select({ one: sql<number>`1` })
        .from(totpFactors)
        .where(and(eq(totpFactors.userId, userId), eq(totpFactors.confirmed, true)))
        .unionAll(this.db.select({ one: sql<number>`1` }).from(passkeys).where(eq(passkeys.userId, userId)))
        .limit(1),
    );
    return rows.length > 0;
  }

  async deleteAllFactors(userId: string): Promise<void> {
    await d1Call('second factor', () =>
      this.db.batch([
        this.db.delete(totpFactors).where(eq(totpFactors.userId, userId)),
        this.db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
        this.db.delete(passkeys).where(eq(passkeys.userId, userId)),
      ]),
    );
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}
