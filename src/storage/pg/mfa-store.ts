/**
 * PostgreSQL adapter for MfaStore (tables `totp_factors`, `recovery_codes`, `passkeys`). Single use is
 * decided by one conditional statement each: the TOTP step by `UPDATE ... WHERE last_used_step < $1`, a
 * recovery code by its `DELETE`, both judged by the rows they changed; multi-table deletes are one
 * statement (data-modifying CTEs), so they are all or nothing.
 */
import { and, asc, count, eq, lt, sql } from 'drizzle-orm';
import type { MfaStore, PasskeyRecord, TotpFactorRecord, UserFactors } from '../mfa';
import { ConflictError } from '../ports';
import { findOne } from './rows';
import { affected, type PgRunner } from './runner';
import { passkeys, recoveryCodes, totpFactors } from './schema';

const ownPasskey = (userId: string, credentialId: string) =>
  and(eq(passkeys.userId, userId), eq(passkeys.credentialId, credentialId));

/** MfaStore over PostgreSQL. */
export class PgMfaStore implements MfaStore {
  constructor(private readonly run: PgRunner) {}

  async getTotp(userId: string): Promise<TotpFactorRecord | null> {
    return findOne(this.run, 'totp factor', totpFactors, eq(totpFactors.userId, userId));
  }

  async deleteTotp(userId: string): Promise<boolean> {
    const result = await this.run('totp factor', (db) =>
      db.execute<{ user_id: string }>(sql`
        with codes as (delete from ${recoveryCodes} where user_id = ${userId})
        delete from ${totpFactors} where user_id = ${userId} returning user_id`),
    );
    return result.rows.length > 0;
  }

  async putPendingTotp(record: TotpFactorRecord): Promise<void> {
    // Replaces an unconfirmed factor only: a confirmed one makes the upsert change no row.
    const changed = await this.run('totp factor', async (db) =>
      affected(
        await db
          .insert(totpFactors)
          .values({ ...record, confirmed: false, lastUsedStep: 0 })
          .onConflictDoUpdate({
            target: totpFactors.userId,
            set: { secretEncrypted: record.secretEncrypted, lastUsedStep: 0, createdAt: record.createdAt },
            setWhere: eq(totpFactors.confirmed, false),
          }),
      ),
    );
    if (changed === 0) throw new ConflictError('totp factor');
  }

  async acceptTotpStep(userId: string, step: number): Promise<boolean> {
    const changed = await this.run('totp factor', async (db) =>
      affected(
        await db
          .update(totpFactors)
          .set({ lastUsedStep: step, confirmed: true })
          .where(and(eq(totpFactors.userId, userId), lt(totpFactors.lastUsedStep, step))),
      ),
    );
    return changed > 0;
  }

  async setRecoveryCodes(userId: string, codeHashes: string[], now: number): Promise<void> {
    await this.run('recovery code', (db) =>
      db.transaction(async (tx) => {
        await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
        if (codeHashes.length === 0) return;
        await tx
          .insert(recoveryCodes)
          .values(codeHashes.map((codeHash) => ({ userId, codeHash, createdAt: now })));
      }),
    );
  }

  async consumeRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const changed = await this.run(
      'recovery code',
      async (db) =>
        affected(
          await db
            .delete(recoveryCodes)
            .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, codeHash))),
        ),
      0,
    );
    return changed > 0;
  }

  async addPasskey(record: PasskeyRecord): Promise<void> {
    await this.run('passkey', (db) => db.insert(passkeys).values(record));
  }

  async getPasskey(credentialId: string): Promise<PasskeyRecord | null> {
    return findOne(this.run, 'passkey', passkeys, eq(passkeys.credentialId, credentialId));
  }

  async listPasskeys(userId: string): Promise<PasskeyRecord[]> {
    return this.run(
      'passkey',
      (db) =>
        db
          .select()
          .from(passkeys)
          .where(eq(passkeys.userId, userId))
          .orderBy(asc(passkeys.createdAt), asc(passkeys.credentialId)),
      [],
    );
  }

  async touchPasskey(credentialId: string, signCount: number, at: number): Promise<void> {
    await this.run('passkey', (db) =>
      db.update(passkeys).set({ signCount, lastUsedAt: at }).where(eq(passkeys.credentialId, credentialId)),
    );
  }

  async renamePasskey(userId: string, credentialId: string, name: string): Promise<boolean> {
    const changed = await this.run('passkey', async (db) =>
      affected(await db.update(passkeys).set({ name }).where(ownPasskey(userId, credentialId))),
    );
    return changed > 0;
  }

  async deletePasskey(userId: string, credentialId: string): Promise<boolean> {
    const changed = await this.run(
      'passkey',
      async (db) => affected(await db.delete(passkeys).where(ownPasskey(userId, credentialId))),
      0,
    );
    return changed > 0;
  }

  async factors(userId: string): Promise<UserFactors> {
    const [totp, codes, keys] = await Promise.all([
      this.getTotp(userId),
      this.run(
        'recovery code',
        (db) => db.select({ n: count() }).from(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
        [],
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
    const rows = await this.run(
      'second factor',
      (db) =>
        db
          .select({ one: sql<number>`1` })
          .from(totpFactors)
          .where(and(eq(totpFactors.userId, userId), eq(totpFactors.confirmed, true)))
          .unionAll(db.select({ one: sql<number>`1` }).from(passkeys).where(eq(passkeys.userId, userId)))
          .limit(1),
      [],
    );
    return rows.length > 0;
  }

  async deleteAllFactors(userId: string): Promise<void> {
    await this.run('second factor', (db) =>
      db.execute(sql`
        with codes as (delete from ${recoveryCodes} where user_id = ${userId}),
          keys as (delete from ${passkeys} where user_id = ${userId})
        delete from ${totpFactors} where user_id = ${userId}`),
    );
  }
}
