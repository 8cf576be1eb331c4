/** SigningKeyStore contract: insert/list round trip, conflicts, order and status transitions. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, type SigningKeyRecord, type SigningKeyStore } from '../ports';
import { type MakeStorage, makeSigningKey, NOW, uid } from './fixtures';

/** Runs the SigningKeyStore contract against `makeStorage()` of adapter `name`. */
export function describeSigningKeyStoreContract(name: string, makeStorage: MakeStorage): void {
  describe(`SigningKeyStore contract (${name})`, () => {
    let keys: SigningKeyStore;
    beforeAll(async () => {
      keys = (await makeStorage()).signingKeys;
    });

    const find = async (kid: string): Promise<SigningKeyRecord | undefined> =>
      (await keys.list()).find((k) => k.kid === kid);

    it('round-trips every field of an inserted key', async () => {
      const accessKey = makeSigningKey();
      const idKey = makeSigningKey({
        use: 'id_token',
        alg: 'RS256',
        status: 'retiring',
        retiresAt: NOW + 60,
      });
      await keys.insert(accessKey);
      await keys.insert(idKey);
      expect(await find(accessKey.kid)).toEqual(accessKey);
      expect(await find(idKey.kid)).toEqual(idKey);
    });

    it('throws ConflictError on a duplicate kid and keeps the first key', async () => {
      const key = makeSigningKey();
      await keys.insert(key);
      const error = await keys
        .insert(makeSigningKey({ kid: key.kid, alg: 'EdDSA' }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).not.toContain(key.kid);
      expect(await find(key.kid)).toEqual(key);
    });

    it('lists every key newest first, ties broken by kid descending', async () => {
      const base = NOW - 900_000 + Math.floor(Math.random() * 100_000);
      const mine = [base + 2, base + 1, base + 1, base + 1, base].map((createdAt) =>
        makeSigningKey({ createdAt }),
      );
      for (const key of [...mine].reverse()) await keys.insert(key);
      const listed = await keys.list();
      for (let i = 1; i < listed.length; i++) {
        expect(listed[i]?.createdAt).toBeLessThanOrEqual(
          listed[i - 1]?.createdAt ?? Number.POSITIVE_INFINITY,
        );
      }
      const expected = [...mine].sort((a, b) => b.createdAt - a.createdAt || (a.kid < b.kid ? 1 : -1));
      const kids = new Set(mine.map((k) => k.kid));
      expect(listed.filter((k) => kids.has(k.kid))).toEqual(expected);
    });

    it('moves a key active -> retiring -> retired', async () => {
      const key = makeSigningKey();
      await keys.insert(key);
      expect(await keys.setStatus(key.kid, 'retiring', NOW + 86_400)).toBe(true);
      expect(await find(key.kid)).toEqual({ ...key, status: 'retiring', retiresAt: NOW + 86_400 });
      expect(await keys.setStatus(key.kid, 'retired', NOW + 86_400)).toBe(true);
      expect(await find(key.kid)).toEqual({ ...key, status: 'retired', retiresAt: NOW + 86_400 });
    });

    it('setStatus can clear retiresAt', async () => {
      const key = makeSigningKey({ status: 'retiring', retiresAt: NOW + 60 });
      await keys.insert(key);
      expect(await keys.setStatus(key.kid, 'active', null)).toBe(true);
      expect(await find(key.kid)).toEqual({ ...key, status: 'active', retiresAt: null });
    });

    it('setStatus answers false for an unknown kid and creates nothing', async () => {
      const kid = uid('missing-');
      expect(await keys.setStatus(kid, 'retired', NOW)).toBe(false);
      expect(await find(kid)).toBeUndefined();
    });
  });
}
