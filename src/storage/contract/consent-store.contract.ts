/** ConsentStore contract: round trip, upsert keeps created_at, per-user listing, deletion. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConsentStore } from '../ports';
import { type MakeStorage, NOW, uid } from './fixtures';

export function describeConsentStoreContract(name: string, makeStorage: MakeStorage): void {
  describe(`ConsentStore contract (${name})`, () => {
    let consents: ConsentStore;
    beforeAll(async () => {
      consents = (await makeStorage()).consents;
    });

    it('round-trips a consent and answers null for an unknown pair', async () => {
      const consent = {
        userId: uid(),
        clientId: uid(),
        scope: 'openid profile',
        createdAt: NOW,
        updatedAt: NOW,
      };
      await consents.put(consent);
      expect(await consents.get(consent.userId, consent.clientId)).toEqual(consent);
      expect(await consents.get(consent.userId, uid())).toBeNull();
    });

    it('replaces the scope of an existing pair and keeps its creation time', async () => {
      const userId = uid();
      const clientId = uid();
      await consents.put({ userId, clientId, scope: 'openid', createdAt: NOW, updatedAt: NOW });
      await consents.put({
        userId,
        clientId,
        scope: 'openid email',
        createdAt: NOW + 50,
        updatedAt: NOW + 50,
      });
      expect(await consents.get(userId, clientId)).toEqual({
        userId,
        clientId,
        scope: 'openid email',
        createdAt: NOW,
        updatedAt: NOW + 50,
      });
    });

    it('lists a user consents newest first, and only theirs', async () => {
      const userId = uid();
      const [a, b] = [uid(), uid()];
      await consents.put({ userId, clientId: a, scope: 'openid', createdAt: NOW, updatedAt: NOW });
      await consents.put({ userId, clientId: b, scope: 'email', createdAt: NOW + 1, updatedAt: NOW + 1 });
      await consents.put({ userId: uid(), clientId: a, scope: 'openid', createdAt: NOW, updatedAt: NOW });
      expect((await consents.listByUser(userId)).map((c) => c.clientId)).toEqual([b, a]);
    });

    it('deletes a pair; false for an unknown one', async () => {
      const userId = uid();
      const clientId = uid();
      await consents.put({ userId, clientId, scope: 'openid', createdAt: NOW, updatedAt: NOW });
      expect(await consents.delete(userId, clientId)).toBe(true);
      expect(await consents.get(userId, clientId)).toBeNull();
      expect(await consents.delete(userId, clientId)).toBe(false);
    });
  });
}
