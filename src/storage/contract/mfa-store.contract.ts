/**
 * MfaStore contract: a TOTP factor set up, confirmed by its first step and never replaced once confirmed;
 * single use of time steps and recovery codes (also under concurrency); passkeys by credential id and by
 * user; and every factor deleted with its user.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { PasskeyRecord, TotpFactorRecord } from '../mfa';
import { ConflictError, type Storage, type Written } from '../ports';
import { type MakeStorage, makeAuditEntry, makeUser, NOW, uid } from './fixtures';

function makeTotp(userId: string, overrides: Partial<TotpFactorRecord> = {}): TotpFactorRecord {
  return {
    userId,
    secretEncrypted: 'v1.iv.sealed',
    confirmed: false,
    lastUsedStep: 0,
    createdAt: NOW,
    ...overrides,
  };
}

function makePasskey(userId: string, overrides: Partial<PasskeyRecord> = {}): PasskeyRecord {
  return {
    credentialId: uid('cred-'),
    userId,
    publicKey: 'pQECAyYgASFYIA',
    signCount: 0,
    transports: ['internal', 'hybrid'],
    name: 'Passkey',
    deviceType: 'multiDevice',
    backedUp: true,
    createdAt: NOW,
    lastUsedAt: null,
    ...overrides,
  };
}

export function describeMfaStoreContract(name: string, makeStorage: MakeStorage): void {
  describe(`MfaStore contract (${name})`, () => {
    let storage: Storage;
    beforeAll(async () => {
      storage = await makeStorage();
    });

    async function newUser(): Promise<string> {
      const user = makeUser();
      await storage.users.create(user);
      return user.id;
    }

    /** Gives `userId` a pending TOTP factor, the recovery codes `codes` and one passkey (answered). */
    async function giveFactors(userId: string, codes: string[]): Promise<PasskeyRecord> {
      await storage.mfa.putPendingTotp(makeTotp(userId));
      await storage.mfa.setRecoveryCodes(userId, codes, NOW);
      const key = makePasskey(userId);
      await storage.mfa.addPasskey(key);
      return key;
    }

    it('sets up a pending TOTP factor and confirms it with its first accepted step', async () => {
      const userId = await newUser();
      expect(await storage.mfa.getTotp(userId)).toBeNull();
      await storage.mfa.putPendingTotp(makeTotp(userId));
      expect(await storage.mfa.getTotp(userId)).toEqual(makeTotp(userId));
      expect(await storage.mfa.acceptTotpStep(userId, 100)).toBe(true);
      expect(await storage.mfa.getTotp(userId)).toMatchObject({ confirmed: true, lastUsedStep: 100 });
    });

    it('replaces an unconfirmed factor but never a confirmed one', async () => {
      const userId = await newUser();
      await storage.mfa.putPendingTotp(makeTotp(userId));
      await storage.mfa.putPendingTotp(makeTotp(userId, { secretEncrypted: 'v1.iv.other' }));
      expect((await storage.mfa.getTotp(userId))?.secretEncrypted).toBe('v1.iv.other');
      await storage.mfa.acceptTotpStep(userId, 5);
      await expect(
        storage.mfa.putPendingTotp(makeTotp(userId, { secretEncrypted: 'v1.iv.third' })),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await storage.mfa.getTotp(userId)).toMatchObject({
        secretEncrypted: 'v1.iv.other',
        confirmed: true,
      });
    });

    it('accepts each time step once and never an earlier one (RFC 6238 §5.2)', async () => {
      const userId = await newUser();
      await storage.mfa.putPendingTotp(makeTotp(userId));
      expect(await storage.mfa.acceptTotpStep(userId, 200)).toBe(true);
      expect(await storage.mfa.acceptTotpStep(userId, 200)).toBe(false);
      expect(await storage.mfa.acceptTotpStep(userId, 199)).toBe(false);
      expect(await storage.mfa.acceptTotpStep(userId, 201)).toBe(true);
      expect(await storage.mfa.acceptTotpStep(uid('nobody-'), 300)).toBe(false);
    });

    it('lets exactly one of two concurrent acceptances of the same step succeed', async () => {
      const userId = await newUser();
      await storage.mfa.putPendingTotp(makeTotp(userId));
      const answers = await Promise.all([
        storage.mfa.acceptTotpStep(userId, 42),
        storage.mfa.acceptTotpStep(userId, 42),
      ]);
      expect(answers.filter(Boolean)).toHaveLength(1);
    });

    it('uses up each recovery code once, and replaces the whole set', async () => {
      const userId = await newUser();
      const hashes = Array.from({ length: 10 }, (_, i) => `hash-${i}-${uid()}`);
      await storage.mfa.setRecoveryCodes(userId, hashes, NOW);
      expect((await storage.mfa.factors(userId)).recoveryCodesLeft).toBe(10);
      const [first = '', second = ''] = hashes;
      const answers = await Promise.all([
        storage.mfa.consumeRecoveryCode(userId, first),
        storage.mfa.consumeRecoveryCode(userId, first),
      ]);
      expect(answers.filter(Boolean)).toHaveLength(1);
      expect(await storage.mfa.consumeRecoveryCode(uid('other-'), second)).toBe(false);
      expect((await storage.mfa.factors(userId)).recoveryCodesLeft).toBe(9);
      await storage.mfa.setRecoveryCodes(userId, ['fresh'], NOW);
      expect(await storage.mfa.consumeRecoveryCode(userId, second)).toBe(false);
      expect(await storage.mfa.consumeRecoveryCode(userId, 'fresh')).toBe(true);
    });

    it('deletes the TOTP factor with its recovery codes', async () => {
      const userId = await newUser();
      await storage.mfa.putPendingTotp(makeTotp(userId));
      await storage.mfa.setRecoveryCodes(userId, ['a', 'b'], NOW);
      expect(await storage.mfa.deleteTotp(userId)).toBe(true);
      expect(await storage.mfa.deleteTotp(userId)).toBe(false);
      expect(await storage.mfa.factors(userId)).toEqual({ totp: null, recoveryCodesLeft: 0, passkeys: [] });
    });

    it('stores passkeys by credential id, lists, touches, renames and deletes only the owner’s', async () => {
      const userId = await newUser();
      const otherId = await newUser();
      const older = makePasskey(userId, { createdAt: NOW - 10 });
      const newer = makePasskey(userId, { deviceType: 'singleDevice', backedUp: false, transports: [] });
      await storage.mfa.addPasskey(newer);
      await storage.mfa.addPasskey(older);
      await expect(storage.mfa.addPasskey({ ...older, userId: otherId })).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(await storage.mfa.getPasskey(older.credentialId)).toEqual(older);
      expect(await storage.mfa.getPasskey('unknown')).toBeNull();
      expect(await storage.mfa.listPasskeys(userId)).toEqual([older, newer]);
      await storage.mfa.touchPasskey(older.credentialId, 7, NOW + 60);
      expect(await storage.mfa.getPasskey(older.credentialId)).toMatchObject({
        signCount: 7,
        lastUsedAt: NOW + 60,
      });
      expect(await storage.mfa.renamePasskey(otherId, older.credentialId, 'Stolen')).toBe(false);
      expect(await storage.mfa.renamePasskey(userId, older.credentialId, 'Laptop')).toBe(true);
      expect((await storage.mfa.getPasskey(older.credentialId))?.name).toBe('Laptop');
      expect(await storage.mfa.deletePasskey(otherId, older.credentialId)).toBe(false);
      expect(await storage.mfa.deletePasskey(userId, older.credentialId)).toBe(true);
      expect((await storage.mfa.factors(userId)).passkeys).toEqual([newer]);
    });

    it('answers whether a user has a second factor: a confirmed authenticator app or a passkey', async () => {
      const withApp = await newUser();
      expect(await storage.mfa.hasSecondFactor(withApp)).toBe(false);
      await storage.mfa.putPendingTotp(makeTotp(withApp));
      expect(await storage.mfa.hasSecondFactor(withApp)).toBe(false);
      await storage.mfa.acceptTotpStep(withApp, 3);
      expect(await storage.mfa.hasSecondFactor(withApp)).toBe(true);
      const withPasskey = await newUser();
      await storage.mfa.addPasskey(makePasskey(withPasskey));
      expect(await storage.mfa.hasSecondFactor(withPasskey)).toBe(true);
      await storage.mfa.deleteAllFactors(withPasskey);
      expect(await storage.mfa.hasSecondFactor(withPasskey)).toBe(false);
    });

    it('summarises and resets every factor of a user', async () => {
      const userId = await newUser();
      await storage.mfa.putPendingTotp(makeTotp(userId, { createdAt: NOW + 1 }));
      await storage.mfa.acceptTotpStep(userId, 9);
      await storage.mfa.setRecoveryCodes(userId, ['x', 'y', 'z'], NOW);
      const key = makePasskey(userId);
      await storage.mfa.addPasskey(key);
      expect(await storage.mfa.factors(userId)).toEqual({
        totp: { confirmed: true, createdAt: NOW + 1 },
        recoveryCodesLeft: 3,
        passkeys: [key],
      });
      await storage.mfa.deleteAllFactors(userId);
      expect(await storage.mfa.factors(userId)).toEqual({ totp: null, recoveryCodesLeft: 0, passkeys: [] });
    });

    it('deletes every factor of one user inside a unit of work, with the other writes, and only theirs', async () => {
      const userId = await newUser();
      const other = await newUser();
      for (const id of [userId, other]) await giveFactors(id, ['r1', 'r2']);
      let removed: Written | undefined;
      const audit = makeAuditEntry();
      await storage.atomically((unit) => {
        removed = unit.mfa.deleteAllFactors(userId);
        unit.auditLog.append(audit);
      });
      expect(removed?.changes).toBe(4);
      expect(await storage.mfa.factors(userId)).toEqual({ totp: null, recoveryCodesLeft: 0, passkeys: [] });
      const kept = await storage.mfa.factors(other);
      expect(kept.recoveryCodesLeft).toBe(2);
      expect(kept.passkeys).toHaveLength(1);
      expect(await storage.mfa.getTotp(other)).not.toBeNull();
    });

    it('keeps every factor when a later write of the same unit fails', async () => {
      const userId = await newUser();
      const key = await giveFactors(userId, ['r1']);
      const taken = makeAuditEntry();
      await storage.auditLog.append(taken);
      await expect(
        storage.atomically((unit) => {
          unit.mfa.deleteAllFactors(userId);
          unit.auditLog.append({ ...makeAuditEntry(), id: taken.id });
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await storage.mfa.getTotp(userId)).not.toBeNull();
      expect(await storage.mfa.getPasskey(key.credentialId)).not.toBeNull();
      expect((await storage.mfa.factors(userId)).recoveryCodesLeft).toBe(1);
    });

    it('deletes every factor with its user', async () => {
      const userId = await newUser();
      const key = await giveFactors(userId, ['r']);
      await storage.atomically((unit) => {
        unit.users.delete(userId);
      });
      expect(await storage.mfa.getTotp(userId)).toBeNull();
      expect(await storage.mfa.getPasskey(key.credentialId)).toBeNull();
      expect((await storage.mfa.factors(userId)).recoveryCodesLeft).toBe(0);
    });
  });
}
