/**
 * IdentityStore contract: lookups by provider and subject, the uniqueness of `provider:subject`, the
 * all-or-nothing creation of a user with its first identity, and the e-mail lookup used for linking.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { FederatedIdentityRecord } from '../identities';
import { ConflictError, type Storage } from '../ports';
import { type MakeStorage, makeUser, NOW, uid } from './fixtures';

function makeIdentity(overrides: Partial<FederatedIdentityRecord> = {}): FederatedIdentityRecord {
  return {
    provider: 'okta',
    subject: uid('sub-'),
    userId: uid('user-'),
    email: 'someone@example.com',
    createdAt: NOW,
    ...overrides,
  };
}

export function describeIdentityStoreContract(name: string, makeStorage: MakeStorage): void {
  describe(`IdentityStore contract (${name})`, () => {
    let storage: Storage;
    beforeAll(async () => {
      storage = await makeStorage();
    });

    it('creates a user with its first identity, both readable afterwards', async () => {
      const user = makeUser();
      const identity = makeIdentity({ userId: user.id });
      await storage.identities.createWithUser(user, identity);
      expect(await storage.identities.get(identity.provider, identity.subject)).toEqual(identity);
      expect(await storage.users.getById(user.id)).toEqual(user);
      expect(await storage.identities.get('google', identity.subject)).toBeNull();
    });

    it('writes nothing when the username is taken', async () => {
      const existing = makeUser();
      await storage.users.create(existing);
      const clash = makeUser({ username: existing.username });
      const identity = makeIdentity({ userId: clash.id });
      await expect(storage.identities.createWithUser(clash, identity)).rejects.toBeInstanceOf(ConflictError);
      expect(await storage.identities.get(identity.provider, identity.subject)).toBeNull();
      expect(await storage.users.getById(clash.id)).toBeNull();
    });

    it('writes nothing when the identity is linked already', async () => {
      const first = makeUser();
      const identity = makeIdentity({ userId: first.id });
      await storage.identities.createWithUser(first, identity);
      const second = makeUser();
      await expect(
        storage.identities.createWithUser(second, { ...identity, userId: second.id }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await storage.users.getById(second.id)).toBeNull();
      expect((await storage.identities.get(identity.provider, identity.subject))?.userId).toBe(first.id);
    });

    it('links identities to an existing user, once per provider:subject', async () => {
      const user = makeUser();
      await storage.users.create(user);
      const a = makeIdentity({ userId: user.id, provider: 'github', createdAt: NOW });
      const b = makeIdentity({ userId: user.id, provider: 'google', subject: a.subject, createdAt: NOW + 1 });
      await storage.identities.link(a);
      await storage.identities.link(b);
      await expect(storage.identities.link({ ...a, userId: uid() })).rejects.toBeInstanceOf(ConflictError);
      expect(await storage.identities.listByUser(user.id)).toEqual([a, b]);
      expect(await storage.identities.listByUser(uid())).toEqual([]);
    });

    it('deletes an identity; false for an unknown one', async () => {
      const identity = makeIdentity();
      await storage.identities.link(identity);
      expect(await storage.identities.delete(identity.provider, identity.subject)).toBe(true);
      expect(await storage.identities.get(identity.provider, identity.subject)).toBeNull();
      expect(await storage.identities.delete(identity.provider, identity.subject)).toBe(false);
    });

    it('finds users by e-mail ignoring case, oldest first, at most limit', async () => {
      const email = `${uid('mail-')}@Example.com`;
      const older = makeUser({ email, createdAt: NOW - 10 });
      const newer = makeUser({ email: email.toUpperCase(), createdAt: NOW });
      await storage.users.create(newer);
      await storage.users.create(older);
      await storage.users.create(makeUser({ email: `x${email}` }));
      expect((await storage.identities.findUsersByEmail(email.toLowerCase(), 5)).map((u) => u.id)).toEqual([
        older.id,
        newer.id,
      ]);
      expect(await storage.identities.findUsersByEmail(email, 1)).toHaveLength(1);
      expect(await storage.identities.findUsersByEmail(`${uid()}@example.com`, 5)).toEqual([]);
    });
  });
}
